import type { z } from 'zod';
import { TailorApiError, TailorConnectionError, TailorResponseError } from './errors';

export interface HttpOptions {
  url: string;
  apiKey?: string;
  /** Per-request limit for ordinary calls (not event streams). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  userAgent?: string;
}

export interface RequestSpec {
  method: string;
  path: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  form?: FormData;
  signal?: AbortSignal;
  /** No timeout: for long-lived responses such as event streams. */
  stream?: boolean;
  /** No timeout, JSON or binary response: big uploads and downloads (dataset zips) take as long as they take. */
  untimed?: boolean;
}

/** The transport: Basic auth (key as user name, empty password, as NanoNets clients send), errors mapped to classes. */
export class Http {
  private readonly fetchImpl: typeof fetch;
  constructor(readonly options: HttpOptions) {
    this.fetchImpl = options.fetch ?? fetch;
  }

  urlFor(path: string, query?: RequestSpec['query']): string {
    const u = new URL(this.options.url.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  async raw(spec: RequestSpec): Promise<Response> {
    const headers: Record<string, string> = { accept: spec.stream ? 'text/event-stream' : 'application/json', 'user-agent': this.options.userAgent ?? 'tailor-client' };
    if (this.options.apiKey) headers.authorization = 'Basic ' + Buffer.from(`${this.options.apiKey}:`).toString('base64');
    let body: RequestInit['body'];
    if (spec.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.json);
    } else if (spec.form) body = spec.form;
    const signals = [spec.signal, spec.stream || spec.untimed ? undefined : AbortSignal.timeout(this.options.timeoutMs ?? 120_000)].filter((s): s is AbortSignal => !!s);
    const url = this.urlFor(spec.path, spec.query);
    let res: Response;
    try {
      res = await this.fetchImpl(url, { method: spec.method, headers, body, signal: signals.length ? AbortSignal.any(signals) : undefined });
    } catch (err) {
      if ((err as Error)?.name === 'AbortError' && spec.signal?.aborted) throw err;
      throw new TailorConnectionError(this.options.url, err);
    }
    if (res.status >= 400) throw await apiError(res);
    return res;
  }

  /** A JSON call whose 2xx body is checked against `schema`; `ok` lists extra statuses that still carry that body (207). */
  async json<S extends z.ZodType>(spec: RequestSpec, schema: S): Promise<z.output<S>> {
    const res = await this.raw(spec);
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      throw new TailorResponseError(`${spec.method} ${spec.path}: expected JSON, got ${JSON.stringify(text.slice(0, 120))}`, text);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new TailorResponseError(`${spec.method} ${spec.path}: response does not match the contract (${first?.path.join('.') || 'body'}: ${first?.message})`, body);
    }
    return parsed.data;
  }

  async empty(spec: RequestSpec): Promise<void> {
    const res = await this.raw(spec);
    await res.arrayBuffer();
  }
}

/** Reads either error shape the server speaks: problem+json on /v1, the NanoNets envelope on /api/v2. */
/** What an error answer may hold: /v1's problem details (`detail`, `code`, `errors`) or v2's (`message`, `errors`). */
interface ErrorBody {
  detail?: unknown;
  code?: unknown;
  message?: unknown;
  requestId?: string;
  request_id?: string;
  errors?: Array<{ message?: string; reason?: string } | null>;
}

async function apiError(res: Response): Promise<TailorApiError> {
  const text = await res.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  const obj = body && typeof body === 'object' ? (body as ErrorBody) : undefined;
  const requestId: string | undefined = obj?.requestId ?? obj?.request_id ?? res.headers.get('x-request-id') ?? undefined;
  let message: string;
  let code: string;
  if (obj && typeof obj.detail === 'string') {
    message = obj.detail;
    code = String(obj.code ?? res.status);
    const extra = Array.isArray(obj.errors) ? obj.errors.map((e) => e?.message).filter((m) => m && m !== message) : [];
    if (extra.length) message += ` (${extra.join('; ')})`;
  } else if (obj && Array.isArray(obj.errors)) {
    message = obj.errors.map((e) => [e?.reason, e?.message].filter(Boolean).join(': ')).join('; ') || String(obj.message);
    code = String(obj.message ?? res.status);
  } else {
    message = typeof body === 'string' && body ? body.slice(0, 200) : res.statusText || `HTTP ${res.status}`;
    code = String(res.status);
  }
  return new TailorApiError(res.status, code, message, requestId, body);
}
