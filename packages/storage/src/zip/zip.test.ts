import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { streamToBuffer } from '../stream-to-buffer';
import { bufferSource, openZipFile, readZipDirectory, readZipEntry, unzipToMap, writeZip, zipStream, ZipFormatError } from '.';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tailor-zip-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** `unzip -t`: Info-ZIP's own check of every header and CRC. */
function unzipTest(zip: Buffer): string {
  const file = path.join(tmp, `t-${Math.random().toString(36).slice(2)}.zip`);
  writeFileSync(file, zip);
  return execFileSync('unzip', ['-tq', file], { encoding: 'utf8' });
}

describe('zip: writer and reader', () => {
  const binary = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256));

  it('round-trips entries byte for byte, and Info-ZIP accepts what it writes', async () => {
    const zip = writeZip([
      { name: 'check.txt', data: Buffer.from('123456789') },
      { name: 'dir/binary.bin', data: binary },
      { name: 'ünïcode/名前.tsv', data: Buffer.from('label\tid\n') },
    ]);
    expect(zip.readUInt32LE(14)).toBe(0xcbf43926); // CRC-32 of "123456789"
    const files = await unzipToMap(zip);
    expect([...files.keys()]).toEqual(['check.txt', 'dir/binary.bin', 'ünïcode/名前.tsv']);
    expect(files.get('dir/binary.bin')!.equals(binary)).toBe(true);
    expect(unzipTest(zip)).toMatch(/No errors detected/);
  });

  it('writes empty folders as folder entries that unzip recreates', async () => {
    const zip = writeZip([{ name: 'Empty/', data: Buffer.alloc(0) }, { name: 'Full/a.txt', data: Buffer.from('a') }]);
    const dir = await readZipDirectory(bufferSource(zip));
    expect(dir.map((e) => [e.name, e.isDirectory])).toEqual([['Empty/', true], ['Full/a.txt', false]]);
    const out = path.join(tmp, 'folders');
    const file = path.join(tmp, 'folders.zip');
    writeFileSync(file, zip);
    execFileSync('unzip', ['-q', file, '-d', out]);
    expect(execFileSync('find', [out, '-mindepth', '1', '-printf', '%y %P\\n'], { encoding: 'utf8' }).split('\n').filter(Boolean).sort()).toEqual(['d Empty', 'd Full', 'f Full/a.txt']);
  });

  it('streams an archive entry by entry, identical to the in-memory one', async () => {
    const when = new Date('2026-11-30T12:00:00Z');
    const entries = [
      { name: 'a.txt', data: Buffer.from('a') },
      { name: 'b/c.bin', data: binary },
    ];
    async function* gen() {
      for (const e of entries) yield e;
    }
    const streamed = await streamToBuffer(zipStream(gen(), when));
    expect(streamed.equals(writeZip(entries, when))).toBe(true);
  });

  it('writes and reads zip64 records past 65,535 entries', async () => {
    const entries = Array.from({ length: 65_600 }, (_, i) => ({ name: `f/${i}.txt`, data: Buffer.from(String(i)) }));
    const zip = writeZip(entries);
    expect(unzipTest(zip)).toMatch(/No errors detected/);
    const dir = await readZipDirectory(bufferSource(zip));
    expect(dir).toHaveLength(65_600);
    expect((await readZipEntry(bufferSource(zip), dir[65_599]!)).toString()).toBe('65599');
    await expect(readZipDirectory(bufferSource(zip), { maxEntries: 1000 })).rejects.toThrow('the zip lists 65600 entries; the limit is 1000');
  });

  it('reads deflated archives other tools make (Info-ZIP zip, Python zipfile streaming with data descriptors) from disk', async () => {
    const dir = path.join(tmp, 'src');
    execFileSync('mkdir', ['-p', path.join(dir, 'Bag')]);
    writeFileSync(path.join(dir, 'Bag', 'one.txt'), 'hello '.repeat(1000));
    writeFileSync(path.join(dir, 'Bag', 'two.bin'), binary);
    const infoZip = path.join(tmp, 'info.zip');
    execFileSync('zip', ['-r', '-q', infoZip, 'Bag'], { cwd: dir });
    const src = await openZipFile(infoZip);
    try {
      const entries = await readZipDirectory(src);
      const byName = new Map(entries.map((e) => [e.name, e]));
      expect([...byName.keys()].sort()).toEqual(['Bag/', 'Bag/one.txt', 'Bag/two.bin']);
      expect(byName.get('Bag/')!.isDirectory).toBe(true);
      expect(byName.get('Bag/one.txt')!.method).toBe(8);
      expect((await readZipEntry(src, byName.get('Bag/one.txt')!)).toString()).toBe('hello '.repeat(1000));
      expect((await readZipEntry(src, byName.get('Bag/two.bin')!)).equals(binary)).toBe(true);
    } finally {
      await src.close();
    }
    // Written to a pipe, Python cannot seek back: sizes and CRCs follow each entry in a data descriptor.
    const py = `import sys, zipfile
class Pipe:
    def __init__(s, f): s.f = f
    def write(s, b): return s.f.write(b)
    def flush(s): s.f.flush()
with zipfile.ZipFile(Pipe(sys.stdout.buffer), 'w', zipfile.ZIP_DEFLATED) as z:
    with z.open('Coat/x.txt', 'w') as f: f.write(b'coat ' * 500)`;
    const piped = execFileSync('python3', ['-c', py]);
    expect(piped.readUInt16LE(6) & 0x0008).toBe(0x0008);
    expect((await unzipToMap(piped)).get('Coat/x.txt')!.toString()).toBe('coat '.repeat(500));
  });

  it('refuses damaged, hostile and unsupported archives with a ZipFormatError that says why', async () => {
    const good = writeZip([{ name: 'a/b.txt', data: Buffer.from('hello world') }]);
    const fails = (buf: Buffer, opts = {}) => unzipToMap(buf, opts).then(() => 'no error', (e: Error) => `${e.name}: ${e.message}`);
    expect(await fails(Buffer.from('PK not really'))).toBe('ZipFormatError: not a zip archive (too short)');
    expect(await fails(Buffer.from('this is plainly a text file and not a zip archive'))).toMatch(/^ZipFormatError: not a zip archive \(no end of central directory/);
    expect(await fails(good.subarray(0, good.length - 30))).toMatch(/^ZipFormatError: not a zip archive/);
    const flipped = Buffer.from(good);
    flipped[30 + 'a/b.txt'.length] ^= 0xff; // one byte of the data
    expect(await fails(flipped)).toBe('ZipFormatError: a/b.txt fails its CRC check (corrupt zip)');
    expect(await fails(writeZip([{ name: '../evil.txt', data: Buffer.from('x') }]))).toBe('ZipFormatError: unsafe path in zip: "../evil.txt"');
    expect(await fails(writeZip([{ name: '/etc/passwd', data: Buffer.from('x') }]))).toMatch(/unsafe path/);
    expect(await fails(good, { maxBytes: 5 })).toBe('ZipFormatError: a/b.txt is 11 bytes; the limit is 5');
    // A bomb: 50 MB of zeros declared as 10 bytes. The inflater stops at the declared size + 1.
    const bombDir = path.join(tmp, 'bomb');
    execFileSync('mkdir', ['-p', bombDir]);
    writeFileSync(path.join(bombDir, 'zeros'), Buffer.alloc(50_000_000));
    execFileSync('zip', ['-q', path.join(tmp, 'bomb.zip'), 'zeros'], { cwd: bombDir });
    const bomb = readFileSync(path.join(tmp, 'bomb.zip'));
    const cd = bomb.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bomb.writeUInt32LE(10, cd + 24); // central directory: uncompressed size
    expect(await fails(bomb)).toMatch(/^ZipFormatError: zeros does not decompress \(.*\)$|^ZipFormatError: zeros decompresses to/);
    execFileSync('zip', ['-q', '-P', 'secret', path.join(tmp, 'enc.zip'), 'zeros'], { cwd: bombDir });
    expect(await fails(readFileSync(path.join(tmp, 'enc.zip')))).toBe('ZipFormatError: zeros is encrypted; encrypted zips are not supported');
    const e = await unzipToMap(Buffer.from('x'.repeat(30))).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ZipFormatError);
  });
});
