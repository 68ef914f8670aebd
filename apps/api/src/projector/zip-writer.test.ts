import { readZip } from '../../../../test/dashboard/support/read-zip';
import { writeZip } from './zip-writer';

describe('writeZip', () => {
  it('stores entries with the CRC-32 of the standard check value and reads back byte for byte', () => {
    const check = Buffer.from('123456789');
    const binary = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256));
    const zip = writeZip([
      { name: 'check.txt', data: check },
      { name: 'dir/binary.bin', data: binary },
      { name: 'ünïcode.tsv', data: Buffer.from('label\tid\n') },
    ]);
    // Local header of the first entry: signature, then the CRC at offset 14 (CRC-32 of "123456789" is CBF43926).
    expect(zip.readUInt32LE(0)).toBe(0x04034b50);
    expect(zip.readUInt32LE(14)).toBe(0xcbf43926);
    const files = readZip(zip);
    expect([...files.keys()]).toEqual(['check.txt', 'dir/binary.bin', 'ünïcode.tsv']);
    expect(files.get('dir/binary.bin')!.equals(binary)).toBe(true);
    expect(files.get('check.txt')!.toString()).toBe('123456789');
  });

  it('writes an empty archive as a lone end record', () => {
    const zip = writeZip([]);
    expect(zip).toHaveLength(22);
    expect(readZip(zip).size).toBe(0);
  });
});
