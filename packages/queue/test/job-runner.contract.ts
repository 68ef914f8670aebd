import { InvalidJobPayloadError, JobTimeoutError, RunnerClosedError, UnrecoverableJobError, type JobContext, type JobLogger, type JobRunner } from '../src';
import { captureLogger, deferred, sleep, waitFor, type TestCatalog } from './helpers';

export type MakeRunner = (opts: { logger: JobLogger; closeTimeoutMs?: number }) => JobRunner<TestCatalog>;

/** The behaviour both runners must share. Each test gets fresh runners (and, for BullMQ, a fresh key prefix). */
export function jobRunnerContract(make: MakeRunner): void {
  const open: JobRunner<TestCatalog>[] = [];
  const newRunner = (opts: { closeTimeoutMs?: number } = {}) => {
    const logger = captureLogger();
    const runner = make({ logger, ...opts });
    open.push(runner);
    return { runner, logger };
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((r) => r.close()));
  });

  test('enqueue → process round trip delivers the parsed payload and context', async () => {
    const { runner } = newRunner();
    const got = deferred<{ payload: unknown; ctx: JobContext }>();
    runner.process('echo', async (payload, ctx) => got.resolve({ payload, ctx }));
    await runner.enqueue('echo', { version: 1, value: 'hello', note: 'optional fields travel too' }, { jobId: 'rt-1' });
    const { payload, ctx } = await got.promise;
    expect(payload).toEqual({ version: 1, value: 'hello', note: 'optional fields travel too' });
    expect(ctx.jobId).toBe('rt-1');
    expect(ctx.attempt).toBe(1);
    expect(ctx.signal.aborted).toBe(false);
  });

  test('a duplicate jobId is a no-op while queued and after completion', async () => {
    const { runner } = newRunner();
    await runner.enqueue('echo', { version: 1, value: 'first' }, { jobId: 'dup-1' });
    await runner.enqueue('echo', { version: 1, value: 'second' }, { jobId: 'dup-1' });
    const seen: string[] = [];
    runner.process('echo', async (p) => {
      seen.push(p.value);
    });
    await waitFor('first run', () => seen.length === 1);
    await runner.enqueue('echo', { version: 1, value: 'third' }, { jobId: 'dup-1' });
    await sleep(400);
    expect(seen).toEqual(['first']);
  });

  test('a failing handler is retried with exponential backoff, then succeeds', async () => {
    const { runner, logger } = newRunner();
    const calls: Array<{ attempt: number; at: number }> = [];
    const done = deferred();
    runner.process('echo', async (_p, ctx) => {
      calls.push({ attempt: ctx.attempt, at: Date.now() });
      if (ctx.attempt < 3) throw new Error(`transient failure ${ctx.attempt}`);
      done.resolve();
    });
    await runner.enqueue('echo', { version: 1, value: 'x' }, { jobId: 'retry-1' });
    await done.promise;
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    // catalog backoff 100 ms: 100 ms before try 2, 200 ms before try 3 (a little slack for timer granularity)
    expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(90);
    expect(calls[2].at - calls[1].at).toBeGreaterThanOrEqual(190);
    await waitFor('two warn logs', () => logger.entries.length >= 2);
    expect(logger.entries.map((e) => [e.level, e.obj.final])).toEqual([
      ['warn', false],
      ['warn', false],
    ]);
  });

  test('a job that keeps failing stops after its attempts and is logged as failed', async () => {
    const { runner, logger } = newRunner();
    const attempts: number[] = [];
    runner.process('echo', async (_p, ctx) => {
      attempts.push(ctx.attempt);
      throw new Error('always broken');
    });
    await runner.enqueue('echo', { version: 1, value: 'x' }, { jobId: 'exhaust-1' });
    await waitFor('final failure log', () => logger.entries.some((e) => e.level === 'error'));
    await sleep(500); // longer than the next backoff would be: no 4th try
    expect(attempts).toEqual([1, 2, 3]);
    const final = logger.entries.filter((e) => e.level === 'error');
    expect(final).toHaveLength(1);
    expect(final[0].obj).toMatchObject({ jobId: 'exhaust-1', final: true, err: { message: 'always broken' } });
  });

  test('UnrecoverableJobError fails the job at once, without retries', async () => {
    const { runner, logger } = newRunner();
    let calls = 0;
    runner.process('echo', async () => {
      calls++;
      throw new UnrecoverableJobError('bad input');
    });
    await runner.enqueue('echo', { version: 1, value: 'x' }, { jobId: 'unrec-1' });
    await waitFor('failure log', () => logger.entries.length > 0);
    await sleep(400);
    expect(calls).toBe(1);
    expect(logger.entries).toHaveLength(1);
    expect(logger.entries[0]).toMatchObject({ level: 'error', obj: { jobId: 'unrec-1', final: true, unrecoverable: true } });
  });

  test('invalid payloads, unknown jobs and bad job ids are rejected at enqueue and nothing is queued', async () => {
    const { runner } = newRunner();
    const bad = [{ version: 2, value: 'x' }, { version: 1 }, { version: 1, value: 42 }, null];
    for (const payload of bad) {
      await expect(runner.enqueue('echo', payload as never, { jobId: 'bad-1' })).rejects.toBeInstanceOf(InvalidJobPayloadError);
    }
    await expect(runner.enqueue('nope' as never, { version: 1 } as never, { jobId: 'bad-2' })).rejects.toThrow('unknown job');
    await expect(runner.enqueue('echo', { version: 1, value: 'x' }, { jobId: 'a:b' })).rejects.toThrow('jobId');
    await expect(runner.enqueue('echo', { version: 1, value: 'x' }, { jobId: '123' })).rejects.toThrow('jobId');
    await expect(runner.enqueue('echo', { version: 1, value: 'x' }, { jobId: '' })).rejects.toThrow('jobId');
    expect(await runner.position('echo', 'bad-1')).toBeUndefined();
    // a valid payload under the same id is accepted afterwards: the rejected one left no trace
    await runner.enqueue('echo', { version: 1, value: 'ok' }, { jobId: 'bad-1' });
    expect(await runner.position('echo', 'bad-1')).toBe(0);
  });

  test('concurrency limit is honoured and used', async () => {
    const { runner } = newRunner();
    let active = 0;
    let maxActive = 0;
    let done = 0;
    runner.process(
      'echo',
      async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await sleep(150);
        active--;
        done++;
      },
      { concurrency: 2 },
    );
    for (let i = 0; i < 6; i++) await runner.enqueue('echo', { version: 1, value: String(i) }, { jobId: `conc-${i}` });
    await waitFor('6 jobs done', () => done === 6);
    expect(maxActive).toBe(2);
  });

  test('position is the place among waiting jobs; cancel removes only unstarted jobs', async () => {
    const { runner } = newRunner();
    for (const id of ['p-a', 'p-b', 'p-c']) await runner.enqueue('echo', { version: 1, value: id }, { jobId: id });
    expect(await Promise.all(['p-a', 'p-b', 'p-c', 'p-x'].map((id) => runner.position('echo', id)))).toEqual([0, 1, 2, undefined]);
    expect(await runner.cancel('echo', 'p-b')).toBe(true);
    expect(await runner.cancel('echo', 'p-b')).toBe(false);
    expect(await runner.cancel('echo', 'p-unknown')).toBe(false);
    expect(await runner.position('echo', 'p-c')).toBe(1);

    const release = deferred();
    const seen: string[] = [];
    runner.process('echo', async (p) => {
      seen.push(p.value);
      await release.promise;
    });
    await waitFor('p-a started', () => seen.length === 1);
    expect(seen).toEqual(['p-a']);
    expect(await runner.position('echo', 'p-a')).toBeUndefined(); // running, not waiting
    expect(await runner.position('echo', 'p-c')).toBe(0);
    expect(await runner.cancel('echo', 'p-a')).toBe(false); // running jobs are not pulled away
    release.resolve();
    await waitFor('p-c ran', () => seen.length === 2);
    expect(seen).toEqual(['p-a', 'p-c']);
  });

  test('cancelling a job during its backoff prevents the retry', async () => {
    const { runner, logger } = newRunner();
    let calls = 0;
    runner.process('echo', async () => {
      calls++;
      throw new Error('fail once');
    });
    await runner.enqueue('echo', { version: 1, value: 'x' }, { jobId: 'cancel-delayed' });
    await waitFor('first failure', () => logger.entries.length === 1);
    expect(await runner.cancel('echo', 'cancel-delayed')).toBe(true);
    await sleep(400);
    expect(calls).toBe(1);
  });

  test('close() waits for a running handler to finish', async () => {
    const { runner } = newRunner();
    const started = deferred();
    const release = deferred();
    let finished = false;
    runner.process('echo', async () => {
      started.resolve();
      await release.promise;
      await sleep(50);
      finished = true;
    });
    await runner.enqueue('echo', { version: 1, value: 'x' }, { jobId: 'close-1' });
    await started.promise;
    let closed = false;
    const closing = runner.close().then(() => {
      closed = true;
    });
    await sleep(300);
    expect(closed).toBe(false);
    release.resolve();
    await closing;
    expect(finished).toBe(true);
    await expect(runner.enqueue('echo', { version: 1, value: 'y' }, { jobId: 'close-2' })).rejects.toBeInstanceOf(RunnerClosedError);
  });

  test('close() aborts the signal of a handler still running at the deadline', async () => {
    const { runner } = newRunner({ closeTimeoutMs: 300 });
    const started = deferred();
    let abortedWith: unknown;
    runner.process('echo', async (_p, ctx) => {
      started.resolve();
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
      abortedWith = ctx.signal.reason;
    });
    await runner.enqueue('echo', { version: 1, value: 'x' }, { jobId: 'deadline-1' });
    await started.promise;
    const t0 = Date.now();
    await runner.close();
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(280);
    expect(took).toBeLessThan(5000);
    expect(abortedWith).toBeDefined();
  });

  test('an attempt past timeoutMs has its signal aborted and fails', async () => {
    const { runner, logger } = newRunner();
    let reason: unknown;
    runner.process('timed', async (_p, ctx) => {
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
      reason = ctx.signal.reason;
    });
    const t0 = Date.now();
    await runner.enqueue('timed', { version: 1, value: 'x' }, { jobId: 'timeout-1' });
    await waitFor('timeout failure', () => logger.entries.some((e) => e.level === 'error'));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(reason).toBeInstanceOf(JobTimeoutError);
    expect(logger.entries[0].obj).toMatchObject({ jobId: 'timeout-1', final: true, err: { name: 'JobTimeoutError' } });
  });

  test('priorities interleave: jobs start, and positions count, by priority then arrival', async () => {
    const { runner } = newRunner();
    // Two accounts' runs, each job's priority its account's count of jobs ahead (+1): a, a, a then b, b.
    const jobs: Array<[string, number]> = [['a1', 1], ['a2', 2], ['a3', 3], ['b1', 1], ['b2', 2]];
    for (const [id, priority] of jobs) await runner.enqueue('echo', { version: 1, value: id }, { jobId: id, priority });
    const order = ['a1', 'b1', 'a2', 'b2', 'a3'];
    expect(await Promise.all(order.map((id) => runner.position('echo', id)))).toEqual([0, 1, 2, 3, 4]);
    expect(await runner.cancel('echo', 'b1')).toBe(true);
    expect(await runner.position('echo', 'a2')).toBe(1);
    const seen: string[] = [];
    runner.process('echo', async (p) => {
      seen.push(p.value);
    });
    await waitFor('4 jobs ran', () => seen.length === 4);
    expect(seen).toEqual(['a1', 'a2', 'b2', 'a3']);
  });

  test('a priority outside 1-2097152 is refused and nothing is queued', async () => {
    const { runner } = newRunner();
    for (const priority of [0, -1, 1.5, 2 ** 21 + 1]) {
      await expect(runner.enqueue('echo', { version: 1, value: 'x' }, { jobId: 'prio-bad', priority })).rejects.toThrow(/priority/);
    }
    expect(await runner.position('echo', 'prio-bad')).toBeUndefined();
  });

  test("an attempt limit read from the job's payload aborts the attempt", async () => {
    const { runner, logger } = newRunner();
    let reason: unknown;
    runner.process('budgeted', async (_p, ctx) => {
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
      reason = ctx.signal.reason;
    });
    await runner.enqueue('budgeted', { version: 1, timeoutMs: 200 }, { jobId: 'budget-1' });
    await waitFor('timeout failure', () => logger.entries.some((e) => e.level === 'error'));
    expect(reason).toBeInstanceOf(JobTimeoutError);
    expect((reason as JobTimeoutError).timeoutMs).toBe(200);
  });
}
