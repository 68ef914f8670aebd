import { formatDuration } from '../format-duration';
import type { RunProgress } from '../../responses';
import { checkFlags, intFlag } from '../args';
import type { CommandContext } from '../context';
import { EXIT, ExitError, UsageError } from '../exit-codes';
import { percent } from '../format-table';
import { ProgressBar } from '../progress-bar';

export const trainUsage = `tailor train [--model ID] [--wait] [--seed N] [--time-budget SECONDS]
    Start a training run. Without --wait prints the run id and returns at once.
    With --wait shows live progress (phase, epoch, accuracy so far, ETA) on stderr and prints the outcome;
    exit 3 if the run failed or was canceled.`;

/** The search phase reports "cv accuracy 93.4%" per candidate; the best so far is what a user wants to see. */
export function accuracyFrom(message: string | null | undefined): number | undefined {
  const m = /accuracy\s+([\d.]+)%/i.exec(message ?? '');
  return m ? Number(m[1]) / 100 : undefined;
}

export function progressLabel(p: RunProgress, bestAccuracy: number | undefined): string {
  if (p.status === 'queued') return p.queuePosition ? `queued (position ${p.queuePosition + 1})` : 'queued';
  const parts = [p.phase];
  if (p.candidate) parts.push(p.candidate);
  if (p.epoch != null && p.epochs) parts.push(`epoch ${p.epoch}/${p.epochs}`);
  if (bestAccuracy !== undefined) parts.push(`accuracy ${percent(bestAccuracy)}`);
  if (p.etaSeconds != null) parts.push(`ETA ${formatDuration(p.etaSeconds)}`);
  return parts.join(' | ');
}

export async function trainCommand(ctx: CommandContext): Promise<number> {
  checkFlags(ctx.args, ['model', 'wait', 'seed', 'time-budget', 'json']);
  if (ctx.args.positionals.length > 1) throw new UsageError(trainUsage);
  const modelId = ctx.modelId();
  const client = ctx.client();
  const seed = intFlag(ctx.args, 'seed', 0);
  const budget = intFlag(ctx.args, 'time-budget', 5);
  const run = await client.train(modelId, { seed, settings: budget ? { timeBudgetSeconds: budget } : undefined });
  if (!ctx.args.flags.wait) {
    if (ctx.args.flags.json) ctx.print(JSON.stringify(run, null, 2));
    else {
      ctx.print(run.id);
      ctx.note(`training run ${run.id} ${run.status}; follow it with: tailor train --wait, or tailor state`);
    }
    return EXIT.OK;
  }
  ctx.note(`training run ${run.id} started (seed ${run.seed}, ${run.imageCount} images)`);
  const bar = new ProgressBar(ctx.stderr);
  let best: number | undefined;
  let lastPhase = '';
  // Ctrl-C stops following, not training: say so, and how to cancel, instead of dying mid-line.
  const stopFollowing = new AbortController();
  const onInterrupt = () => stopFollowing.abort();
  process.once('SIGINT', onInterrupt);
  let final;
  try {
    final = await client.waitForRun(
      modelId,
      run.id,
      (p) => {
        const acc = accuracyFrom(p.message);
        if (acc !== undefined) best = Math.max(best ?? 0, acc);
        if (!ctx.args.flags.quiet) bar.update(p.progress, progressLabel(p, best), p.phase !== lastPhase);
        lastPhase = p.phase;
      },
      stopFollowing.signal,
    );
  } catch (err) {
    if (!stopFollowing.signal.aborted) throw err;
    bar.done();
    throw new ExitError(
      EXIT.INTERRUPTED,
      `tailor: stopped following run ${run.id}; it goes on on the server (tailor state to check; cancel: POST /v1/models/${modelId}/runs/${run.id}/cancel)`,
    );
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
  bar.done();
  if (ctx.args.flags.json) ctx.print(JSON.stringify(final, null, 2));
  if (final.status !== 'succeeded') {
    throw new ExitError(EXIT.TRAINING_FAILED, `tailor: training ${final.status}${final.error ? `: ${final.error}` : ''} (run ${final.id})`);
  }
  const version = final.versionId ? (await client.listVersions(modelId)).find((v) => v.id === final.versionId) : undefined;
  const accuracy = typeof version?.metrics.accuracy === 'number' ? `, accuracy ${percent(version.metrics.accuracy)}` : '';
  const took = final.elapsedSeconds != null ? ` in ${formatDuration(final.elapsedSeconds)}` : '';
  if (!ctx.args.flags.json) ctx.print(`succeeded: version ${version?.number ?? '?'}${accuracy}${took} (run ${final.id})`);
  return EXIT.OK;
}
