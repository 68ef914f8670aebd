import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { checkFlags, stringFlag } from '../args';
import type { CommandContext } from '../context';
import { UsageError } from '../exit-codes';
import { confusionSvg, curvesSvg, type EpochPoint } from '../plots-svg';

export const plotsUsage = `tailor plots [<n>] [--out DIR]                 write curves.png and confusion.png of version n (default: active)`;

/** For people who stay in the terminal: the training curves and the confusion matrix as PNG files. */
export async function plotsCommand(ctx: CommandContext): Promise<number> {
  checkFlags(ctx.args, ['model', 'out']);
  const [, ref, ...extra] = ctx.args.positionals;
  if (extra.length) throw new UsageError(plotsUsage);
  const client = ctx.client();
  const modelId = ctx.modelId();
  let number = ref;
  if (!number) {
    const active = (await client.listVersions(modelId)).find((v) => v.active);
    if (!active) throw new UsageError('the model has no trained version yet');
    number = String(active.number);
  }
  const version = await client.getVersion(modelId, number);
  const m = version.metrics as { confusionMatrix?: number[][]; curves?: Array<{ member: string; epochs: EpochPoint[] }> };
  const out = stringFlag(ctx.args, 'out') ?? '.';
  await mkdir(out, { recursive: true });
  const files: string[] = [];
  if (m.curves?.length) {
    const file = path.join(out, `model-${modelId.slice(0, 8)}-v${version.number}-curves.png`);
    await writeFile(file, await sharp(Buffer.from(curvesSvg(m.curves))).png().toBuffer());
    files.push(file);
  }
  if (m.confusionMatrix) {
    const file = path.join(out, `model-${modelId.slice(0, 8)}-v${version.number}-confusion.png`);
    await writeFile(file, await sharp(Buffer.from(confusionSvg(version.classes, m.confusionMatrix))).png().toBuffer());
    files.push(file);
  }
  if (!files.length) throw new UsageError(`version ${version.number} recorded no curves or confusion matrix`);
  for (const f of files) ctx.print(f);
  return 0;
}
