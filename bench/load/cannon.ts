import autocannon from 'autocannon';

export interface CellResult {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** Socket errors, timeouts and non-2xx answers. */
  errors: number;
  statuses: string;
}

/**
 * One load cell: autocannon's closed loop (each connection sends its next request when the last one is answered), for
 * `seconds`, cycling through `requests`.
 */
export async function runCell(url: string, connections: number, seconds: number, requests: autocannon.Request[]): Promise<CellResult> {
  const r = await autocannon({ url, connections, duration: seconds, timeout: 30, requests });
  const statuses = Object.entries(r.statusCodeStats ?? {})
    .map(([code, s]) => `${code}:${s.count}`)
    .join(' ');
  return {
    requests: r.requests.total,
    perSecond: r.requests.total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
    statuses,
  };
}
