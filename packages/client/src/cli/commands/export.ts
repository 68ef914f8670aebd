import { writeFile } from 'node:fs/promises';
import { checkFlags, intFlag, stringFlag } from '../args';
import type { CommandContext } from '../context';
import { UsageError } from '../exit-codes';

export const exportUsage = `tailor export [<model>] [--version N] --format onnx|tfjs [-o bundle.zip]
    Download a version (default: the active one) as a bundle: the whole classifier as one ONNX graph or a TF.js
    graph model, labels.json, preprocessing.json and a model card README.md. Prints the file written.`;

/** A version leaves with you: the bundle `tailor run` (ONNX) or a browser (TF.js) predicts with. */
export async function exportCommand(ctx: CommandContext): Promise<number> {
  checkFlags(ctx.args, ['model', 'version', 'format', 'output']);
  const [, positional, ...extra] = ctx.args.positionals;
  if (extra.length) throw new UsageError(exportUsage);
  const format = stringFlag(ctx.args, 'format') ?? 'onnx';
  if (format !== 'onnx' && format !== 'tfjs') throw new UsageError(`--format must be onnx or tfjs, got ${JSON.stringify(format)}`);
  const client = ctx.client();
  const modelId = positional ?? ctx.modelId();
  let version = intFlag(ctx.args, 'version', 1);
  if (version === undefined) {
    const model = await client.getModel(modelId);
    if (model.activeVersion === null) throw new UsageError('the model has no trained version yet');
    version = model.activeVersion;
  }
  const bundle = await client.exportVersion(modelId, version, format);
  const out = stringFlag(ctx.args, 'output') ?? `tailor-${modelId.slice(0, 8)}-v${bundle.version}-${format}.zip`;
  await writeFile(out, bundle.bytes);
  ctx.note(`model ${modelId}, version ${bundle.version}, ${format}: ${bundle.bytes.length} bytes`);
  ctx.print(out);
  return 0;
}
