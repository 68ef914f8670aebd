/** The /v1 API as the dashboard uses it. The key lives in sessionStorage: gone when the tab closes. */
const KEY = 'tailor.apiKey';

export const getKey = () => sessionStorage.getItem(KEY);
export const setKey = (key) => sessionStorage.setItem(KEY, key);
export const clearKey = () => {
  sessionStorage.removeItem(KEY);
  for (const url of imageUrls.values()) url.then((u) => URL.revokeObjectURL(u), () => {});
  imageUrls.clear();
};

export class ApiError extends Error {
  constructor(status, problem, retryAfterSeconds) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    /** From Retry-After on 429/503: when the server will take the request again. */
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export async function apiFetch(path, init = {}) {
  // X-Requested-With asks the server to leave out its Basic challenge on 401, which would pop up the browser's own
  // password dialog instead of letting this page show its sign-in form.
  const headers = { authorization: `Bearer ${getKey()}`, 'x-requested-with': 'XMLHttpRequest', ...(init.headers ?? {}) };
  const res = await fetch(path, { ...init, headers });
  if (!res.ok) {
    let problem;
    try {
      problem = await res.json();
    } catch {
      problem = undefined;
    }
    if (res.status === 401) window.dispatchEvent(new CustomEvent('tailor:unauthorized'));
    const retryAfter = Number(res.headers.get('retry-after'));
    throw new ApiError(res.status, problem, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
  }
  return res;
}

export const getJson = async (path, init) => (await apiFetch(path, init)).json();

/** Image bytes need the Authorization header, so <img src> cannot fetch them: they become blob URLs, fetched once. */
const imageUrls = new Map();
export function imageUrl(modelId, imageId) {
  const k = `${modelId}/${imageId}`;
  let p = imageUrls.get(k);
  if (!p) {
    p = apiFetch(`/v1/models/${encodeURIComponent(modelId)}/images/${encodeURIComponent(imageId)}`)
      .then((r) => r.blob())
      .then((b) => URL.createObjectURL(b));
    p.catch(() => imageUrls.delete(k));
    imageUrls.set(k, p);
  }
  return p;
}

/**
 * Server-sent events over fetch (EventSource cannot send an Authorization header). Calls `onEvent(name, data)` per
 * event until the stream ends or `signal` aborts.
 */
export async function readEvents(path, onEvent, signal) {
  const res = await apiFetch(path, { signal, headers: { accept: 'text/event-stream' } });
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let cut;
    while ((cut = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length) onEvent(event, JSON.parse(data.join('\n')));
    }
  }
}

/** A JSON request (POST/PATCH…) answered with JSON, or nothing for 204. */
export async function sendJson(method, path, body) {
  const res = await apiFetch(path, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return res.status === 204 ? undefined : res.json();
}

/** The problem's detail lines as one sentence ("Invalid model definition: Duplicate categories: A"). */
export function problemText(err) {
  const lines = (err?.problem?.errors ?? []).map((e) => e.message).filter((m) => m && m !== err.message);
  return [err?.message ?? String(err), ...lines].join(': ');
}

export const modelPath = (modelId) => `/v1/models/${encodeURIComponent(modelId)}`;
