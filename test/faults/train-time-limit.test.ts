import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { fashionImages, form } from '../support/fixtures';
import { waitFor } from '../support/receivers';
import { startTestTailor, type TestTailor } from '../support/tailor';

/** Pids of this process's children that run the training entry point. */
function trainingChildren(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return ppid === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('train-child.ts');
      } catch {
        return false; // ended meanwhile
      }
    })
    .map(Number);
}

/**
 * The time budget bounds the whole run: a run that asks for more work than its budget (a tutorial CNN for 500 epochs
 * in 5 s) is cut by the worker at budget + grace, fails with a message saying so, and leaves no process behind. The
 * training process runs at a lower priority than the API.
 */
describe('a run past its time budget is cut and fails saying why', () => {
  let t: TestTailor;
  beforeAll(async () => {
    t = await startTestTailor({ TAILOR_MIN_IMAGES_PER_CLASS: '2', TAILOR_TRAIN_GRACE_S: '0', TAILOR_TRAIN_NICE: '7' });
  });
  afterAll(async () => t?.stop());

  it('kills the training process at the hard limit; the run fails with the budget in its message, no version', async () => {
    const call = (p: string, init: RequestInit = {}) => fetch(t.baseUrl + p, { ...init, headers: { authorization: t.auth(), ...(init.headers as object) } });
    const model = await (
      await call('/v1/models', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ categories: ['Coat', 'Bag'], architecture: 'cnn4' }) })
    ).json();
    for (const cls of ['Coat', 'Bag']) {
      expect((await call(`/v1/models/${model.id}/images`, { method: 'POST', body: form({ category: cls }, fashionImages('train', cls, 20)) })).status).toBe(200);
    }
    const res = await call(`/v1/models/${model.id}/train`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { timeBudgetSeconds: 5, epochs: 500 } }),
    });
    expect(res.status).toBe(202);
    const run = await res.json();

    const [child] = await waitFor(() => (trainingChildren().length ? trainingChildren() : undefined), 60_000, 'the training process');
    expect(os.getPriority(child!) - os.getPriority(process.pid)).toBe(7);

    let view: { status: string; error: string | null; versionId: string | null; startedAt: string; finishedAt: string };
    const deadline = Date.now() + 120_000;
    do {
      await new Promise((r) => setTimeout(r, 500));
      view = await (await call(`/v1/models/${model.id}/runs/${run.id}`)).json();
    } while (!['failed', 'succeeded'].includes(view.status) && Date.now() < deadline);
    expect(view.status).toBe('failed');
    // 5 s budget + max(0 s grace, 3 s): cut at 8 s.
    expect(view.error).toBe(
      'Training exceeded its time budget of 5 s and was stopped at 8 s. Train again with a larger settings.timeBudgetSeconds, fewer images, or (for the tutorial CNNs) fewer epochs.',
    );
    expect(view.versionId).toBeNull();
    expect(await t.running.infra.db.modelVersion.count()).toBe(0);
    const after = await (await call(`/v1/models/${model.id}`)).json();
    expect(after.state).toBe(-1);
    expect(after.status).toMatch(/exceeded its time budget/);
    expect(existsSync(`/proc/${child}`)).toBe(false);
  });
});
