import { Readable } from 'node:stream';
import { assertValidKey, contentKey, sha256, sha256Hex } from '../src';

// Known-answer vectors (FIPS 180-2): sha256("abc") and sha256("").
const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

test('sha256 of buffers and streams matches the published vectors', async () => {
  expect(sha256Hex(Buffer.from('abc'))).toBe(ABC);
  expect(await sha256(Buffer.alloc(0))).toBe(EMPTY);
  expect(await sha256(Readable.from([Buffer.from('a'), Buffer.from('bc')]))).toBe(ABC);
});

test('contentKey fans out by the first two bytes and is a valid blob key', () => {
  expect(contentKey(ABC)).toBe(`images/ba/78/${ABC}`);
  expect(contentKey(ABC, 'models')).toBe(`models/ba/78/${ABC}`);
  expect(() => assertValidKey(contentKey(ABC))).not.toThrow();
  expect(() => contentKey('ABC')).toThrow();
  expect(() => contentKey(ABC.toUpperCase())).toThrow();
});
