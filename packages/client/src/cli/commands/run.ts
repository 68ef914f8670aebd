import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { checkFlags, intFlag } from '../args';
import type { CommandContext } from '../context';
import { EXIT, UsageError } from '../exit-codes';
import { formatTable, percent } from '../format-table';

export const runUsage = `tailor run <bundle.zip> <image>... [--top K] [--json]
    Predict offline from an ONNX export bundle (tailor export --format onnx): no server, no API key. The images go
    through the service's own preprocessing; --json prints the same JSON as tailor predict --json. Exit 5 if some
    images could not be read.`;

/** Offline prediction: the bundle's graph on onnxruntime, the images decoded by the same code the service uses. */
export async function runCommand(ctx: CommandContext): Promise<number> {
  checkFlags(ctx.args, ['top', 'json']);
  const [, bundlePath, ...images] = ctx.args.positionals;
  if (!bundlePath || images.length === 0) throw new UsageError(runUsage);
  const topK = intFlag(ctx.args, 'top', 1);
  // Loaded here, not at start-up: onnxruntime and sharp are for this command only.
  const [{ unzipToMap, ZipFormatError }, { openOnnxBundle }] = await Promise.all([import('@tailor/storage/src/zip'), import('@tailor/ml/src/export/run-bundle')]);
  const zip = await readFile(bundlePath).catch(() => Promise.reject(new UsageError(`cannot read ${bundlePath}`)));
  let predictor;
  try {
    predictor = await openOnnxBundle(await unzipToMap(zip));
  } catch (err) {
    if (err instanceof ZipFormatError || /not a Tailor export bundle|export it with --format onnx/.test((err as Error).message)) throw new UsageError(`${bundlePath}: ${(err as Error).message}`);
    throw err;
  }
  try {
    // An unreadable path is that image's error (as a failed URL is in predict), not the whole run's.
    const inputs = await Promise.all(images.map(async (f) => ({ name: f, bytes: await readFile(f).catch(() => undefined) })));
    const readable = inputs.flatMap((i) => (i.bytes ? [{ name: i.name, bytes: i.bytes as Uint8Array }] : []));
    const results = new Map((await predictor.predict(readable, { topK: topK ?? predictor.labels.length })).map((p, i) => [readable[i]!.name, p]));
    const predictions = inputs.map((i) => results.get(i.name) ?? { file: i.name, ok: false as const, error: `cannot read ${i.name}` });
    const { modelId, version } = predictor.source;
    if (ctx.args.flags.json) ctx.print(JSON.stringify({ modelId, version, predictions }, null, 2));
    else {
      ctx.print(
        formatTable(
          ['FILE', 'LABEL', 'PROBABILITY', 'NOTE'],
          predictions.map((p) =>
            p.ok
              ? [p.file, p.label, percent(p.probability), p.outOfDistribution ? 'unlike every class (out of distribution)' : '']
              : [p.file, 'ERROR', '-', p.error],
          ),
        ),
      );
      ctx.note(`offline: ${path.basename(bundlePath)} (model ${modelId}, version ${version})`);
    }
    return predictions.every((p) => p.ok) ? EXIT.OK : EXIT.PARTIAL;
  } finally {
    await predictor.release();
  }
}
