import { createHash } from 'node:crypto';
import { canonicalManifest, parseManifestCsv, summarizeDataset, writeManifestCsv } from './dataset-manifest';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);

describe('dataset manifests', () => {
  it('the canonical manifest depends on bytes and labels only: order, ids and file names do not change it', () => {
    const one = [{ category: 'Bag', sha256: B }, { category: 'Coat, long', sha256: A }];
    expect(canonicalManifest(one)).toBe(`${A},"Coat, long"\n${B},Bag\n`);
    expect(canonicalManifest([...one].reverse())).toBe(canonicalManifest(one));
    const hash = summarizeDataset(one, ['Bag', 'Coat, long', 'Empty']);
    expect(hash).toEqual({
      sha256: createHash('sha256').update(`${A},"Coat, long"\n${B},Bag\n`).digest('hex'),
      images: 2,
      perClass: [{ label: 'Bag', count: 1 }, { label: 'Coat, long', count: 1 }, { label: 'Empty', count: 0 }],
      unlabeled: 0,
    });
    // An unlabelled image is a line with an empty category, and counts apart.
    const withUnlabelled = summarizeDataset([...one, { category: null, sha256: C }], ['Bag', 'Coat, long']);
    expect(canonicalManifest([...one, { category: null, sha256: C }])).toBe(`${A},"Coat, long"\n${B},Bag\n${C},\n`);
    expect(withUnlabelled).toMatchObject({ images: 3, unlabeled: 1, perClass: [{ label: 'Bag', count: 1 }, { label: 'Coat, long', count: 1 }] });
    // Relabelled, added or removed: another hash.
    expect(summarizeDataset([{ category: 'Coat, long', sha256: B }, one[1]!], ['Bag']).sha256).not.toBe(hash.sha256);
    expect(summarizeDataset([...one, { category: 'Bag', sha256: C }], ['Bag']).sha256).not.toBe(hash.sha256);
    expect(summarizeDataset(one.slice(1), ['Bag']).sha256).not.toBe(hash.sha256);
  });

  it('writes RFC 4180 and reads it back, quotes, commas, line breaks, a BOM and extra columns included', () => {
    const rows = [
      { id: '1', category: 'Sandalé, "beach"', sha256: A, filename: 'Sandalé, "beach"/a.jpg' },
      { id: '2', category: 'Two\nlines', sha256: B, filename: 'Two\nlines/b.png' },
    ];
    const csv = writeManifestCsv(rows);
    expect(csv.split('\r\n')[0]).toBe('id,category,sha256,filename');
    expect(parseManifestCsv(csv)).toEqual(rows);
    expect(parseManifestCsv(`\ufeffsha256,filename,category,id,extra\n${C},X/c.jpg,X,9,whatever\n`)).toEqual([{ id: '9', category: 'X', sha256: C, filename: 'X/c.jpg' }]);
  });

  it('refuses a manifest without the header, with a bad sha256 or an unterminated quote, naming the line', () => {
    expect(() => parseManifestCsv('a,b,c\n1,2,3\n')).toThrow('manifest.csv must start with the header id,category,sha256,filename');
    expect(() => parseManifestCsv(`id,category,sha256,filename\n1,Bag,${A},Bag/a.jpg\n2,Bag,XYZ,Bag/b.jpg\n`)).toThrow('manifest.csv line 3 is not valid');
    expect(() => parseManifestCsv(`id,category,sha256,filename\n1,"Bag,${A},Bag/a.jpg\n`)).toThrow('unterminated quoted field');
  });
});
