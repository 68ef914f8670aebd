import { decodeEmbeddingSet, encodeEmbeddingSet, type EmbeddingSet } from './embedding-set';
import { metadataTsv, projectorConfigJson, projectorConfigPbtxt, tensorTsv } from './projector-files';

const set: EmbeddingSet = {
  dim: 3,
  digest: 'abc',
  items: [
    { id: 'i1', label: 'Ankle boot' },
    { id: 'i2', label: 'odd\tlabel\nhere' },
  ],
  vectors: Float32Array.from([0.5, -1.25, 3, 1e-7, 2, -0]),
};
const names = { tensorName: 'm-v1', tensorPath: 'tensors.tsv', metadataPath: 'metadata.tsv', spritePath: 'sprite.png', thumb: 28 };

describe('projector files', () => {
  it('writes one tab-separated row per point without a header', () => {
    expect(tensorTsv(set)).toBe('0.5\t-1.25\t3\n1.0000000116860974e-7\t2\t0\n');
  });

  it('writes metadata with a header row (two columns) and keeps tabs and newlines out of cells', () => {
    expect(metadataTsv(set)).toBe('label\tid\nAnkle boot\ti1\nodd label here\ti2\n');
  });

  it('writes projector_config.pbtxt as TensorBoard reads it', () => {
    expect(projectorConfigPbtxt(set, names)).toBe(
      [
        'embeddings {',
        '  tensor_name: "m-v1"',
        '  tensor_path: "tensors.tsv"',
        '  tensor_shape: 2',
        '  tensor_shape: 3',
        '  metadata_path: "metadata.tsv"',
        '  sprite {',
        '    image_path: "sprite.png"',
        '    single_image_dim: 28',
        '    single_image_dim: 28',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    expect(JSON.parse(projectorConfigJson(set, names)).embeddings[0]).toEqual({
      tensorName: 'm-v1',
      tensorShape: [2, 3],
      tensorPath: 'tensors.tsv',
      metadataPath: 'metadata.tsv',
      sprite: { imagePath: 'sprite.png', singleImageDim: [28, 28] },
    });
  });

  it('round-trips an embedding set through its blob encoding and rejects a truncated one', () => {
    const buf = encodeEmbeddingSet(set);
    const back = decodeEmbeddingSet(buf);
    expect(back.items).toEqual(set.items);
    expect(back.digest).toBe('abc');
    expect(Array.from(back.vectors)).toEqual(Array.from(set.vectors));
    expect(() => decodeEmbeddingSet(buf.subarray(0, buf.length - 4))).toThrow(/truncated/);
    expect(() => decodeEmbeddingSet(Buffer.from('garbage'))).toThrow(/not an embedding set/);
  });
});
