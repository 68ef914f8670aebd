/** Left-aligned columns separated by two spaces; numbers are whatever string the caller formatted. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function percent(p: number | undefined | null): string {
  return p == null ? '-' : `${(p * 100).toFixed(1)}%`;
}
