import { apiFetch, ApiError, modelPath, problemText } from '../api.js';
import { knownImages } from './known-images.js';
import { sha256Hex } from './sha256.js';

/**
 * Uploads files into a model's classes, one file per request so each gets its own verdict as soon as it has one.
 * Resumable like the CLI: files whose content the class already has are skipped without being sent. `items` are
 * `{file, path, category}`; each is updated in place (`status`, `message`) and passed to `onUpdate`.
 *
 * Statuses: queued → hashing → skipped | uploading → stored | duplicate | rejected | failed (the request itself
 * failed: network, 4xx/5xx for the whole call).
 */
const MAX_ATTEMPTS = 5;

export async function uploadFiles(modelId, items, { onUpdate = () => {}, concurrency = 3, signal } = {}) {
  const set = (item, status, message) => {
    item.status = status;
    item.message = message;
    onUpdate(item);
  };
  for (const item of items) set(item, 'queued');
  const known = await knownImages(modelId);
  const pending = [];
  for (const item of items) {
    if (signal?.aborted) return;
    set(item, 'hashing');
    item.sha256 = await sha256Hex(await item.file.arrayBuffer());
    if (known.has(`${item.category}\u0000${item.sha256}`)) set(item, 'skipped', 'already uploaded');
    else {
      set(item, 'queued');
      pending.push(item);
    }
  }
  let next = 0;
  const worker = async () => {
    while (next < pending.length && !signal?.aborted) {
      const item = pending[next++];
      for (let attempt = 1; ; attempt++) {
        set(item, 'uploading');
        const form = new FormData();
        form.append('category', item.category);
        form.append('file', item.file, item.file.name);
        try {
          const res = await apiFetch(`${modelPath(modelId)}/images`, { method: 'POST', body: form, signal });
          verdict(item, (await res.json()).results[0], set);
        } catch (err) {
          // Rate limited or busy (429/503 with Retry-After): wait as asked and send the file again.
          if (err instanceof ApiError && (err.status === 429 || err.status === 503) && attempt < MAX_ATTEMPTS && !signal?.aborted) {
            const wait = err.retryAfterSeconds ?? 2 ** attempt;
            set(item, 'queued', `server busy, retrying in ${wait} s`);
            await new Promise((r) => setTimeout(r, wait * 1000));
            continue;
          }
          // A file refused on its own is a 400 that still carries its per-file result.
          if (err instanceof ApiError && err.problem?.results?.[0]) verdict(item, err.problem.results[0], set);
          else if (!signal?.aborted) set(item, 'failed', problemText(err));
        }
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, pending.length) }, worker));
}

/**
 * Image URLs into one class: the server fetches them (with its address policy and size cap) and answers per URL.
 * Sent in small groups so one slow server does not hold every verdict.
 */
export async function uploadUrls(modelId, category, urls, { onUpdate = () => {}, groupSize = 10 } = {}) {
  const items = urls.map((url) => ({ path: url, category, status: 'queued' }));
  items.forEach(onUpdate);
  const set = (item, status, message) => {
    item.status = status;
    item.message = message;
    onUpdate(item);
  };
  for (let i = 0; i < items.length; i += groupSize) {
    const group = items.slice(i, i + groupSize);
    group.forEach((item) => set(item, 'uploading'));
    let results;
    try {
      const res = await apiFetch(`${modelPath(modelId)}/images`, {
        method: 'POST',
        body: JSON.stringify({ category, urls: group.map((g) => g.path) }),
        headers: { 'content-type': 'application/json' },
      });
      results = (await res.json()).results;
    } catch (err) {
      results = err instanceof ApiError ? err.problem?.results : undefined;
      if (!results) {
        group.forEach((item) => set(item, 'failed', problemText(err)));
        continue;
      }
    }
    for (const item of group) {
      const r = results.find((x) => x.file === item.path);
      if (r) verdict(item, r, set);
      else set(item, 'failed', 'no result for this URL');
    }
  }
  return items;
}

function verdict(item, result, set) {
  const message = result.status === 'duplicate' ? result.message ?? `already in ${result.category}` : result.message;
  set(item, result.status, message);
}
