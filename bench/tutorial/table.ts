import type { CnnEpochStats as EpochStats, CnnEvalResult as EvalResult } from '../../packages/ml/src/cnn';

export interface RunRecord {
  protocol: string;
  arch: string;
  seed: number;
  trainImages: number;
  epochs: number;
  augEpochs: number;
  batchSize: number;
  before?: EvalResult;
  after?: EvalResult;
  seconds: number;
  history: EpochStats[];
  /** Set while the run is still going (saved per epoch); absent on finished runs. */
  incomplete?: boolean;
}

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

function summarise(values: number[], fmt: (v: number) => string): string {
  if (values.length === 0) return '—';
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length === 1) return fmt(mean);
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
  return `${fmt(mean)} ± ${fmt(sd)}`;
}

/** Says so when a run was interrupted (its results.json was saved after its last finished epoch). */
function stoppedNote(g: RunRecord[]): string {
  const stopped = g.filter((r) => r.incomplete);
  return stopped.length ? ` (interrupted after epoch ${stopped.map((r) => r.history.length).join(', ')})` : '';
}

/** Markdown table, one row per (protocol, model); seeds of one protocol are shown as mean ± sd. */
export function formatTable(runs: RunRecord[], speed: Record<string, number>, testImages: number): string {
  const lines = [
    `Test set: ${testImages} official test images. Speed: training images/s at batch 256 (forward+backward+Adam).`,
    '',
    '| model | protocol | train images | epochs (+aug) | batch | seeds | test loss before aug | test acc before aug | test loss after aug | test acc after aug | train time | speed img/s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const groups = new Map<string, RunRecord[]>();
  for (const r of runs) groups.set(`${r.arch}|${r.protocol}`, [...(groups.get(`${r.arch}|${r.protocol}`) ?? []), r]);
  const sorted = [...groups.values()].sort((a, b) => a[0].arch.localeCompare(b[0].arch) || a[0].protocol.localeCompare(b[0].protocol));
  for (const g of sorted) {
    const r = g[0];
    const pick = (f: (x: RunRecord) => number | undefined) => g.map(f).filter((v): v is number => v !== undefined);
    lines.push(
      `| ${r.arch} | ${r.protocol}${stoppedNote(g)} | ${r.trainImages} | ${r.epochs} (+${r.augEpochs}) | ${r.batchSize} | ${g.map((x) => x.seed).join(',')} | ` +
        `${summarise(pick((x) => x.before?.loss), (v) => v.toFixed(4))} | ${summarise(pick((x) => x.before?.accuracy), pct)} | ` +
        `${summarise(pick((x) => x.after?.loss), (v) => v.toFixed(4))} | ${summarise(pick((x) => x.after?.accuracy), pct)} | ` +
        `${summarise(pick((x) => x.seconds), (v) => `${v.toFixed(0)} s`)} | ${speed[r.arch]?.toFixed(1) ?? '—'} |`,
    );
  }
  for (const a of Object.keys(speed).filter((a) => !runs.some((r) => r.arch === a))) {
    lines.push(`| ${a} | (speed only) | | | | | | | | | | ${speed[a].toFixed(1)} |`);
  }
  return lines.join('\n');
}
