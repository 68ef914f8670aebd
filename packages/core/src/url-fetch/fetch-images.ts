import { ServiceUnavailableError } from '../errors';
import type { ByteLease } from '../limits';
import { safeFetch, UrlFetchError } from './safe-fetch';

export interface UrlFetchLimits {
  timeoutMs: number;
  /** Per URL. */
  maxBytes: number;
  allowPrivate: boolean;
  /** Bytes all of one request's downloads may add up to; URLs past it fail one by one. */
  totalBytes?: number;
  /** The request's share of the process's in-flight byte budget: each download reserves its cap before it starts. */
  lease?: ByteLease;
}

export type FetchedImage = { url: string; name: string; bytes: Buffer; error?: undefined } | { url: string; name: string; bytes?: undefined; error: string };

/**
 * Downloads image URLs a few at a time; each URL gets its own outcome (a failure never fails the others). Memory is
 * bounded twice: the request's total (each download may use what the earlier ones left, reserved before it starts,
 * so concurrent downloads cannot overshoot it) and the process's in-flight budget (no room there: 503, retry later).
 */
export async function fetchImages(urls: string[], limits: UrlFetchLimits, concurrency = 4): Promise<FetchedImage[]> {
  const out: FetchedImage[] = new Array(urls.length);
  const total = limits.totalBytes ?? Infinity;
  let left = total;
  let inFlight = 0;
  let waiters: Array<() => void> = [];
  const oneSettled = () => new Promise<void>((resolve) => waiters.push(resolve));
  let next = 0;
  const worker = async () => {
    while (next < urls.length) {
      const i = next++;
      const url = urls[i]!;
      // Downloads in flight hold their whole cap until they finish and give back what they did not use.
      while (Math.min(limits.maxBytes, left) <= 0 && inFlight > 0) await oneSettled();
      const cap = Math.min(limits.maxBytes, left);
      if (cap <= 0) {
        out[i] = { url, name: url, error: `download skipped: this request's downloads reached their limit of ${total} bytes in total` };
        continue;
      }
      if (limits.lease && !limits.lease.reserve(cap)) {
        throw new ServiceUnavailableError('The server is holding as many downloaded and uploaded bytes as it may at once; try again shortly');
      }
      left -= cap;
      inFlight++;
      try {
        const got = await fetchOne(url, { ...limits, maxBytes: cap });
        // Cut short by what the earlier downloads left of the request's total, not by the per-URL limit.
        out[i] =
          got.error && cap < limits.maxBytes && /larger than/.test(got.error)
            ? { url, name: url, error: `download failed: over this request's download limit of ${total} bytes in total` }
            : got;
      } finally {
        const used = out[i]?.bytes?.length ?? 0;
        left += cap - used;
        limits.lease?.release(cap - used);
        inFlight--;
        const wake = waiters;
        waiters = [];
        for (const w of wake) w();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, urls.length) }, worker));
  return out;
}

async function fetchOne(url: string, limits: UrlFetchLimits): Promise<FetchedImage> {
  const name = url;
  try {
    const res = await safeFetch(url, { timeoutMs: limits.timeoutMs, maxBytes: limits.maxBytes, allowPrivate: limits.allowPrivate, method: 'GET' });
    if (res.status !== 200) return { url, name, error: `download failed: HTTP ${res.status}` };
    return { url, name, bytes: res.body };
  } catch (err) {
    if (err instanceof UrlFetchError) return { url, name, error: `download failed: ${err.message}` };
    throw err;
  }
}
