import { safeFetch, UrlFetchError } from './safe-fetch';

export interface UrlFetchLimits {
  timeoutMs: number;
  maxBytes: number;
  allowPrivate: boolean;
}

export type FetchedImage = { url: string; name: string; bytes: Buffer; error?: undefined } | { url: string; name: string; bytes?: undefined; error: string };

/** Downloads image URLs a few at a time; each URL gets its own outcome (a failure never fails the others). */
export async function fetchImages(urls: string[], limits: UrlFetchLimits, concurrency = 4): Promise<FetchedImage[]> {
  const out: FetchedImage[] = new Array(urls.length);
  let next = 0;
  const worker = async () => {
    while (next < urls.length) {
      const i = next++;
      const url = urls[i]!;
      out[i] = await fetchOne(url, limits);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, urls.length) }, worker));
  return out;
}

async function fetchOne(url: string, limits: UrlFetchLimits): Promise<FetchedImage> {
  const name = url;
  try {
    const res = await safeFetch(url, { ...limits, method: 'GET' });
    if (res.status !== 200) return { url, name, error: `download failed: HTTP ${res.status}` };
    return { url, name, bytes: res.body };
  } catch (err) {
    if (err instanceof UrlFetchError) return { url, name, error: `download failed: ${err.message}` };
    throw err;
  }
}
