import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@tailor/config';
import { multipart } from './multipart';

export const V2 = '/api/v2/ImageCategorization';
export const FASHION_DIR = process.env.NANONETS_FASHION_DIR ?? path.join(REPO_ROOT, '..', 'shared', 'datasets', 'nanonets-fashion');

/** The first `n` JPEGs of a class of the tutorial's dataset. */
export function fashion(split: 'train' | 'test', cls: string, n: number) {
  const dir = path.join(FASHION_DIR, split, cls);
  return readdirSync(dir)
    .sort()
    .slice(0, n)
    .map((name) => ({ name, bytes: readFileSync(path.join(dir, name)) }));
}

/** The few API calls the benchmark makes outside the load generator. */
export function tailorApi(url: string, key: string) {
  const authorization = 'Basic ' + Buffer.from(`${key}:`).toString('base64');
  const call = async (p: string, init: RequestInit = {}) => {
    const res = await fetch(url + p, { ...init, headers: { authorization, ...(init.headers as object) } });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${init.method ?? 'GET'} ${p}: ${res.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : undefined;
  };
  const post = (p: string, body: unknown) => call(p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return {
    authorization,
    async createModel(categories: string[]): Promise<string> {
      return (await post('/v1/models', { categories })).id;
    },
    async upload(modelId: string, category: string, files: Array<{ name: string; bytes: Buffer }>) {
      const { body, contentType } = multipart({ category }, files);
      return call(`/v1/models/${modelId}/images`, { method: 'POST', headers: { 'content-type': contentType }, body: new Uint8Array(body) });
    },
    async predict(modelId: string, files: Array<{ name: string; bytes: Buffer }>) {
      const { body, contentType } = multipart({ modelId }, files);
      return call(`${V2}/LabelFile/`, { method: 'POST', headers: { 'content-type': contentType }, body: new Uint8Array(body) });
    },
    async train(modelId: string, timeBudgetSeconds: number): Promise<string> {
      return (await post(`/v1/models/${modelId}/train`, { settings: { timeBudgetSeconds } })).id;
    },
    async run(modelId: string, runId: string): Promise<{ status: string; phase: string; error: string | null; elapsedSeconds: number | null }> {
      return call(`/v1/models/${modelId}/runs/${runId}`);
    },
    async waitForRun(modelId: string, runId: string, timeoutMs: number) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const run = await this.run(modelId, runId);
        if (['succeeded', 'failed', 'canceled'].includes(run.status)) return run;
        if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.status} after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    },
  };
}
export type TailorApi = ReturnType<typeof tailorApi>;
