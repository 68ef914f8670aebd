import { z } from 'zod';
import { backoffDelay, createInProcessRunner, defineJobCatalog, InvalidJobPayloadError, jobCatalog } from '../src';

test('defineJobCatalog rejects nonsensical numbers at start-up', () => {
  const schema = z.object({ version: z.literal(1) });
  expect(() => defineJobCatalog({ a: { schema, attempts: 0, backoffMs: 1 } })).toThrow('attempts');
  expect(() => defineJobCatalog({ a: { schema, attempts: 1.5, backoffMs: 1 } })).toThrow('attempts');
  expect(() => defineJobCatalog({ a: { schema, attempts: 1, backoffMs: -1 } })).toThrow('backoffMs');
  expect(() => defineJobCatalog({ a: { schema, attempts: 1, backoffMs: 1, timeoutMs: 0 } })).toThrow('timeoutMs');
});

test('backoff doubles per failed attempt, as BullMQ exponential backoff does', () => {
  expect([1, 2, 3, 4].map((n) => backoffDelay(jobCatalog.train, n))).toEqual([2000, 4000, 8000, 16000]);
});

test('the default catalog types and validates train/notify payloads', async () => {
  const runner = createInProcessRunner(); // default catalog, no consumer: jobs just wait
  try {
    await runner.enqueue('train', { version: 1, runId: 'run_1' }, { jobId: 'train-run_1' });
    await runner.enqueue('notify', { version: 1, eventId: 'evt_1' }, { jobId: 'notify-evt_1' });
    // @ts-expect-error runId is required (also rejected at run time)
    await expect(runner.enqueue('train', { version: 1 }, { jobId: 'train-x' })).rejects.toBeInstanceOf(InvalidJobPayloadError);
    // @ts-expect-error only version 1 exists
    await expect(runner.enqueue('train', { version: 2, runId: 'r' }, { jobId: 'train-y' })).rejects.toBeInstanceOf(InvalidJobPayloadError);
    await expect(runner.enqueue('train', { version: 1, runId: '' }, { jobId: 'train-z' })).rejects.toBeInstanceOf(InvalidJobPayloadError);
    expect(await runner.position('train', 'train-run_1')).toBe(0);
    expect(await runner.position('notify', 'notify-evt_1')).toBe(0);
  } finally {
    await runner.close();
  }
});

test('adding an optional field keeps jobs queued by the previous release parseable', () => {
  const v1 = z.object({ version: z.literal(1), runId: z.string() });
  const v1WithOptional = v1.extend({ priority: z.number().optional() });
  const queuedBeforeDeploy = JSON.parse(JSON.stringify({ version: 1, runId: 'r1' }));
  expect(v1WithOptional.parse(queuedBeforeDeploy)).toEqual({ version: 1, runId: 'r1' });
  expect(jobCatalog.train.schema.safeParse(queuedBeforeDeploy).success).toBe(true);
});
