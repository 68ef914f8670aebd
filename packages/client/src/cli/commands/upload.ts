import { stat } from 'node:fs/promises';
import { uploadFolder } from '../../upload';
import { checkFlags, intFlag } from '../args';
import type { CommandContext } from '../context';
import { EXIT, UsageError } from '../exit-codes';
import { ProgressBar } from '../progress-bar';

export const uploadUsage = `tailor upload <folder> [--model ID] [--concurrency N] [--batch N]
    Upload a folder of class sub-folders (<folder>/<Category>/*.jpg). Resumable: images the model already has
    (same sha256) are skipped. Progress on stderr; a summary line on stdout. Exit 5 if some images were rejected.`;

export async function uploadCommand(ctx: CommandContext): Promise<number> {
  checkFlags(ctx.args, ['model', 'concurrency', 'batch']);
  const folder = ctx.args.positionals[1];
  if (!folder || ctx.args.positionals.length > 2) throw new UsageError(uploadUsage);
  const st = await stat(folder).catch(() => null);
  if (!st?.isDirectory()) throw new UsageError(`not a folder: ${folder}`);
  const modelId = ctx.modelId();
  const bar = new ProgressBar(ctx.stderr);
  const started = Date.now();
  const result = await uploadFolder(ctx.client(), modelId, folder, {
    concurrency: intFlag(ctx.args, 'concurrency', 1),
    batchSize: intFlag(ctx.args, 'batch', 1),
    onProgress: (p) => {
      if (ctx.args.flags.quiet) return;
      const done = p.skipped + p.stored + p.duplicates + p.rejected;
      const rate = (p.stored + p.duplicates + p.rejected) / Math.max(0.001, (Date.now() - started) / 1000);
      bar.update(done / p.total, `${done}/${p.total} images (${p.skipped} already there, ${p.rejected} rejected)${rate > 0 ? `, ${rate.toFixed(1)}/s` : ''}`, done === p.total);
    },
  });
  bar.done();
  for (const r of result.rejections) ctx.stderr.write(`rejected ${r.file}: ${r.message}\n`);
  ctx.print(
    `uploaded ${result.stored} new, skipped ${result.skipped} already uploaded, ${result.duplicates} duplicates, ${result.rejected} rejected (${result.total} images in ${result.categories.length} classes)`,
  );
  return result.rejected > 0 ? EXIT.PARTIAL : EXIT.OK;
}
