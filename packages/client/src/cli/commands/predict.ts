import { fileFromPath } from '../../tailor-client';
import type { PredictResponse, Prediction } from '../../responses';
import { checkFlags, intFlag, stringFlag } from '../args';
import type { CommandContext } from '../context';
import { EXIT, UsageError } from '../exit-codes';
import { formatTable, percent } from '../format-table';

export const predictUsage = `tailor predict <file or URL>... [--model ID] [--top K] [--version N] [--json]
    Classify images (local files and http(s) URLs can be mixed). Prints a table, or the API's JSON with --json.
    Exit 5 if some images could not be classified (unreadable file, URL that failed).`;

const PER_REQUEST = 20;

export async function predictCommand(ctx: CommandContext): Promise<number> {
  checkFlags(ctx.args, ['model', 'top', 'version', 'json']);
  const inputs = ctx.args.positionals.slice(1);
  if (inputs.length === 0) throw new UsageError(predictUsage);
  const modelId = ctx.modelId();
  const client = ctx.client();
  const topK = intFlag(ctx.args, 'top', 1);
  const version = stringFlag(ctx.args, 'version');
  const urls = inputs.filter((i) => /^https?:\/\//i.test(i));
  const files = inputs.filter((i) => !/^https?:\/\//i.test(i));
  // Read every file first, so a typo in a path is a usage error (exit 2) before anything is sent.
  const loaded = await Promise.all(files.map((f) => fileFromPath(f).catch(() => Promise.reject(new UsageError(`cannot read ${f}`)))));
  const responses: PredictResponse[] = [];
  for (let i = 0; i < loaded.length; i += PER_REQUEST) responses.push(await client.predict(modelId, loaded.slice(i, i + PER_REQUEST), { topK, version }));
  for (let i = 0; i < urls.length; i += PER_REQUEST) responses.push(await client.predictUrls(modelId, urls.slice(i, i + PER_REQUEST), { topK, version }));
  // Report files under the path the user typed (the server only knows base names).
  const predictions: Prediction[] = responses.flatMap((r) => r.predictions);
  const shown = [...files, ...urls];
  predictions.forEach((p, i) => (p.file = shown[i] ?? p.file));
  if (ctx.args.flags.json) {
    ctx.print(JSON.stringify({ modelId, version: responses[0]?.version, predictions }, null, 2));
  } else {
    ctx.print(
      formatTable(
        ['FILE', 'LABEL', 'PROBABILITY', topK && topK > 1 ? 'TOP' : 'NOTE'],
        predictions.map((p) =>
          p.ok
            ? [
                p.file,
                p.label ?? '-',
                percent(p.probability),
                topK && topK > 1
                  ? (p.prediction ?? []).map((x) => `${x.label} ${percent(x.probability)}`).join(', ')
                  : p.outOfDistribution
                    ? 'unlike every class (out of distribution)'
                    : '',
              ]
            : [p.file, 'ERROR', '-', p.error ?? 'failed'],
        ),
      ),
    );
    ctx.note(`model ${modelId}, version ${responses[0]?.version}`);
  }
  return predictions.every((p) => p.ok) ? EXIT.OK : EXIT.PARTIAL;
}
