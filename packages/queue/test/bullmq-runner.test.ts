import { spawn } from 'node:child_process';
import path from 'node:path';
import { Queue } from 'bullmq';
import { createBullMqRunner, type JobRunner } from '../src';
import { assertRedisReachable, deleteRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '../../../test/support/redis';
import { captureLogger, deferred, sleep, testCatalog, waitFor, type TestCatalog } from './helpers';
import { jobRunnerContract } from './job-runner.contract';

const runPrefix = uniqueRedisPrefix('queue');
let runnerCount = 0;
/** Each runner its own prefix under this run's, so tests never see each other's jobs; all removed in afterAll. */
const nextPrefix = () => `${runPrefix}:${++runnerCount}`;

beforeAll(async () => {
  await assertRedisReachable(TEST_REDIS_URL);
});
afterAll(async () => {
  await deleteRedisPrefix(runPrefix);
});

describe('BullMQ JobRunner against real Redis', () => {
  jobRunnerContract(({ logger, closeTimeoutMs }) =>
    createBullMqRunner({ redisUrl: TEST_REDIS_URL, prefix: nextPrefix(), catalog: testCatalog, logger, closeTimeoutMs }),
  );
});

describe('BullMQ-specific behaviour', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((c) => c()));
  });
  const runner = (prefix: string, extra: { lockDurationMs?: number; stalledIntervalMs?: number } = {}) => {
    const logger = captureLogger();
    const r: JobRunner<TestCatalog> = createBullMqRunner({ redisUrl: TEST_REDIS_URL, prefix, catalog: testCatalog, logger, ...extra });
    cleanups.push(() => r.close());
    return { runner: r, logger };
  };
  const rawQueue = (prefix: string) => {
    const q = new Queue('echo', { connection: { url: TEST_REDIS_URL }, prefix });
    cleanups.push(() => q.close());
    return q;
  };

  test('a producer-only runner starts no worker; a separate worker runner consumes its jobs', async () => {
    const prefix = nextPrefix();
    const { runner: api } = runner(prefix);
    await api.enqueue('echo', { version: 1, value: 'from api' }, { jobId: 'split-1' });
    const q = rawQueue(prefix);
    await sleep(300);
    expect(await q.getWorkers()).toHaveLength(0);
    expect(await q.getJobState('split-1')).toBe('waiting');

    const got = deferred<string>();
    const { runner: worker } = runner(prefix);
    worker.process('echo', async (p) => got.resolve(p.value));
    expect(await got.promise).toBe('from api');
    expect(await q.getWorkers()).toHaveLength(1);
  });

  test('a stored payload that no longer parses fails unrecoverably on consume, without calling the handler', async () => {
    const prefix = nextPrefix();
    const q = rawQueue(prefix);
    // Written straight to BullMQ, bypassing enqueue()'s validation: e.g. a job queued by an incompatible old release.
    await q.add('echo', { version: 99, value: 'from the future' }, { jobId: 'raw-bad', attempts: 3, backoff: { type: 'exponential', delay: 50 } });
    const { runner: worker, logger } = runner(prefix);
    let calls = 0;
    worker.process('echo', async () => {
      calls++;
    });
    await waitFor('failure log', () => logger.entries.length > 0);
    expect(calls).toBe(0);
    expect(logger.entries[0]).toMatchObject({ level: 'error', obj: { jobId: 'raw-bad', final: true, unrecoverable: true } });
    const job = await q.getJob('raw-bad');
    expect(await job!.getState()).toBe('failed');
    expect(job!.attemptsMade).toBe(1);
    expect(job!.failedReason).toContain('invalid payload');
  });

  test('a job whose worker is SIGKILLed mid-run is picked up again by another worker (stalled detection)', async () => {
    const prefix = nextPrefix();
    const repoRoot = path.resolve(__dirname, '../../..');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures/hanging-worker.ts')], {
      cwd: repoRoot,
      env: { ...process.env, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor('child worker listening', () => out.includes('listening'), 20_000);

    const { runner: api } = runner(prefix);
    await api.enqueue('echo', { version: 1, value: 'survives' }, { jobId: 'stall-1' });
    await waitFor('child took the job', () => out.includes('started stall-1'), 10_000);
    child.kill('SIGKILL');
    await exited;

    const { runner: rescuer, logger } = runner(prefix, { lockDurationMs: 1000, stalledIntervalMs: 500 });
    const got = deferred<{ value: string; attempt: number }>();
    rescuer.process('echo', async (p, ctx) => got.resolve({ value: p.value, attempt: ctx.attempt }));
    // A stall is not a failed attempt: the retry is still attempt 1.
    expect(await got.promise).toEqual({ value: 'survives', attempt: 1 });
    expect(logger.entries.some((e) => e.msg.startsWith('job stalled') && e.obj.jobId === 'stall-1')).toBe(true);
  });
});
