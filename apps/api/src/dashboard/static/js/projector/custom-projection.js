import { centerRows, centroid, dot, normalize } from './linalg.js';
import { pca } from './pca.js';

/** A label search: `/regex/` or a case-insensitive substring. Returns the indices of matching points. */
export function searchLabels(labels, query) {
  const q = query.trim();
  if (!q) return [];
  let test;
  const re = /^\/(.+)\/([a-z]*)$/.exec(q);
  if (re) {
    try {
      const r = new RegExp(re[1], re[2].includes('i') ? re[2] : `${re[2]}i`);
      test = (s) => r.test(s);
    } catch {
      return [];
    }
  } else {
    const lower = q.toLowerCase();
    test = (s) => s.toLowerCase().includes(lower);
  }
  return labels.flatMap((l, i) => (test(l) ? [i] : []));
}

/**
 * TensorBoard's custom projection: the x axis runs from the centroid of the `left` matches to that of the `right`
 * matches. The y axis is the same for `up`/`down` when given (made orthogonal to x); otherwise it is the direction of
 * largest variance left once x is projected out, so the plot still spreads the points usefully.
 */
export function customProjection(data, n, d, labels, { left, right, up, down }) {
  const a = searchLabels(labels, left);
  const b = searchLabels(labels, right);
  if (!a.length || !b.length) throw new Error(`each search must match something (left: ${a.length}, right: ${b.length} points)`);
  const xAxis = centroid(data, d, b);
  const ca = centroid(data, d, a);
  for (let k = 0; k < d; k++) xAxis[k] -= ca[k];
  if (normalize(xAxis) === 0) throw new Error('the two searches have the same centroid');
  const { x } = centerRows(data, n, d);
  const coords = new Float64Array(n * 2);
  const px = new Float64Array(n);
  for (let i = 0; i < n; i++) px[i] = dot(x.subarray(i * d, (i + 1) * d), xAxis);
  let yAxis;
  const c = up ? searchLabels(labels, up) : [];
  const e = down ? searchLabels(labels, down) : [];
  if (c.length && e.length) {
    yAxis = centroid(data, d, c);
    const ce = centroid(data, d, e);
    for (let k = 0; k < d; k++) yAxis[k] -= ce[k];
    const overlap = dot(yAxis, xAxis);
    for (let k = 0; k < d; k++) yAxis[k] -= overlap * xAxis[k];
    if (normalize(yAxis) === 0) yAxis = undefined;
  }
  if (yAxis) {
    for (let i = 0; i < n; i++) coords[i * 2 + 1] = dot(x.subarray(i * d, (i + 1) * d), yAxis);
  } else {
    const residual = new Float64Array(n * d);
    for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) residual[i * d + k] = x[i * d + k] - px[i] * xAxis[k];
    const { coords: pc } = pca(residual, n, d, 1);
    for (let i = 0; i < n; i++) coords[i * 2 + 1] = pc[i];
  }
  for (let i = 0; i < n; i++) coords[i * 2] = px[i];
  return { coords, matched: { left: a.length, right: b.length, up: c.length, down: e.length }, yFromSearch: Boolean(yAxis) };
}
