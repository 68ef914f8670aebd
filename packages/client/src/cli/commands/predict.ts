import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileFromPath } from '../../tailor-client';
import type { PredictResponse, Prediction } from '../../responses';
import { checkFlags, intFlag, stringFlag } from '../args';
import type { CommandContext } from '../context';
import { EXIT, UsageError } from '../exit-codes';
import { formatTable, percent } from '../format-table';

export const predictUsage = `tailor predict <file or URL>... [--model ID] [--top K] [--version N] [--json] [--explain DIR [--explain-class C]]
    Classify images (local files and http(s) URLs can be mixed). Prints a table, or the API's JSON with --json.
    The NOTE says "not sure" when the label falls short of the model's target precision, and when an image is unlike
    every class. --explain writes, per image, DIR/<name>.heatmap.png: the image with the regions that drove the
    prediction (of --explain-class if given) in red; it costs ~50 forward passes per image.
    Exit 5 if some images could not be classified (unreadable file, URL that failed).`;

const PER_REQUEST = 20;
/** Heat maps take seconds per image: smaller requests keep each well inside the client's timeout. */
const PER_EXPLAIN_REQUEST = 4;

export async function predictCommand(ctx: CommandContext): Promise<number> {
  checkFlags(ctx.args, ['model', 'top', 'version', 'json', 'explain', 'explain-class']);
  const inputs = ctx.args.positionals.slice(1);
  if (inputs.length === 0) throw new UsageError(predictUsage);
  const modelId = ctx.modelId();
  const client = ctx.client();
  const topK = intFlag(ctx.args, 'top', 1);
  const version = stringFlag(ctx.args, 'version');
  const explainDir = stringFlag(ctx.args, 'explain');
  const explainClass = stringFlag(ctx.args, 'explain-class');
  if (explainClass !== undefined && explainDir === undefined) throw new UsageError('--explain-class needs --explain DIR');
  const opts = { topK, version, ...(explainDir !== undefined ? { explain: true, explainClass } : {}) };
  const per = explainDir !== undefined ? PER_EXPLAIN_REQUEST : PER_REQUEST;
  const urls = inputs.filter((i) => /^https?:\/\//i.test(i));
  const files = inputs.filter((i) => !/^https?:\/\//i.test(i));
  // Read every file first, so a typo in a path is a usage error (exit 2) before anything is sent.
  const loaded = await Promise.all(files.map((f) => fileFromPath(f).catch(() => Promise.reject(new UsageError(`cannot read ${f}`)))));
  const responses: PredictResponse[] = [];
  for (let i = 0; i < loaded.length; i += per) responses.push(await client.predict(modelId, loaded.slice(i, i + per), opts));
  for (let i = 0; i < urls.length; i += per) responses.push(await client.predictUrls(modelId, urls.slice(i, i + per), opts));
  // Report files under the path the user typed (the server only knows base names).
  const predictions: Prediction[] = responses.flatMap((r) => r.predictions);
  const shown = [...files, ...urls];
  predictions.forEach((p, i) => (p.file = shown[i] ?? p.file));
  const heatmaps = explainDir !== undefined ? await writeHeatmaps(explainDir, predictions) : [];
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
                  ? `${(p.prediction ?? []).map((x) => `${x.label} ${percent(x.probability)}`).join(', ')}${p.uncertain ? ' (not sure)' : ''}`
                  : trustNote(p),
              ]
            : [p.file, 'ERROR', '-', p.error ?? 'failed'],
        ),
      ),
    );
    ctx.note(`model ${modelId}, version ${responses[0]?.version}`);
    for (const h of heatmaps) ctx.note(`heat map of ${h.label} for ${h.file}: ${h.path}`);
  }
  return predictions.every((p) => p.ok) ? EXIT.OK : EXIT.PARTIAL;
}

function trustNote(p: Prediction): string {
  if (p.outOfDistribution) return 'not sure: unlike every class (out of distribution)';
  return p.uncertain ? "not sure: below this class's threshold" : '';
}

/** DIR/<file name>.heatmap.png per explained prediction (names made unique when two inputs share one). */
async function writeHeatmaps(dir: string, predictions: Prediction[]) {
  await mkdir(dir, { recursive: true });
  const used = new Set<string>();
  const out: Array<{ file: string; label: string; path: string }> = [];
  for (const p of predictions) {
    if (!p.ok || !p.explanation) continue;
    const base = (p.file.split(/[\\/]/).pop() || 'image').replace(/[^\w.-]+/g, '_');
    let name = `${base}.heatmap.png`;
    for (let n = 2; used.has(name); n++) name = `${base}.${n}.heatmap.png`;
    used.add(name);
    const target = path.join(dir, name);
    await writeFile(target, Buffer.from(p.explanation.overlay.replace(/^data:image\/png;base64,/, ''), 'base64'));
    out.push({ file: p.file, label: p.explanation.label, path: target });
  }
  return out;
}
