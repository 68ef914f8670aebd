import { createWriteStream } from 'node:fs';
import { openAsBlob } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { checkFlags, stringFlag } from '../args';
import type { CommandContext } from '../context';
import { UsageError } from '../exit-codes';

export const datasetUsage = `tailor dataset export [<model>] [-o dataset.zip] | tailor dataset import <dataset.zip> [--name NAME]
    export: the model's images as class folders of the original files plus manifest.csv (prints the file, and
    its manifest sha256 on stderr). import: a new model from such a zip, or from plain class folders zipped
    (prints the new model's id).`;

/** Datasets leave and come back: download a model's images, or create a model from a zip of them. */
export async function datasetCommand(ctx: CommandContext): Promise<number> {
  const [, action, arg, ...extra] = ctx.args.positionals;
  if (extra.length) throw new UsageError(datasetUsage);
  const client = ctx.client();
  if (action === 'export') {
    checkFlags(ctx.args, ['model', 'output']);
    const modelId = arg ?? ctx.modelId();
    const out = stringFlag(ctx.args, 'output') ?? `tailor-${modelId.slice(0, 8)}-dataset.zip`;
    const { body, sha256, images } = await client.exportDataset(modelId);
    // Streamed to disk: a dataset can be larger than memory.
    await pipeline(Readable.fromWeb(body as import('node:stream/web').ReadableStream), createWriteStream(out));
    ctx.note(`${images} images, dataset manifest sha256 ${sha256}`);
    ctx.print(out);
    return 0;
  }
  if (action === 'import') {
    checkFlags(ctx.args, ['name']);
    if (!arg) throw new UsageError(datasetUsage);
    const zip = await openAsBlob(arg, { type: 'application/zip' }).catch(() => Promise.reject(new UsageError(`cannot read ${arg}`)));
    const result = await client.importDataset(zip, { name: stringFlag(ctx.args, 'name'), filename: path.basename(arg) });
    ctx.note(`${result.images} images in ${result.model.categories.length} categories${result.duplicates.length ? `, ${result.duplicates.length} duplicate files kept once` : ''}; dataset manifest sha256 ${result.datasetSha256}`);
    ctx.print(result.model.id);
    return 0;
  }
  throw new UsageError(datasetUsage);
}
