/** Balanced class weights n / (C * count_c); classes absent from the data get weight 0 (nothing to weigh). */
export function balancedClassWeights(labels: ArrayLike<number>, numClasses: number): Float32Array {
  const counts = new Float64Array(numClasses);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  const w = new Float32Array(numClasses);
  for (let c = 0; c < numClasses; c++) w[c] = counts[c] > 0 ? labels.length / (numClasses * counts[c]) : 0;
  return w;
}
