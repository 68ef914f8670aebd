import dns from 'node:dns';
import { isPublicAddress } from './address-policy';

/** How long a create request waits for DNS before giving the name the benefit of the doubt. */
const LOOKUP_TIMEOUT_MS = 3000;

/**
 * Why a URL that is being stored to be fetched later (a webhook) breaks the address policy, or undefined. Checked
 * when the URL is registered so the user hears at once; every delivery is checked again at connect time (safeFetch),
 * which is the real guard — a name that does not resolve now is accepted and judged then.
 */
export async function urlPolicyProblem(raw: string, opts: { allowPrivate: boolean }): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'url is not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'url must be http or https';
  if (url.username || url.password) return 'url must not carry credentials';
  if (opts.allowPrivate) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const refused = (address: string) => `url points to a private or local address (${address}); only public hosts may receive webhooks`;
  if (/^[\d.]+$|:/.test(host)) return isPublicAddress(host) ? undefined : refused(host);
  if (host === 'localhost' || host.endsWith('.localhost')) return refused(host);
  const addresses = await lookupAll(host);
  const bad = addresses.find((a) => !isPublicAddress(a));
  return bad ? refused(`${host} resolves to ${bad}`) : undefined;
}

function lookupAll(host: string): Promise<string[]> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve([]), LOOKUP_TIMEOUT_MS);
    dns.lookup(host, { all: true }, (err, list) => {
      clearTimeout(timer);
      resolve(err ? [] : list.map((a) => a.address));
    });
  });
}
