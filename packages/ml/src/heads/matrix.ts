/** A dense row-major float matrix: the currency between the embedder, the heads and the selection code. */
export interface FeatureMatrix {
  rows: number;
  dim: number;
  data: Float32Array;
}

export function matrixFromRows(rows: ArrayLike<number>[], dim = rows[0]?.length ?? 0): FeatureMatrix {
  const data = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    if (r.length !== dim) throw new Error(`row ${i} has ${r.length} values, expected ${dim}`);
    data.set(r, i * dim);
  });
  return { rows: rows.length, dim, data };
}

export function selectRows(m: FeatureMatrix, indices: ArrayLike<number>): FeatureMatrix {
  const data = new Float32Array(indices.length * m.dim);
  for (let i = 0; i < indices.length; i++) {
    const src = indices[i] * m.dim;
    data.set(m.data.subarray(src, src + m.dim), i * m.dim);
  }
  return { rows: indices.length, dim: m.dim, data };
}

export function row(m: FeatureMatrix, i: number): Float32Array {
  return m.data.subarray(i * m.dim, (i + 1) * m.dim);
}

/** Side-by-side concatenation (same rows): how several layers' features become one feature set. */
export function concatColumns(parts: FeatureMatrix[]): FeatureMatrix {
  if (parts.length === 1) return parts[0];
  const rows = parts[0].rows;
  const dim = parts.reduce((s, p) => s + p.dim, 0);
  const data = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    let off = r * dim;
    for (const p of parts) {
      if (p.rows !== rows) throw new Error('concatColumns: row counts differ');
      data.set(p.data.subarray(r * p.dim, (r + 1) * p.dim), off);
      off += p.dim;
    }
  }
  return { rows, dim, data };
}
