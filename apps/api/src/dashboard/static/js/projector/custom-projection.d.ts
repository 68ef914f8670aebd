/** Types for the browser module custom-projection.js (used by the Node tests). */
export function searchLabels(labels: string[], query: string): number[];
export function customProjection(
  data: ArrayLike<number>,
  n: number,
  d: number,
  labels: string[],
  searches: { left: string; right: string; up?: string; down?: string },
): { coords: Float64Array; matched: { left: number; right: number; up: number; down: number }; yFromSearch: boolean };
