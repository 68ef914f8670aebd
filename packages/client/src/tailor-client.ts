import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { v1 } from '@tailor/contracts';
import { configFromEnv } from './config';
import { TailorError, TailorResponseError } from './errors';
import { Http, type HttpOptions } from './http';
import * as r from './responses';
import { readServerSentEvents } from './sse';

/** An image to send: its bytes and the file name the server reports back. */
export interface FileInput {
  name: string;
  bytes: Uint8Array;
  type?: string;
}

export type ClientOptions = Partial<HttpOptions>;

const enc = encodeURIComponent;
const TERMINAL = new Set(['succeeded', 'failed', 'canceled']);

/** Reads a local file into a FileInput (content type from the extension; the server sniffs the bytes anyway). */
export async function fileFromPath(file: string): Promise<FileInput> {
  const ext = path.extname(file).slice(1).toLowerCase();
  const type = ({ jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', bmp: 'image/bmp' } as Record<string, string>)[ext];
  return { name: path.basename(file), bytes: await readFile(file), type };
}

function formWith(fields: Record<string, string>, files: FileInput[]): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  for (const f of files) fd.append('file', new Blob([new Uint8Array(f.bytes)], { type: f.type ?? 'application/octet-stream' }), f.name);
  return fd;
}

/**
 * The native /v1 API, typed. Every response is validated against the shared zod contracts, so a server that drifts
 * from them fails loudly here (TailorResponseError) instead of handing callers undefined fields.
 */
export class TailorClient {
  readonly http: Http;

  constructor(options: ClientOptions = {}) {
    const env = configFromEnv();
    this.http = new Http({ ...options, url: options.url ?? env.url, apiKey: options.apiKey ?? env.apiKey });
  }

  /** A client configured from TAILOR_URL / TAILOR_API_KEY (or NANONETS_API_KEY). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, options: Omit<ClientOptions, 'url' | 'apiKey'> = {}): TailorClient {
    const c = configFromEnv(env);
    return new TailorClient({ ...options, url: c.url, apiKey: c.apiKey });
  }

  get baseUrl(): string {
    return this.http.options.url;
  }

  // --- account and keys
  account(): Promise<r.Account> {
    return this.http.json({ method: 'GET', path: '/v1/account' }, r.accountView);
  }
  updateAccount(body: { name?: string; email?: string | null; notifyEmail?: boolean }): Promise<r.Account> {
    return this.http.json({ method: 'PATCH', path: '/v1/account', json: body }, r.accountView);
  }
  async listKeys(): Promise<r.ApiKey[]> {
    return (await this.http.json({ method: 'GET', path: '/v1/keys' }, r.keyList)).keys;
  }
  createKey(body: r.CreateKeyInput = {}): Promise<r.CreatedKey> {
    return this.http.json({ method: 'POST', path: '/v1/keys', json: v1.createKeyBody.parse(body) }, r.createdKey);
  }
  revokeKey(keyId: string): Promise<void> {
    return this.http.empty({ method: 'DELETE', path: `/v1/keys/${enc(keyId)}` });
  }

  // --- notifications
  /** Registers a webhook for the account (or one model); the signing secret is in the answer, once. */
  createWebhook(body: { url: string; modelId?: string; events?: r.WebhookEvent[] }): Promise<r.CreatedWebhook> {
    return this.http.json({ method: 'POST', path: '/v1/webhooks', json: body }, r.createdWebhook);
  }
  async listWebhooks(): Promise<r.Webhook[]> {
    return (await this.http.json({ method: 'GET', path: '/v1/webhooks' }, r.webhookList)).webhooks;
  }
  deleteWebhook(webhookId: string): Promise<void> {
    return this.http.empty({ method: 'DELETE', path: `/v1/webhooks/${enc(webhookId)}` });
  }
  async webhookDeliveries(webhookId: string): Promise<r.WebhookDelivery[]> {
    return (await this.http.json({ method: 'GET', path: `/v1/webhooks/${enc(webhookId)}/deliveries` }, r.deliveryList)).deliveries;
  }

  // --- models
  createModel(body: r.CreateModelInput): Promise<r.Model> {
    return this.http.json({ method: 'POST', path: '/v1/models', json: v1.createModelBody.parse(body) }, v1.modelView);
  }
  async listModels(): Promise<r.Model[]> {
    return (await this.http.json({ method: 'GET', path: '/v1/models' }, r.modelList)).models;
  }
  getModel(modelId: string): Promise<r.Model> {
    return this.http.json({ method: 'GET', path: `/v1/models/${enc(modelId)}` }, v1.modelView);
  }
  updateModel(modelId: string, body: r.UpdateModelInput): Promise<r.Model> {
    return this.http.json({ method: 'PATCH', path: `/v1/models/${enc(modelId)}`, json: v1.updateModelBody.parse(body) }, v1.modelView);
  }
  deleteModel(modelId: string): Promise<void> {
    return this.http.empty({ method: 'DELETE', path: `/v1/models/${enc(modelId)}` });
  }

  // --- images
  /** Uploads labelled images in one request. Per-file outcomes (stored / duplicate / rejected) are in `results`. */
  async uploadImages(modelId: string, category: string, files: FileInput[]): Promise<r.UploadResponse> {
    try {
      return await this.http.json({ method: 'POST', path: `/v1/models/${enc(modelId)}/images`, form: formWith({ category }, files) }, r.uploadResponse);
    } catch (err) {
      return uploadBodyOf(err);
    }
  }
  async uploadImageUrls(modelId: string, category: string, urls: string[]): Promise<r.UploadResponse> {
    try {
      return await this.http.json({ method: 'POST', path: `/v1/models/${enc(modelId)}/images`, json: { category, urls } }, r.uploadResponse);
    } catch (err) {
      return uploadBodyOf(err);
    }
  }
  listImages(modelId: string, query: { category?: string; limit?: number; cursor?: string } = {}): Promise<{ images: r.Image[]; nextCursor: string | null }> {
    return this.http.json({ method: 'GET', path: `/v1/models/${enc(modelId)}/images`, query }, r.imagePage);
  }
  /** Every image of a model, following the cursor. */
  async *allImages(modelId: string, query: { category?: string } = {}): AsyncGenerator<r.Image> {
    let cursor: string | undefined;
    do {
      const page = await this.listImages(modelId, { ...query, limit: 1000, cursor });
      yield* page.images;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  deleteImage(modelId: string, imageId: string): Promise<void> {
    return this.http.empty({ method: 'DELETE', path: `/v1/models/${enc(modelId)}/images/${enc(imageId)}` });
  }

  // --- training
  train(modelId: string, body: r.TrainInput = {}): Promise<r.Run> {
    return this.http.json({ method: 'POST', path: `/v1/models/${enc(modelId)}/train`, json: body }, v1.runView);
  }
  async listRuns(modelId: string): Promise<r.Run[]> {
    return (await this.http.json({ method: 'GET', path: `/v1/models/${enc(modelId)}/runs` }, r.runList)).runs;
  }
  getRun(modelId: string, runId: string): Promise<r.Run> {
    return this.http.json({ method: 'GET', path: `/v1/models/${enc(modelId)}/runs/${enc(runId)}` }, v1.runView);
  }
  cancelRun(modelId: string, runId: string): Promise<r.Run> {
    return this.http.json({ method: 'POST', path: `/v1/models/${enc(modelId)}/runs/${enc(runId)}/cancel` }, v1.runView);
  }

  /** The run's live progress (server-sent events); the generator returns when the server sends `end`. */
  async *runEvents(modelId: string, runId: string, signal?: AbortSignal): AsyncGenerator<r.RunProgress> {
    const res = await this.http.raw({ method: 'GET', path: `/v1/models/${enc(modelId)}/runs/${enc(runId)}/events`, stream: true, signal });
    if (!res.body) throw new TailorResponseError('event stream without a body', null);
    for await (const ev of readServerSentEvents(res.body)) {
      if (ev.event === 'end') return;
      if (ev.event !== 'progress') continue;
      const parsed = r.runProgressEvent.safeParse(JSON.parse(ev.data));
      if (!parsed.success) throw new TailorResponseError(`progress event does not match the contract: ${parsed.error.issues[0]?.message}`, ev.data);
      yield parsed.data;
    }
  }

  /**
   * Follows a run until it finishes and returns its final view. Uses the event stream; if the stream drops (proxy
   * timeout, server restart) it reconnects, since the run's record survives in the database.
   */
  async waitForRun(modelId: string, runId: string, onProgress?: (p: r.RunProgress) => void, signal?: AbortSignal): Promise<r.Run> {
    for (let attempt = 0; ; attempt++) {
      try {
        for await (const p of this.runEvents(modelId, runId, signal)) onProgress?.(p);
      } catch (err) {
        if (signal?.aborted || attempt >= 5 || !(err instanceof TailorError) || (err as { status?: number }).status) throw err;
        await new Promise((res) => setTimeout(res, 1000 * (attempt + 1)));
      }
      const run = await this.getRun(modelId, runId);
      if (TERMINAL.has(run.status)) return run;
    }
  }

  // --- versions
  async listVersions(modelId: string): Promise<r.Version[]> {
    return (await this.http.json({ method: 'GET', path: `/v1/models/${enc(modelId)}/versions` }, r.versionList)).versions;
  }
  getVersion(modelId: string, version: number | string): Promise<r.Version> {
    return this.http.json({ method: 'GET', path: `/v1/models/${enc(modelId)}/versions/${enc(String(version))}` }, v1.versionView);
  }
  activateVersion(modelId: string, version: number | string): Promise<r.Version> {
    return this.http.json({ method: 'POST', path: `/v1/models/${enc(modelId)}/versions/${enc(String(version))}/activate` }, v1.versionView);
  }

  // --- export: models and datasets leave with you
  /** A version as a bundle (the zip's bytes): `onnx` runs offline with `tailor run`, `tfjs` loads with tf.loadGraphModel. */
  async exportVersion(modelId: string, version: number | string, format: 'onnx' | 'tfjs' = 'onnx'): Promise<{ bytes: Buffer; version: number }> {
    const res = await this.http.raw({ method: 'GET', path: `/v1/models/${enc(modelId)}/versions/${enc(String(version))}/export`, query: { format }, untimed: true });
    return { bytes: Buffer.from(await res.arrayBuffer()), version: Number(res.headers.get('x-tailor-version')) };
  }
  /** The model's images as a zip, as a stream (write it to a file: a dataset can be large), with its manifest hash. */
  async exportDataset(modelId: string): Promise<{ body: ReadableStream<Uint8Array>; sha256: string; images: number }> {
    const res = await this.http.raw({ method: 'GET', path: `/v1/models/${enc(modelId)}/dataset.zip`, untimed: true });
    if (!res.body) throw new TailorResponseError('dataset.zip: empty response', undefined);
    return { body: res.body, sha256: res.headers.get('x-tailor-dataset-sha256') ?? '', images: Number(res.headers.get('x-tailor-dataset-images')) };
  }
  /** A new model from a dataset zip (a Blob streams a file without reading it into memory: `fs.openAsBlob(path)`). */
  importDataset(zip: Blob | Uint8Array, options: { name?: string; filename?: string } = {}): Promise<r.DatasetImport> {
    const fd = new FormData();
    fd.append('file', zip instanceof Blob ? zip : new Blob([new Uint8Array(zip)], { type: 'application/zip' }), options.filename ?? 'dataset.zip');
    return this.http.json({ method: 'POST', path: '/v1/models/import', query: { name: options.name }, form: fd, untimed: true }, v1.datasetImportView);
  }

  // --- prediction
  /** Classifies image files. A 207 (some files unreadable) still resolves: check each prediction's `ok`. */
  predict(modelId: string, files: FileInput[], options: PredictOptions = {}): Promise<r.PredictResponse> {
    return this.http.json(
      { method: 'POST', path: `/v1/models/${enc(modelId)}/predict`, query: predictQuery(options), form: formWith({}, files) },
      r.predictResponse,
    );
  }
  predictUrls(modelId: string, urls: string[], options: PredictOptions = {}): Promise<r.PredictResponse> {
    return this.http.json(
      { method: 'POST', path: `/v1/models/${enc(modelId)}/predict`, query: predictQuery(options), json: { urls } },
      r.predictResponse,
    );
  }
}

/** The upload route answers 400 with the per-file body when every file was rejected; that is a result, not a crash. */
function uploadBodyOf(err: unknown): r.UploadResponse {
  const body = (err as { body?: unknown })?.body;
  const parsed = r.uploadResponse.safeParse(body);
  if ((err as { status?: number })?.status === 400 && parsed.success) return parsed.data;
  throw err;
}

/** `explain` adds a heat map per image (`explanation.overlay`, a PNG data URL), of `explainClass` or the predicted class. */
export interface PredictOptions {
  topK?: number;
  version?: number | string;
  explain?: boolean;
  explainClass?: string;
}

function predictQuery(o: PredictOptions) {
  return { topK: o.topK, version: o.version, explain: o.explain ? 'true' : undefined, explainClass: o.explainClass };
}
