/** Small dense linear algebra on row-major Float64Arrays, enough for PCA and projections of ~1,000 x ~1,000. */

export function centerRows(data, n, d) {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k] += data[i * d + k];
  for (let k = 0; k < d; k++) mean[k] /= n || 1;
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) x[i * d + k] = data[i * d + k] - mean[k];
  return { x, mean };
}

/** Mean of the rows whose index is in `rows`. */
export function centroid(data, d, rows) {
  const c = new Float64Array(d);
  for (const i of rows) for (let k = 0; k < d; k++) c[k] += data[i * d + k];
  for (let k = 0; k < d; k++) c[k] /= rows.length || 1;
  return c;
}

export function dot(a, b) {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
}

export function normalize(v) {
  const len = Math.sqrt(dot(v, v));
  if (len > 0) for (let k = 0; k < v.length; k++) v[k] /= len;
  return len;
}

/** Gram–Schmidt on the columns of q (d x k, column j at q[j]); each column is a Float64Array(d). */
export function orthonormalize(cols) {
  for (let j = 0; j < cols.length; j++) {
    for (let i = 0; i < j; i++) {
      const p = dot(cols[j], cols[i]);
      for (let k = 0; k < cols[j].length; k++) cols[j][k] -= p * cols[i][k];
    }
    if (normalize(cols[j]) === 0) cols[j][j % cols[j].length] = 1;
  }
}

/** Eigen-decomposition of a small symmetric matrix (k x k, array of rows) by cyclic Jacobi rotations. */
export function symmetricEigen(a) {
  const k = a.length;
  const m = a.map((r) => Float64Array.from(r));
  const v = Array.from({ length: k }, (_, i) => Float64Array.from({ length: k }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < k; p++) for (let q = p + 1; q < k; q++) off += m[p][q] * m[p][q];
    if (off < 1e-22) break;
    for (let p = 0; p < k; p++) {
      for (let q = p + 1; q < k; q++) {
        if (Math.abs(m[p][q]) < 1e-300) continue;
        const theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < k; r++) {
          const mrp = m[r][p];
          const mrq = m[r][q];
          m[r][p] = c * mrp - s * mrq;
          m[r][q] = s * mrp + c * mrq;
        }
        for (let r = 0; r < k; r++) {
          const mpr = m[p][r];
          const mqr = m[q][r];
          m[p][r] = c * mpr - s * mqr;
          m[q][r] = s * mpr + c * mqr;
        }
        for (let r = 0; r < k; r++) {
          const vrp = v[r][p];
          const vrq = v[r][q];
          v[r][p] = c * vrp - s * vrq;
          v[r][q] = s * vrp + c * vrq;
        }
      }
    }
  }
  const values = m.map((r, i) => r[i]);
  const order = values.map((_, i) => i).sort((i, j) => values[j] - values[i]);
  return { values: order.map((i) => values[i]), vectors: order.map((i) => Float64Array.from(v, (row) => row[i])) };
}

/** A seeded PRNG (mulberry32), so projections and t-SNE layouts are reproducible. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussian(random) {
  let u = 0;
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
