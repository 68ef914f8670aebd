import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isPublicAddress } from './address-policy';

export interface SafeFetchOptions {
  timeoutMs: number;
  maxBytes: number;
  allowPrivate: boolean;
  maxRedirects?: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface SafeFetchResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  finalUrl: string;
}

export class UrlFetchError extends Error {
  override name = 'UrlFetchError';
}

/**
 * Fetches a user-supplied URL with a deadline, a size cap and an address policy enforced at connect time (the
 * resolved address is checked inside the socket's DNS lookup, so DNS rebinding between check and connect cannot
 * slip through). Redirects are followed by hand, each hop re-checked.
 */
export async function safeFetch(rawUrl: string, opts: SafeFetchOptions): Promise<SafeFetchResult> {
  const deadline = Date.now() + opts.timeoutMs;
  let url = parseHttpUrl(rawUrl);
  for (let hop = 0; hop <= (opts.maxRedirects ?? 5); hop++) {
    const res = await request(url, opts, deadline);
    if (res.status >= 300 && res.status < 400 && res.headers.location && (opts.method ?? 'GET') === 'GET') {
      url = parseHttpUrl(new URL(res.headers.location, url).toString());
      continue;
    }
    return { ...res, finalUrl: url.toString() };
  }
  throw new UrlFetchError('too many redirects');
}

function parseHttpUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UrlFetchError(`not a valid URL: ${raw.slice(0, 200)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UrlFetchError(`only http and https URLs are allowed`);
  if (url.username || url.password) throw new UrlFetchError('URLs with credentials are not allowed');
  return url;
}

function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as dns.LookupAddress[];
      const bad = list.find((a) => !allowPrivate && !isPublicAddress(a.address));
      if (bad) {
        return callback(new UrlFetchError(`refusing to fetch from a private or local address (${bad.address})`), '', 0);
      }
      // With `all`, the caller (net.connect's autoSelectFamily) wants the whole list; LookupFunction's type has only
      // the single-address form.
      if ((options as dns.LookupOptions).all) return (callback as unknown as (e: null, all: dns.LookupAddress[]) => void)(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

function request(url: URL, opts: SafeFetchOptions, deadline: number): Promise<Omit<SafeFetchResult, 'finalUrl'>> {
  const remaining = deadline - Date.now();
  if (remaining <= 0) return Promise.reject(new UrlFetchError('timed out'));
  // An IP literal never goes through lookup, so check it here.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!opts.allowPrivate && /^[\d.]+$|:/.test(host) && !isPublicAddress(host)) {
    return Promise.reject(new UrlFetchError(`refusing to fetch from a private or local address (${host})`));
  }
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      url,
      {
        method: opts.method ?? 'GET',
        headers: { 'user-agent': 'Tailor/0.1', ...opts.headers },
        lookup: guardedLookup(opts.allowPrivate),
        signal: AbortSignal.timeout(remaining),
      },
      (res) => {
        const declared = Number(res.headers['content-length'] ?? 0);
        if (declared > opts.maxBytes) {
          res.destroy();
          return reject(new UrlFetchError(`response larger than ${opts.maxBytes} bytes`));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > opts.maxBytes) {
            res.destroy();
            reject(new UrlFetchError(`response larger than ${opts.maxBytes} bytes`));
          } else chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', (e) => reject(wrap(e)));
      },
    );
    req.on('error', (e) => reject(wrap(e)));
    req.end(opts.body);
  });
}

function wrap(e: Error): Error {
  if (e instanceof UrlFetchError) return e;
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return new UrlFetchError('timed out');
  return new UrlFetchError(e.message);
}
