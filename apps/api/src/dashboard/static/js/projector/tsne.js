import { gaussian, rng } from './linalg.js';

/**
 * Each point's k nearest neighbours (k = 3·perplexity, as in Barnes–Hut SNE: farther points get negligible input
 * affinity) with their squared distances. Exact search: n²·d/2 work, fine for a few thousand points.
 */
function nearestNeighbours(data, n, d, k) {
  const dist = new Float64Array(n * n);
  const d4 = d - (d % 4);
  for (let i = 0; i < n; i++) {
    const oi = i * d;
    for (let j = i + 1; j < n; j++) {
      const oj = j * d;
      // Four running sums: independent additions the engine can overlap (about twice as fast as one sum here).
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let t = 0;
      for (; t < d4; t += 4) {
        const a = data[oi + t] - data[oj + t];
        const b = data[oi + t + 1] - data[oj + t + 1];
        const c = data[oi + t + 2] - data[oj + t + 2];
        const e = data[oi + t + 3] - data[oj + t + 3];
        s0 += a * a;
        s1 += b * b;
        s2 += c * c;
        s3 += e * e;
      }
      for (; t < d; t++) {
        const a = data[oi + t] - data[oj + t];
        s0 += a * a;
      }
      const s = s0 + s1 + s2 + s3;
      dist[i * n + j] = s;
      dist[j * n + i] = s;
    }
  }
  // Per row, keep the k smallest by insertion into a sorted buffer: after the first rows fill it, most candidates
  // are rejected by one comparison, which beats sorting every row.
  const idx = new Int32Array(n * k);
  const d2 = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let size = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const v = dist[i * n + j];
      if (size === k && v >= d2[o + k - 1]) continue;
      let p = size < k ? size++ : k - 1;
      while (p > 0 && d2[o + p - 1] > v) {
        d2[o + p] = d2[o + p - 1];
        idx[o + p] = idx[o + p - 1];
        p--;
      }
      d2[o + p] = v;
      idx[o + p] = j;
    }
  }
  return { idx, d2 };
}

/**
 * Input affinities over the neighbour lists: for each point a Gaussian whose width is found by bisection so its
 * conditional distribution has the requested perplexity; then symmetrised, P = (P_j|i + P_i|j) / 2n, as a sparse
 * list of (i, j, p) with i < j.
 */
function affinities({ idx, d2 }, n, k, perplexity) {
  const cond = new Float64Array(n * k);
  const target = Math.log(perplexity);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    // Distances scaled by the row's mean so the starting beta suits any feature scale.
    let mean = 0;
    for (let m = 0; m < k; m++) mean += d2[o + m];
    mean = mean / k || 1;
    let beta = 1;
    let lo = -Infinity;
    let hi = Infinity;
    for (let step = 0; step < 100; step++) {
      let sum = 0;
      let weighted = 0;
      for (let m = 0; m < k; m++) {
        const v = Math.exp((-beta * d2[o + m]) / mean);
        cond[o + m] = v;
        sum += v;
        weighted += (v * d2[o + m]) / mean;
      }
      const entropy = sum > 0 ? Math.log(sum) + (beta * weighted) / sum : 0;
      const diff = entropy - target;
      if (Math.abs(diff) < 1e-5) break;
      if (diff > 0) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = lo === -Infinity ? beta / 2 : (beta + lo) / 2;
      }
    }
    let sum = 0;
    for (let m = 0; m < k; m++) sum += cond[o + m];
    for (let m = 0; m < k; m++) cond[o + m] = sum > 0 ? cond[o + m] / sum : 1 / k;
  }
  const pairs = new Map();
  for (let i = 0; i < n; i++) {
    for (let m = 0; m < k; m++) {
      const j = idx[i * k + m];
      const key = i < j ? i * n + j : j * n + i;
      pairs.set(key, (pairs.get(key) ?? 0) + cond[i * k + m] / (2 * n));
    }
  }
  const pi = new Int32Array(pairs.size);
  const pj = new Int32Array(pairs.size);
  const pv = new Float64Array(pairs.size);
  let c = 0;
  for (const [key, v] of pairs) {
    pi[c] = Math.floor(key / n);
    pj[c] = key % n;
    pv[c++] = v;
  }
  return { pi, pj, pv };
}

/** Repulsive forces Σ_j q_ij²·(y_i − y_j) over all pairs (unnormalised) and Z = Σ_{i≠j} q_ij, for 2 or 3 dims. */
function repulsion(y, n, dims, out) {
  out.fill(0);
  let z = 0;
  if (dims === 2) {
    for (let i = 0; i < n; i++) {
      const xi = y[2 * i];
      const yi = y[2 * i + 1];
      let fx = 0;
      let fy = 0;
      for (let j = i + 1; j < n; j++) {
        const dx = xi - y[2 * j];
        const dy = yi - y[2 * j + 1];
        const q = 1 / (1 + dx * dx + dy * dy);
        z += q;
        const r = q * q;
        fx += r * dx;
        fy += r * dy;
        out[2 * j] -= r * dx;
        out[2 * j + 1] -= r * dy;
      }
      out[2 * i] += fx;
      out[2 * i + 1] += fy;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const xi = y[3 * i];
      const yi = y[3 * i + 1];
      const wi = y[3 * i + 2];
      let fx = 0;
      let fy = 0;
      let fw = 0;
      for (let j = i + 1; j < n; j++) {
        const dx = xi - y[3 * j];
        const dy = yi - y[3 * j + 1];
        const dw = wi - y[3 * j + 2];
        const q = 1 / (1 + dx * dx + dy * dy + dw * dw);
        z += q;
        const r = q * q;
        fx += r * dx;
        fy += r * dy;
        fw += r * dw;
        out[3 * j] -= r * dx;
        out[3 * j + 1] -= r * dy;
        out[3 * j + 2] -= r * dw;
      }
      out[3 * i] += fx;
      out[3 * i + 1] += fy;
      out[3 * i + 2] += fw;
    }
  }
  return 2 * z;
}

/**
 * t-SNE (van der Maaten & Hinton, 2008) in 2 or 3 dimensions: sparse input affinities over 3·perplexity nearest
 * neighbours, exact O(n²) repulsion (a tight loop: ~1,000 points take seconds in a browser worker), early
 * exaggeration, momentum and per-parameter gains. Seeded, so a layout is reproducible. `onProgress(iteration, y)`
 * is called every `reportEvery` iterations.
 */
export function tsne(data, n, d, { dims = 2, perplexity = 30, iterations = 500, seed = 42, onProgress, reportEvery = 25 } = {}) {
  if (dims !== 2 && dims !== 3) throw new Error('t-SNE runs in 2 or 3 dimensions');
  if (n < 3) return new Float64Array(n * dims);
  const perp = Math.max(1.5, Math.min(perplexity, (n - 1) / 3));
  const k = Math.min(n - 1, Math.ceil(3 * perp));
  const { pi, pj, pv } = affinities(nearestNeighbours(data, n, d, k), n, k, perp);
  const random = rng(seed);
  const y = Float64Array.from({ length: n * dims }, () => gaussian(random) * 1e-4);
  const update = new Float64Array(n * dims);
  const gains = new Float64Array(n * dims).fill(1);
  const rep = new Float64Array(n * dims);
  const attr = new Float64Array(n * dims);
  const exaggerationEnd = Math.min(100, Math.floor(iterations / 4));
  const eta = Math.max(n / 12, 50);
  for (let it = 0; it < iterations; it++) {
    const exaggeration = it < exaggerationEnd ? 12 : 1;
    const momentum = it < exaggerationEnd ? 0.5 : 0.8;
    const z = repulsion(y, n, dims, rep);
    attr.fill(0);
    for (let e = 0; e < pv.length; e++) {
      const i = pi[e] * dims;
      const j = pj[e] * dims;
      let dd = 0;
      for (let t = 0; t < dims; t++) {
        const v = y[i + t] - y[j + t];
        dd += v * v;
      }
      const a = (exaggeration * pv[e]) / (1 + dd);
      for (let t = 0; t < dims; t++) {
        const v = a * (y[i + t] - y[j + t]);
        attr[i + t] += v;
        attr[j + t] -= v;
      }
    }
    for (let c = 0; c < y.length; c++) {
      const g = 4 * (attr[c] - rep[c] / z);
      // Gains grow where the gradient keeps pointing against the last step, shrink where it flips.
      gains[c] = Math.sign(g) !== Math.sign(update[c]) ? gains[c] + 0.2 : Math.max(gains[c] * 0.8, 0.01);
      update[c] = momentum * update[c] - eta * gains[c] * g;
      y[c] += update[c];
    }
    // Keep the layout centred (the objective is translation invariant).
    for (let t = 0; t < dims; t++) {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += y[i * dims + t];
      mean /= n;
      for (let i = 0; i < n; i++) y[i * dims + t] -= mean;
    }
    if (onProgress && (it + 1) % reportEvery === 0 && it + 1 < iterations) onProgress(it + 1, y);
  }
  return y;
}
