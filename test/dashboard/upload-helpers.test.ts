import { createHash } from 'node:crypto';
import { classNames, classOf } from '../../apps/api/src/dashboard/static/js/upload/folder-files.js';
import { sha256Js } from '../../apps/api/src/dashboard/static/js/upload/sha256.js';
import { fashionImages } from '../support/fixtures';

describe("the dashboard's upload helpers (browser modules run in Node)", () => {
  it('hashes like node:crypto at every padding boundary and on a real JPEG (the fallback where WebCrypto is missing)', () => {
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000]) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 255);
      expect(hex(sha256Js(data))).toBe(createHash('sha256').update(data).digest('hex'));
    }
    const jpeg = fashionImages('train', 'Bag', 1)[0]!.bytes;
    expect(hex(sha256Js(new Uint8Array(jpeg)))).toBe(createHash('sha256').update(jpeg).digest('hex'));
  });

  it("reads a file's class from the folder it sits in, for a folder of class folders or the class folders themselves", () => {
    expect(classOf('train/Bag/1.jpeg')).toBe('Bag');
    expect(classOf('Bag/1.jpeg')).toBe('Bag');
    expect(classOf('1.jpeg')).toBeUndefined();
    expect(classNames([{ path: 'train/Sandal/1.jpg' }, { path: 'train/Bag/2.jpg' }, { path: 'train/Bag/3.jpg' }, { path: 'loose.jpg' }])).toEqual(['Bag', 'Sandal']);
  });
});
