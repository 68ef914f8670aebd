import type { EmbeddingSet } from './embedding-set';

/** TensorBoard's tensor TSV: one row per point, values separated by tabs, no header. */
export function tensorTsv(set: EmbeddingSet): string {
  const rows: string[] = [];
  for (let i = 0; i < set.items.length; i++) {
    const row = new Array<string>(set.dim);
    for (let k = 0; k < set.dim; k++) row[k] = String(set.vectors[i * set.dim + k]);
    rows.push(row.join('\t'));
  }
  return rows.join('\n') + '\n';
}

/** Tabs and newlines would split a cell; the projector has no quoting. */
const cell = (s: string) => s.replace(/[\t\r\n]+/g, ' ');

/**
 * Metadata TSV. With more than one column the projector expects a header row (with exactly one column it must not
 * have one), so this file starts with `label\tid`.
 */
export function metadataTsv(set: EmbeddingSet): string {
  return ['label\tid', ...set.items.map((it) => `${cell(it.label)}\t${cell(it.id)}`)].join('\n') + '\n';
}

export interface ProjectorNames {
  tensorName: string;
  tensorPath: string;
  metadataPath: string;
  spritePath: string;
  thumb: number;
}

const quote = (s: string) => JSON.stringify(s); // protobuf text format strings accept the same escapes

/** The `ProjectorConfig` protobuf in text format, as TensorBoard's projector plugin reads it from the log dir. */
export function projectorConfigPbtxt(set: EmbeddingSet, n: ProjectorNames): string {
  return [
    'embeddings {',
    `  tensor_name: ${quote(n.tensorName)}`,
    `  tensor_path: ${quote(n.tensorPath)}`,
    `  tensor_shape: ${set.items.length}`,
    `  tensor_shape: ${set.dim}`,
    `  metadata_path: ${quote(n.metadataPath)}`,
    '  sprite {',
    `    image_path: ${quote(n.spritePath)}`,
    `    single_image_dim: ${n.thumb}`,
    `    single_image_dim: ${n.thumb}`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** The same configuration as the standalone projector (projector.tensorflow.org) loads it: JSON, camelCase. */
export function projectorConfigJson(set: EmbeddingSet, n: ProjectorNames): string {
  const embeddings = [
    {
      tensorName: n.tensorName,
      tensorShape: [set.items.length, set.dim],
      tensorPath: n.tensorPath,
      metadataPath: n.metadataPath,
      sprite: { imagePath: n.spritePath, singleImageDim: [n.thumb, n.thumb] },
    },
  ];
  return JSON.stringify({ embeddings }, null, 2) + '\n';
}
