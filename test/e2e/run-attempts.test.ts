import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { jobCatalog } from '@tailor/queue';
import { createDb, type Db } from '@tailor/db';
import { fashionImages, form, urlencoded } from '../support/fixtures';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process';

const V2 = '/api/v2/ImageCategorization';
const KEY = 'tl_attempts_test_key_0123456789abcdef';
const auth = { authorization: 'Basic ' + Buffer.from(`${KEY}:`).toString('base64') };

/**
 * A run whose process dies mid-training (kill -9 of an embedded `npm start`) is resumed at the next start, and its
 * attempt count is kept in PostgreSQL: it goes on from where it was instead of restarting at 1, so a run that kills
 * its process every time ends, failed with a message that says why, after the train job's attempts.
 */
describe('a run interrupted by its process dying: attempts survive restarts', () => {
  let privateDir: string;
  let env: Record<string, string>;
  let url: string;
  let db: Db | undefined;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    privateDir = await mkdtemp(path.join(os.tmpdir(), 'tailor-attempts-'));
    await chmod(privateDir, 0o700);
    const [port, pgPort] = [await freePort(), await freePort()];
    env = {
      PORT: String(port),
      TAILOR_DATA_DIR: path.join(privateDir, 'data'),
      TAILOR_EMBEDDED_PG_PORT: String(pgPort),
      TAILOR_BOOTSTRAP_API_KEY: KEY,
      TAILOR_MIN_IMAGES_PER_CLASS: '5',
    };
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await db?.$disconnect();
    await server?.stop();
    await rm(privateDir, { recursive: true, force: true });
  });

  async function start() {
    server = startServerProcess(env);
    await server.waitForHealth(url);
    // Read the record of truth directly: the embedded PostgreSQL with this installation's superuser password.
    const secret = (await readFile(path.join(env.TAILOR_DATA_DIR!, 'postgres-password'), 'utf8')).trim();
    db = createDb(`postgresql://tailor:${secret}@127.0.0.1:${env.TAILOR_EMBEDDED_PG_PORT}/tailor`, { poolSize: 1 });
  }

  async function killServer() {
    await db!.$disconnect();
    expect(await server!.stop('SIGKILL')).toBeNull();
  }

  async function runWhen(runId: string, what: string, ok: (r: { status: string; attempts: number }) => boolean) {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const run = await db!.trainingRun.findUniqueOrThrow({ where: { id: runId } });
      if (ok(run)) return run;
      if (Date.now() > deadline) throw new Error(`run never ${what}: ${JSON.stringify(run)}\n${server!.output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('counts on across kill -9 restarts and fails the run after the last attempt, saying why', async () => {
    await start();
    const model = await (await fetch(`${url}${V2}/Model/`, { method: 'POST', headers: auth, body: urlencoded({ categories: ['Bag', 'Trouser'] }) })).json();
    for (const cls of ['Bag', 'Trouser']) {
      const res = await fetch(`${url}${V2}/UploadFile/`, { method: 'POST', headers: auth, body: form({ category: cls, modelId: model.model_id }, fashionImages('train', cls, 6)) });
      expect(res.status).toBe(200);
    }
    expect((await fetch(`${url}${V2}/Train/?modelId=${model.model_id}`, { method: 'POST', headers: auth })).status).toBe(200);
    const { id: runId } = await db!.trainingRun.findFirstOrThrow({ where: { modelId: model.model_id } });

    const max = jobCatalog.train.attempts;
    for (let attempt = 1; attempt <= max; attempt++) {
      if (attempt > 1) await start();
      // Resumed at start-up, with the count carried on (an in-process queue alone would say 1 every time).
      await runWhen(runId, `running attempt ${attempt}`, (r) => r.status === 'running' && r.attempts === attempt);
      await killServer();
    }

    await start();
    const failed = await runWhen(runId, 'failed', (r) => r.status === 'failed');
    expect(failed.attempts).toBe(max);
    expect(failed.error).toMatch(new RegExp(`^Training stopped after ${max} attempts, each interrupted before it finished`));
    const shown = await (await fetch(`${url}${V2}/Model/?modelId=${model.model_id}`, { headers: auth })).json();
    expect(shown.state).not.toBe(4); // no longer "training"
    expect(await server!.stop()).toBe(0);
  }, 400_000);
});
