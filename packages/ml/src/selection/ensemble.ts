import { argMaxRow } from '../evaluation/metrics';

/** What the ensemble step needs of an evaluated candidate. */
export interface Scored {
  name: string;
  cvAccuracy: number;
  cvLogLoss: number;
  /** Out-of-fold probabilities (images x classes). */
  oof: Float32Array;
  /** Prediction cost: members sharing a `group` (one backbone pass) pay its `cost` once. */
  predictCost?: { group: string; cost: number };
}

export interface EnsembleRule {
  rule: 'greedy' | 'near-best';
  maxMembers: number;
  /** Accuracy margin of 'near-best' (fraction); default 0.03. */
  margin?: number;
  /** Most prediction cost the ensemble may add up to (sum over distinct groups); the best candidate always enters. */
  maxPredictCost?: number;
}

export function scoreOof(oof: Float32Array, labels: Int32Array, c: number, rows?: readonly number[]): { accuracy: number; logLoss: number } {
  let hits = 0;
  let ll = 0;
  const n = rows ? rows.length : labels.length;
  for (let j = 0; j < n; j++) {
    const i = rows ? rows[j] : j;
    if (argMaxRow(oof, i, c) === labels[i]) hits++;
    ll -= Math.log(Math.max(oof[i * c + labels[i]], 1e-7));
  }
  return { accuracy: hits / Math.max(n, 1), logLoss: ll / Math.max(n, 1) };
}

const better = (a: { accuracy: number; logLoss: number }, b: { accuracy: number; logLoss: number }) =>
  a.accuracy > b.accuracy + 1e-9 || (Math.abs(a.accuracy - b.accuracy) <= 1e-9 && a.logLoss < b.logLoss);

export function averageOof(list: Float32Array[]): Float32Array {
  const out = new Float32Array(list[0].length);
  for (const p of list) for (let i = 0; i < out.length; i++) out[i] += p[i] / list.length;
  return out;
}

function cost(members: readonly Scored[]): number {
  const groups = new Map<string, number>();
  // Members of one group share a pass (a fine-tuned top's graph also computes the frozen layers heads read): the
  // group costs what its most expensive member needs.
  for (const m of members) if (m.predictCost) groups.set(m.predictCost.group, Math.max(groups.get(m.predictCost.group) ?? 0, m.predictCost.cost));
  return [...groups.values()].reduce((a, b) => a + b, 0);
}

/**
 * Chooses the members from candidates' out-of-fold predictions, judged on `rows` only (all images by default; a
 * subset when the choice itself is being cross-validated). Returns member names best first.
 *
 * 'greedy': forward selection without replacement, adding the candidate that most improves the averaged
 * predictions' accuracy (ties: log-loss) while it improves, within the member and prediction-cost caps.
 * 'near-best': every candidate within `margin` of the best, averaged.
 */
export function chooseEnsemble(candidates: readonly Scored[], labels: Int32Array, c: number, rule: EnsembleRule, rows?: readonly number[]): string[] {
  const scored = candidates.map((r) => ({ r, s: scoreOof(r.oof, labels, c, rows) }));
  const ranked = scored.sort((a, b) => (better(a.s, b.s) ? -1 : better(b.s, a.s) ? 1 : 0));
  const maxCost = rule.maxPredictCost ?? Infinity;
  if (rule.rule === 'near-best') {
    const margin = rule.margin ?? 0.03;
    const chosen: Scored[] = [];
    for (const x of ranked) {
      if (chosen.length >= Math.max(1, rule.maxMembers) || x.s.accuracy < ranked[0].s.accuracy - margin - 1e-9) break;
      if (chosen.length && cost([...chosen, x.r]) > maxCost) continue;
      chosen.push(x.r);
    }
    return chosen.map((m) => m.name);
  }
  const chosen: Scored[] = [ranked[0].r];
  const sum = Float32Array.from(ranked[0].r.oof);
  let best = ranked[0].s;
  while (chosen.length < Math.min(rule.maxMembers, ranked.length)) {
    let step: { r: Scored; score: { accuracy: number; logLoss: number } } | undefined;
    const m = chosen.length + 1;
    for (const { r } of ranked) {
      if (chosen.includes(r) || cost([...chosen, r]) > maxCost) continue;
      const avg = new Float32Array(sum.length);
      for (let i = 0; i < avg.length; i++) avg[i] = (sum[i] + r.oof[i]) / m;
      const score = scoreOof(avg, labels, c, rows);
      if (better(score, step?.score ?? best)) step = { r, score };
    }
    if (!step) break;
    chosen.push(step.r);
    for (let i = 0; i < sum.length; i++) sum[i] += step.r.oof[i];
    best = step.score;
  }
  return chosen.map((m) => m.name);
}

/**
 * An estimate of the chosen model's accuracy that the choice did not see: for each fold f, the ensemble is chosen
 * again on the other folds' images only and scores fold f's images (their out-of-fold predictions come from models
 * that did not train on them). The score the choice maximised on all images is optimistic by construction (0.4-2.1
 * points on bench:accuracy); this one is not. Returns per-image probabilities of the fold-wise choices.
 */
export function selectionAwareOof(candidates: readonly Scored[], labels: Int32Array, c: number, rule: EnsembleRule, folds: Int32Array, k: number): Float32Array {
  const byName = new Map(candidates.map((r) => [r.name, r]));
  const out = new Float32Array(labels.length * c);
  for (let f = 0; f < k; f++) {
    const inner: number[] = [];
    const held: number[] = [];
    for (let i = 0; i < labels.length; i++) (folds[i] === f ? held : inner).push(i);
    const members = chooseEnsemble(candidates, labels, c, rule, inner).map((n) => byName.get(n)!);
    for (const i of held) for (let j = 0; j < c; j++) out[i * c + j] = members.reduce((s, m) => s + m.oof[i * c + j], 0) / members.length;
  }
  return out;
}
