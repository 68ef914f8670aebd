import { getJson, modelPath } from '../api.js';

/**
 * `category \0 sha256` of every image the model has, read page by page: what a resumed upload skips. The same key
 * as the CLI's (the same bytes under another class are still sent, and the API answers "duplicate" naming where).
 */
export async function knownImages(modelId) {
  const known = new Set();
  let cursor = '';
  for (;;) {
    const page = await getJson(`${modelPath(modelId)}/images?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    for (const img of page.images) known.add(`${img.category}\u0000${img.sha256}`);
    if (!page.nextCursor) return known;
    cursor = page.nextCursor;
  }
}
