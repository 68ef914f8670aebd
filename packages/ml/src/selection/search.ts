import { argMaxRow } from '../evaluation/metrics';
import { createRng, deriveSeed } from '../heads/random';
import { stratifiedFolds } from '../heads/stratified-split';
import { BudgetExceeded, type SelectionCandidate } from './candidate';

export interface CandidateResult {
  name: string;
  description: Record<string, unknown>;
  cvAccuracy: number;
  cvLogLoss: number;
  seconds: number;
  /** Out-of-fold probabilities (images x classes). */
  oof: Float32Array;
}

export interface SearchOptions {
  labels: Int32Array;
  numClasses: number;
  seed: number;
  folds: number;
  /** Seconds for the whole search; the first candidate always completes, later ones are skipped or stopped. */
  budgetSeconds: number;
  /** Up to this many candidates may be averaged, chosen greedily by out-of-fold accuracy (1 = no ensembles). */
  maxEnsemble: number;
  signal?: AbortSignal;
  onCandidate?: (info: { index: number; total: number; name: string; phase: 'start' | 'done' | 'skipped'; result?: CandidateResult }) => void;
  onFold?: (info: { candidate: string; fold: number; k: number }) => void;
  now?: () => number;
}

export interface SearchResult {
  folds: Int32Array;
  k: number;
  results: CandidateResult[];
  skipped: string[];
  /** Names of the chosen members (one unless an ensemble won), best first. */
  chosen: string[];
  chosenAccuracy: number;
  /** Out-of-fold probabilities of the chosen model (the ensemble average when several). */
  chosenOof: Float32Array;
}

export function scoreOof(oof: Float32Array, labels: Int32Array, c: number): { accuracy: number; logLoss: number } {
  let hits = 0;
  let ll = 0;
  for (let i = 0; i < labels.length; i++) {
    if (argMaxRow(oof, i, c) === labels[i]) hits++;
    ll -= Math.log(Math.max(oof[i * c + labels[i]], 1e-7));
  }
  return { accuracy: hits / labels.length, logLoss: ll / labels.length };
}

const better = (a: { accuracy: number; logLoss: number }, b: { accuracy: number; logLoss: number }) =>
  a.accuracy > b.accuracy + 1e-9 || (Math.abs(a.accuracy - b.accuracy) <= 1e-9 && a.logLoss < b.logLoss);

/**
 * Cross-validates candidates in the given order (put the most promising first) on one shared stratified fold
 * assignment, within a time budget, then considers averaging several. Choice = highest out-of-fold accuracy, ties
 * broken by log-loss; each added ensemble member must improve on the ensemble without it.
 * Deterministic for the same data, candidates and seed (time only decides which candidates get evaluated).
 */
export async function searchCandidates(candidates: SelectionCandidate[], opts: SearchOptions): Promise<SearchResult> {
  const now = opts.now ?? (() => performance.now() / 1000);
  const start = now();
  const { labels, numClasses: c } = opts;
  const minPerClass = Math.min(...countPerClass(labels, c).filter((v) => v > 0));
  const k = Math.max(2, Math.min(opts.folds, minPerClass));
  const folds = stratifiedFolds(labels, k, createRng(deriveSeed(opts.seed, 'folds')));
  const results: CandidateResult[] = [];
  const skipped: string[] = [];
  let lastSeconds = 0;

  for (const [index, cand] of candidates.entries()) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
    const elapsed = now() - start;
    // Skip a candidate that would not fit, judged by its own estimate or else by the cost of the one before it.
    const expected = cand.estimateSeconds?.(k) ?? lastSeconds * 0.9;
    if (results.length > 0 && elapsed + expected > opts.budgetSeconds) {
      skipped.push(cand.name);
      opts.onCandidate?.({ index, total: candidates.length, name: cand.name, phase: 'skipped' });
      continue;
    }
    opts.onCandidate?.({ index, total: candidates.length, name: cand.name, phase: 'start' });
    const t0 = now();
    try {
      const oof = await cand.crossValidate({
        folds, k, seed: opts.seed, signal: opts.signal,
        onFold: (fold) => {
          opts.onFold?.({ candidate: cand.name, fold, k });
          const spent = now() - t0;
          const projected = now() - start + (spent / (fold + 1)) * (k - fold - 1);
          if (results.length > 0 && projected > opts.budgetSeconds * 1.05) throw new BudgetExceeded(cand.name);
        },
      });
      const s = scoreOof(oof, labels, c);
      const result: CandidateResult = { name: cand.name, description: cand.describe(), cvAccuracy: s.accuracy, cvLogLoss: s.logLoss, seconds: now() - t0, oof };
      lastSeconds = result.seconds;
      results.push(result);
      opts.onCandidate?.({ index, total: candidates.length, name: cand.name, phase: 'done', result });
    } catch (err) {
      if (!(err instanceof BudgetExceeded)) throw err;
      lastSeconds = now() - t0;
      skipped.push(cand.name);
      opts.onCandidate?.({ index, total: candidates.length, name: cand.name, phase: 'skipped' });
    }
  }
  if (!results.length) throw new Error('no candidate could be evaluated');

  const ranked = [...results].sort((a, b) => (better({ accuracy: a.cvAccuracy, logLoss: a.cvLogLoss }, { accuracy: b.cvAccuracy, logLoss: b.cvLogLoss }) ? -1 : better({ accuracy: b.cvAccuracy, logLoss: b.cvLogLoss }, { accuracy: a.cvAccuracy, logLoss: a.cvLogLoss }) ? 1 : 0));
  // Greedy forward selection (without replacement) over the evaluated candidates: add the one that most improves
  // the averaged out-of-fold predictions; stop when nothing improves. Diverse members (other feature sets / input
  // sizes) tend to be picked over near-copies of the best one.
  let chosen = [ranked[0].name];
  let chosenOof = ranked[0].oof;
  let bestScore = { accuracy: ranked[0].cvAccuracy, logLoss: ranked[0].cvLogLoss };
  while (chosen.length < Math.min(opts.maxEnsemble, ranked.length)) {
    let step: { name: string; oof: Float32Array; score: { accuracy: number; logLoss: number } } | undefined;
    for (const r of ranked) {
      if (chosen.includes(r.name)) continue;
      const m = chosen.length + 1;
      const avg = new Float32Array(chosenOof.length);
      for (let i = 0; i < avg.length; i++) avg[i] = (chosenOof[i] * (m - 1) + r.oof[i]) / m;
      const score = scoreOof(avg, labels, c);
      if (better(score, step?.score ?? bestScore)) step = { name: r.name, oof: avg, score };
    }
    if (!step) break;
    chosen = [...chosen, step.name];
    chosenOof = step.oof;
    bestScore = step.score;
  }
  return { folds, k, results, skipped, chosen, chosenAccuracy: bestScore.accuracy, chosenOof };
}

export function averageOof(list: Float32Array[]): Float32Array {
  const out = new Float32Array(list[0].length);
  for (const p of list) for (let i = 0; i < out.length; i++) out[i] += p[i] / list.length;
  return out;
}

function countPerClass(labels: Int32Array, c: number): number[] {
  const counts = new Array<number>(c).fill(0);
  labels.forEach((l) => counts[l]++);
  return counts;
}
