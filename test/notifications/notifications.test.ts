import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { verifyWebhook } from '@tailor/core';
import { fashionImages, form } from '../support/fixtures';
import { startSmtpSink, startWebhookReceiver, waitFor } from '../support/receivers';
import { startTestTailor, type TestTailor } from '../support/tailor';

describe('notifications: signed webhooks with retries and a delivery log, e-mail over SMTP', () => {
  let t: TestTailor;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  // The receiver fails the first delivery (500) so the retry path is exercised.
  let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    hook = await startWebhookReceiver((n) => (n === 1 ? 500 : 200));
    t = await startTestTailor({
      TAILOR_MIN_IMAGES_PER_CLASS: '5',
      TAILOR_TRAIN_TIME_BUDGET_S: '5',
      TAILOR_ALLOW_PRIVATE_URLS: 'true', // the receiver is on loopback
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Tailor <tailor@example.test>',
    });
  });
  afterAll(async () => {
    await t?.stop();
    await hook?.stop();
    await smtp?.stop();
  });
  const call = (p: string, init: RequestInit = {}) =>
    fetch(t.baseUrl + p, { ...init, headers: { authorization: t.auth(), ...(init.headers as object) } });
  const json = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

  async function modelWith(classes: Record<string, Array<{ name: string; bytes: Buffer }>>) {
    const m = await (await call('/v1/models', json({ categories: Object.keys(classes), name: 'notify-test' }))).json();
    for (const [cls, files] of Object.entries(classes)) {
      expect((await call(`/v1/models/${m.id}/images`, { method: 'POST', body: form({ category: cls }, files) })).status).toBe(200);
    }
    return m.id as string;
  }

  it('sends a signed training.finished webhook (retried after a 500) and an e-mail with the headline metrics', async () => {
    const patched = await call('/v1/account', { ...json({ email: 'owner@example.test', notifyEmail: true }), method: 'PATCH' });
    expect(patched.status).toBe(200);
    const modelId = await modelWith({ Bag: fashionImages('train', 'Bag', 6), Trouser: fashionImages('train', 'Trouser', 6) });
    const created = await call('/v1/webhooks', json({ url: hook.url, modelId }));
    expect(created.status).toBe(201);
    const webhook = await created.json();
    expect(webhook.secret).toMatch(/^whsec_/);

    const run = await (await call(`/v1/models/${modelId}/train`, json({ seed: 7 }))).json();
    const second = await waitFor(() => hook.received[1], 180_000, 'the retried webhook delivery');
    const first = hook.received[0]!;
    expect(first.body).toBe(second.body);
    expect(second.at - first.at).toBeGreaterThanOrEqual(900); // backoff between attempts
    const event = JSON.parse(second.body);
    expect(event).toMatchObject({ event: 'training.finished', modelId, runId: run.id, version: 1, state: 5 });
    expect(event.accuracy).toBeGreaterThan(0.5);
    expect(second.headers['x-tailor-event']).toBe('training.finished');
    const sig = String(second.headers['x-tailor-signature']);
    expect(verifyWebhook(webhook.secret, second.body, sig, Math.floor(Date.now() / 1000))).toBe(true);
    expect(verifyWebhook('whsec_wrong', second.body, sig, Math.floor(Date.now() / 1000))).toBe(false);

    const deliveries = await (await call(`/v1/webhooks/${webhook.id}/deliveries`)).json();
    expect(deliveries.deliveries).toHaveLength(1);
    expect(deliveries.deliveries[0]).toMatchObject({ status: 'delivered', attempts: 2, responseCode: 200, event: 'training.finished' });

    const mail = await waitFor(() => smtp.mails[0], 30_000, 'the e-mail');
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toContain('owner@example.test');
    expect(mail.subject).toMatch(/notify-test is trained \(version 1, accuracy \d+\.\d%\)/);
    expect(mail.text).toContain(`Run id:    ${run.id}`);
    expect(mail.text).toMatch(/Accuracy: +\d+\.\d%/);
  }, 240_000);

  it('fails a run whose images are gone at once, with a reason, and notifies training.failed', async () => {
    const modelId = await modelWith({ Sandal: fashionImages('test', 'Sandal', 6), Sneaker: fashionImages('test', 'Sneaker', 6) });
    await call('/v1/webhooks', json({ url: hook.url, modelId, events: ['training.failed'] }));
    // Lose the uploaded bytes behind the service's back (these test images are used by no other model here).
    const images = await t.running.infra.db.image.findMany({ where: { modelId } });
    for (const img of images) await rm(path.join(t.dataDir, 'blobs', img.blobKey));
    const before = hook.received.length;
    const run = await (await call(`/v1/models/${modelId}/train`, json({}))).json();
    const failed = await waitFor(() => hook.received[before], 120_000, 'the failure webhook');
    const event = JSON.parse(failed.body);
    expect(event).toMatchObject({ event: 'training.failed', modelId, runId: run.id, state: -1, version: null });
    expect(event.error).toBeTruthy();
    const r = await (await call(`/v1/models/${modelId}/runs/${run.id}`)).json();
    expect(r).toMatchObject({ status: 'failed', attempts: 1 });
    const model = await (await call(`/api/v2/ImageCategorization/Model/?modelId=${modelId}`)).json();
    expect(model.state).toBe(-1);
    expect(model.status).toMatch(/^Training failed: /);
    expect(await readdir(path.join(t.dataDir, 'blobs'))).toContain('images');
  }, 180_000);
});
