import { createRng, deriveSeed } from '../random';
import { stratifiedFolds } from '../heads/stratified-split';
import type { SelectionCandidate } from './candidate';
import { averageOof, chooseEnsemble, scoreOof, selectionAwareOof, type EnsembleRule } from './ensemble';

export interface CandidateResult {
  name: string;
  description: Record<string, unknown>;
  cvAccuracy: number;
  cvLogLoss: number;
  seconds: number;
  /** Folds this candidate was cross-validated with. */
  k: number;
  /** Out-of-fold probabilities (images x classes). */
  oof: Float32Array;
  predictCost?: { group: string; cost: number };
}

export interface SearchOptions {
  labels: Int32Array;
  numClasses: number;
  seed: number;
  folds: number;
  ensemble: EnsembleRule;
  signal?: AbortSignal;
  onCandidate?: (info: { index: number; total: number; name: string; phase: 'start' | 'done'; result?: CandidateResult }) => void;
  onFold?: (info: { candidate: string; fold: number; k: number }) => void;
}

export interface SearchResult {
  folds: Int32Array;
  k: number;
  results: CandidateResult[];
  /** Names of the chosen members, best first. */
  chosen: string[];
  /** Out-of-fold accuracy of the chosen model: the score the choice maximised (optimistic). */
  chosenAccuracy: number;
  chosenOof: Float32Array;
  /** The choice cross-validated (see selectionAwareOof): an estimate the choice did not see. */
  estimateOof: Float32Array;
  estimateAccuracy: number;
}

/** One seeded stratified fold assignment per fold count (the same seed gives the same folds). */
export function foldAssignment(labels: Int32Array, numClasses: number, folds: number, seed: number): { folds: Int32Array; k: number } {
  const counts = new Array<number>(numClasses).fill(0);
  labels.forEach((l) => counts[l]++);
  const minPerClass = Math.min(...counts.filter((v) => v > 0));
  const k = Math.max(2, Math.min(folds, minPerClass));
  return { folds: stratifiedFolds(labels, k, createRng(deriveSeed(seed, k === 5 ? 'folds' : `folds:${k}`))), k };
}

/**
 * Cross-validates every candidate (the plan decided which, from a cost model, before any of them ran, so the result
 * does not depend on machine load), in order; candidates marked `alongside` run concurrently in other processes.
 * Then chooses the ensemble and estimates its accuracy with the choice cross-validated.
 */
export async function searchCandidates(candidates: SelectionCandidate[], opts: SearchOptions): Promise<SearchResult> {
  const { labels, numClasses: c } = opts;
  const main = foldAssignment(labels, c, opts.folds, opts.seed);
  const found: Array<{ index: number; result: CandidateResult }> = [];

  const evaluate = async (cand: SelectionCandidate, index: number): Promise<void> => {
    opts.onCandidate?.({ index, total: candidates.length, name: cand.name, phase: 'start' });
    const t0 = performance.now();
    const { folds, k } = cand.folds ? foldAssignment(labels, c, cand.folds, opts.seed) : main;
    const oof = await cand.crossValidate({ folds, k, seed: opts.seed, signal: opts.signal, onFold: (fold) => opts.onFold?.({ candidate: cand.name, fold, k }) });
    const s = scoreOof(oof, labels, c);
    const result: CandidateResult = {
      name: cand.name, description: cand.describe(), cvAccuracy: s.accuracy, cvLogLoss: s.logLoss,
      seconds: (performance.now() - t0) / 1000, k, oof, ...(cand.predictCost ? { predictCost: cand.predictCost } : {}),
    };
    found.push({ index, result });
    opts.onCandidate?.({ index, total: candidates.length, name: cand.name, phase: 'done', result });
  };

  const alongside = candidates.map((cand, i) => (cand.alongside ? evaluate(cand, i) : undefined)).filter((p) => p !== undefined);
  // Whatever happens in this process, never leave an alongside evaluation's rejection unobserved.
  const settled = Promise.allSettled(alongside);
  for (const [index, cand] of candidates.entries()) {
    if (cand.alongside) continue;
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
    await evaluate(cand, index);
  }
  for (const s of await settled) if (s.status === 'rejected') throw s.reason;
  const results = found.sort((a, b) => a.index - b.index).map((f) => f.result);
  if (!results.length) throw new Error('no candidate to evaluate');

  const chosen = chooseEnsemble(results, labels, c, opts.ensemble);
  const byName = new Map(results.map((r) => [r.name, r]));
  const chosenOof = averageOof(chosen.map((n) => byName.get(n)!.oof));
  const estimateOof = selectionAwareOof(results, labels, c, opts.ensemble, main.folds, main.k);
  return {
    folds: main.folds,
    k: main.k,
    results,
    chosen,
    chosenAccuracy: scoreOof(chosenOof, labels, c).accuracy,
    chosenOof,
    estimateOof,
    estimateAccuracy: scoreOof(estimateOof, labels, c).accuracy,
  };
}
