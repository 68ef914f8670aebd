/** The methods semi-probe.ts compares (development only). */
import { DEFAULT_HEAD_CONFIG, type HeadConfig } from '../../packages/ml/src/heads/types';
import { deriveSeed } from '../../packages/ml/src/random';
import { fitFeatureHead, predictWithTta, type FeatureHeadRecipe, type ImageFeatureSet } from '../../packages/ml/src/selection/feature-head-candidate';
import { selectRows } from '../../packages/ml/src/heads/matrix';
import { cosineNeighbours, unitRows } from '../../packages/ml/src/neighbours/cosine-neighbours';
import { spreadLabels } from '../../packages/ml/src/semi/label-spreading';
import { fitStandardizer, applyStandardizer } from '../../packages/ml/src/heads/standardizer';

const LR: HeadConfig = { ...DEFAULT_HEAD_CONFIG, kind: 'logistic', learningRate: 1e-2, batchSize: 512, epochs: 25, patience: 0, validationFraction: 0, labelSmoothing: 0, l2: 1e-2 };

interface Ctx {
  sets: ImageFeatureSet[];
  labels: Int32Array;
  L: number[];
  U: number[];
  V: number[];
  seed: number;
  methods: string;
}

const C = 10;
function acc(p: Float32Array, rows: number[], labels: Int32Array): number {
  let hit = 0;
  rows.forEach((r, i) => {
    let b = 0;
    for (let c = 1; c < C; c++) if (p[i * C + c] > p[i * C + b]) b = c;
    if (b === labels[r]) hit++;
  });
  return hit / rows.length;
}
const argmax = (p: Float32Array, i: number) => {
  let b = 0;
  for (let c = 1; c < C; c++) if (p[i * C + c] > p[i * C + b]) b = c;
  return b;
};

/** Class-balanced confident selection: the top `frac` of each predicted class by confidence. */
function selectPseudo(p: Float32Array, U: number[], frac: number): Array<{ row: number; label: number; conf: number }> {
  const byClass: Array<Array<{ row: number; label: number; conf: number }>> = Array.from({ length: C }, () => []);
  U.forEach((r, i) => {
    const l = argmax(p, i);
    byClass[l].push({ row: r, label: l, conf: p[i * C + l] });
  });
  const per = Math.round((frac * U.length) / C);
  return byClass.flatMap((l) => l.sort((a, b) => b.conf - a.conf).slice(0, per));
}

export async function runMethods(ctx: Ctx) {
  const { sets, labels, L, U, V, seed } = ctx;
  const recipe = (set: ImageFeatureSet, head = LR): FeatureHeadRecipe => ({ featureSet: set.name, head, trainViews: 2, ttaViews: 2 });
  const results = new Map<string, Float32Array[]>();
  const put = (m: string, p: Float32Array) => results.set(m, [...(results.get(m) ?? []), p]);
  const methods = ctx.methods.split(',');
  for (const set of sets) {
    const t = performance.now();
    const sup = await fitFeatureHead(recipe(set), set, labels, L, C, deriveSeed(seed, 'sup'));
    const pV = predictWithTta(sup, set, V, 2);
    const pU = predictWithTta(sup, set, U, 2);
    put('sup', pV);
    console.log(`${set.name} sup: val ${(acc(pV, V, labels) * 100).toFixed(2)}%, U ${(acc(pU, U, labels) * 100).toFixed(2)}% (${((performance.now() - t) / 1000).toFixed(0)} s)`);
    for (const m of methods) {
      const sched = m === 'st' ? [0.5] : m === 'st2' ? [0.4, 0.8] : m === 'st3' ? [0.33, 0.66, 1] : m === 'stall' ? [1] : m === 'st2all' ? [0.5, 1] : undefined;
      if (m === 'oracle') {
        const h = await fitFeatureHead(recipe(set), set, labels, [...L, ...U], C, deriveSeed(seed, 'oracle'));
        const p = predictWithTta(h, set, V, 2);
        console.log(`  oracle (true labels on U): val ${(acc(p, V, labels) * 100).toFixed(2)}%`);
        put(m, p);
      }
      if (m.startsWith('lp')) {
        const kNb = Number(m.slice(2) || 10);
        const t1 = performance.now();
        const LU = [...L, ...U];
        const raw = selectRows(set.views[0], LU);
        const z = unitRows(applyStandardizer(raw, fitStandardizer(raw)));
        const g = await cosineNeighbours(z, z, kNb, { excludeSelf: true });
        const f = spreadLabels(g, LU.length, L.map((r, i) => ({ row: i, label: labels[r] })), C);
        const fU = f.subarray(L.length * C);
        console.log(`  ${m}: spread accuracy on U ${(acc(fU, U, labels) * 100).toFixed(2)}% (${((performance.now() - t1) / 1000).toFixed(0)} s)`);
        // Combine with the head's U predictions, then self-train on the combination.
        const comb = new Float32Array(fU.length);
        for (let i = 0; i < comb.length; i++) comb[i] = 0.5 * fU[i] + 0.5 * pU[i];
        console.log(`  ${m}: spread+head on U ${(acc(comb, U, labels) * 100).toFixed(2)}%`);
        for (const [name, src] of [['lp', fU], ['lp+head', comb]] as const) {
          for (const frac of [0.5, 1]) {
            const pseudo = selectPseudo(src, U, frac);
            const y = Int32Array.from(labels);
            let right = 0;
            for (const x of pseudo) { if (y[x.row] === x.label) right++; y[x.row] = x.label; }
            const h = await fitFeatureHead(recipe(set), set, y, [...L, ...pseudo.map((x) => x.row)], C, deriveSeed(seed, `lp${frac}`));
            const p = predictWithTta(h, set, V, 2);
            console.log(`  ${m} ${name} frac ${frac}: ${pseudo.length} pseudo (${((right / pseudo.length) * 100).toFixed(1)}% right), val ${(acc(p, V, labels) * 100).toFixed(2)}%`);
            put(`${m}-${name}-${frac}`, p);
          }
        }
      }
      if (!sched) continue;
      let p = pU;
      let head = sup;
      for (const [round, frac] of sched.entries()) {
        const pseudo = selectPseudo(p, U, frac);
        const y = Int32Array.from(labels);
        let right = 0;
        for (const x of pseudo) {
          if (y[x.row] === x.label) right++;
          y[x.row] = x.label;
        }
        head = await fitFeatureHead(recipe(set), set, y, [...L, ...pseudo.map((x) => x.row)], C, deriveSeed(seed, `st${round}`));
        p = predictWithTta(head, set, U, 2);
        console.log(`  ${m} round ${round + 1}: ${pseudo.length} pseudo (${((right / pseudo.length) * 100).toFixed(1)}% right), val ${(acc(predictWithTta(head, set, V, 2), V, labels) * 100).toFixed(2)}%`);
      }
      put(m, predictWithTta(head, set, V, 2));
    }
  }
  if (sets.length > 1 && methods.some((m) => m.startsWith('ens'))) {
    const supU: Float32Array[] = [];
    for (const set of sets) {
      const h = await fitFeatureHead(recipe(set), set, labels, L, C, deriveSeed(seed, 'sup'));
      supU.push(predictWithTta(h, set, U, 2));
    }
    const teacher = new Float32Array(supU[0].length);
    for (const p of supU) p.forEach((v, i) => (teacher[i] += v / supU.length));
    console.log(`ensemble teacher on U: ${(acc(teacher, U, labels) * 100).toFixed(2)}%`);
    for (const m of methods.filter((x) => x.startsWith('ens'))) {
      const frac = Number(m.slice(3) || 50) / 100;
      const pseudo = selectPseudo(teacher, U, frac);
      const y = Int32Array.from(labels);
      let right = 0;
      for (const x of pseudo) { if (y[x.row] === x.label) right++; y[x.row] = x.label; }
      const outs: Float32Array[] = [];
      for (const set of sets) {
        const h = await fitFeatureHead(recipe(set), set, y, [...L, ...pseudo.map((x) => x.row)], C, deriveSeed(seed, `ens${frac}`));
        const p = predictWithTta(h, set, V, 2);
        console.log(`  ${m} student ${set.name}: val ${(acc(p, V, labels) * 100).toFixed(2)}%`);
        outs.push(p);
      }
      for (const p of outs) put(m, p);
      console.log(`  ${m}: ${pseudo.length} pseudo (${((right / pseudo.length) * 100).toFixed(1)}% right)`);
    }
  }
  if (sets.length > 1) {
    for (const [m, list] of results) {
      const avg = new Float32Array(list[0].length);
      for (const p of list) p.forEach((v, i) => (avg[i] += v / list.length));
      console.log(`ensemble of ${list.length} ${m}: val ${(acc(avg, V, labels) * 100).toFixed(2)}%`);
    }
  }
}
