import type { Db } from '@tailor/db';
import type { JobRunner } from '@tailor/queue';
import { BadRequestError, NotFoundError } from '../errors';
import { isUuid, type ModelService } from '../models';
import type { QuotaService } from '../quotas';
import { safeFetch, UrlFetchError, urlPolicyProblem } from '../url-fetch';
import { buildRunEvent, type RunEvent } from './run-event';
import { generateWebhookSecret, signWebhook } from './signature';

export const WEBHOOK_EVENTS = ['training.finished', 'training.failed'] as const;
/** Sent only on request (POST /v1/webhooks/:id/test), whatever events the webhook subscribed to. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';

export interface MailSender {
  send(mail: { to: string; subject: string; text: string; html?: string }): Promise<void>;
}

/** Delivery of `notify` jobs failed with a retryable reason (non-2xx, timeout): the job runner retries with backoff. */
export class DeliveryFailedError extends Error {
  override name = 'DeliveryFailedError';
}

/**
 * Webhooks (per account or per model) and e-mail when a run ends. Each delivery is a row (the log users read) and a
 * `notify` job whose id is the delivery id; e-mails are jobs `email-<runId>`. Sending happens in workers only.
 */
export class NotificationService {
  constructor(
    private readonly db: Db,
    private readonly jobs: JobRunner,
    private readonly models: ModelService,
    private readonly opts: { allowPrivateUrls: boolean; timeoutMs: number; publicUrl?: string; quotas?: QuotaService },
  ) {}

  async createWebhook(accountId: string, input: { url: string; modelId?: string; events?: string[] }) {
    const problem = await urlPolicyProblem(input.url, { allowPrivate: this.opts.allowPrivateUrls });
    if (problem) throw new BadRequestError(problem, [{ reason: 'url', message: problem, field: 'url' }]);
    const url = new URL(input.url);
    const events = input.events ?? [...WEBHOOK_EVENTS];
    const unknown = events.filter((e) => !(WEBHOOK_EVENTS as readonly string[]).includes(e));
    if (unknown.length) throw new BadRequestError(`Unknown events: ${unknown.join(', ')} (known: ${WEBHOOK_EVENTS.join(', ')})`);
    if (input.modelId) await this.models.get(accountId, input.modelId);
    const data = { accountId, modelId: input.modelId, url: url.toString(), secret: generateWebhookSecret(), events };
    if (!this.opts.quotas) return this.db.webhook.create({ data });
    return this.opts.quotas.createWithin(accountId, 'webhooks', (tx) => tx.webhook.create({ data }));
  }

  listWebhooks(accountId: string) {
    return this.db.webhook.findMany({ where: { accountId }, orderBy: { createdAt: 'asc' } });
  }

  async deleteWebhook(accountId: string, id: string) {
    const res = isUuid(id) ? await this.db.webhook.deleteMany({ where: { id, accountId } }) : { count: 0 };
    if (!res.count) throw new NotFoundError('Webhook', id);
  }

  async deliveries(accountId: string, webhookId: string) {
    const hook = isUuid(webhookId) ? await this.db.webhook.findFirst({ where: { id: webhookId, accountId } }) : null;
    if (!hook) throw new NotFoundError('Webhook', webhookId);
    return this.db.webhookDelivery.findMany({ where: { webhookId }, orderBy: { createdAt: 'desc' }, take: 100 });
  }

  /**
   * A signed test delivery of a `webhook.test` event, sent by a worker like any other (same signature, timeout, retries
   * and log), so a receiver can be checked before a training run ends.
   */
  async sendTest(accountId: string, webhookId: string) {
    const hook = isUuid(webhookId) ? await this.db.webhook.findFirst({ where: { id: webhookId, accountId } }) : null;
    if (!hook) throw new NotFoundError('Webhook', webhookId);
    const payload = {
      event: WEBHOOK_TEST_EVENT,
      webhookId: hook.id,
      modelId: hook.modelId,
      sentAt: new Date().toISOString(),
      message: 'A test delivery from Tailor: your endpoint is reachable and can check the signature.',
    };
    const delivery = await this.db.webhookDelivery.create({ data: { webhookId: hook.id, event: WEBHOOK_TEST_EVENT, payload } });
    await this.jobs.enqueue('notify', { version: 1, eventId: delivery.id }, { jobId: delivery.id });
    return delivery;
  }

  /** Called by the worker when a run has ended: records the deliveries and enqueues them. */
  async runEnded(runId: string): Promise<void> {
    const { event, accountId } = await buildRunEvent(this.db, runId);
    const hooks = await this.db.webhook.findMany({
      where: { accountId, enabled: true, OR: [{ modelId: null }, { modelId: event.modelId }], events: { has: event.event } },
    });
    for (const hook of hooks) {
      const delivery = await this.db.webhookDelivery.create({ data: { webhookId: hook.id, event: event.event, payload: event as object } });
      await this.jobs.enqueue('notify', { version: 1, eventId: delivery.id }, { jobId: delivery.id });
    }
    const account = await this.db.account.findUniqueOrThrow({ where: { id: accountId } });
    if (account.email && account.notifyEmail) {
      await this.jobs.enqueue('notify', { version: 1, eventId: `email-${runId}` }, { jobId: `email-${runId}` });
    }
  }

  /** The `notify` job handler. Throws DeliveryFailedError to have the runner retry; records every attempt. */
  async deliver(eventId: string, attempt: number, isLastAttempt: boolean, mail?: MailSender): Promise<void> {
    if (eventId.startsWith('email-')) return this.sendEmail(eventId.slice('email-'.length), mail);
    const delivery = await this.db.webhookDelivery.findUnique({ where: { id: eventId }, include: { webhook: true } });
    if (!delivery || delivery.status === 'delivered') return;
    const body = JSON.stringify(delivery.payload);
    const ts = Math.floor(Date.now() / 1000);
    let responseCode: number | null = null;
    let error: string | null = null;
    try {
      const res = await safeFetch(delivery.webhook.url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-tailor-event': delivery.event,
          'x-tailor-delivery': delivery.id,
          'x-tailor-signature': signWebhook(delivery.webhook.secret, body, ts),
        },
        timeoutMs: this.opts.timeoutMs,
        maxBytes: 64 * 1024,
        allowPrivate: this.opts.allowPrivateUrls,
        maxRedirects: 0,
      });
      responseCode = res.status;
      if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
    } catch (err) {
      if (!(err instanceof UrlFetchError)) throw err;
      error = err.message;
    }
    const delivered = error === null;
    await this.db.webhookDelivery.update({
      where: { id: delivery.id },
      data: {
        attempts: attempt,
        responseCode,
        error,
        status: delivered ? 'delivered' : isLastAttempt ? 'failed' : 'pending',
        deliveredAt: delivered ? new Date() : null,
      },
    });
    if (!delivered) throw new DeliveryFailedError(`webhook delivery ${delivery.id} failed: ${error}`);
  }

  private async sendEmail(runId: string, mail?: MailSender) {
    if (!mail) return; // no SMTP configured: e-mail is off
    const { event, accountId } = await buildRunEvent(this.db, runId);
    const account = await this.db.account.findUniqueOrThrow({ where: { id: accountId } });
    if (!account.email) return;
    await mail.send({ to: account.email, subject: emailSubject(event), text: emailText(event, this.opts.publicUrl) });
  }
}

export function emailSubject(e: RunEvent): string {
  const name = e.modelName ?? e.modelId;
  return e.event === 'training.finished'
    ? `Tailor: model ${name} is trained (version ${e.version}, accuracy ${pct(e.accuracy)})`
    : `Tailor: training of model ${name} failed`;
}

export function emailText(e: RunEvent, publicUrl?: string): string {
  const lines = [
    e.event === 'training.finished' ? `Your model ${e.modelName ?? e.modelId} finished training and is ready for prediction.` : `Training of your model ${e.modelName ?? e.modelId} failed.`,
    '',
    `Model id:  ${e.modelId}`,
    `Run id:    ${e.runId}`,
  ];
  if (e.version !== null) lines.push(`Version:   ${e.version}`);
  if (e.accuracy !== null) lines.push(`Accuracy:  ${pct(e.accuracy)} (cross-validated on your uploaded images)`);
  if (e.macroF1 !== null) lines.push(`Macro-F1:  ${pct(e.macroF1)}`);
  if (e.trainingSeconds !== null) lines.push(`Training time: ${Math.round(e.trainingSeconds)} s`);
  if (e.error) lines.push(`Reason:    ${e.error}`);
  lines.push(`State:     ${e.state} (${e.status})`);
  if (publicUrl) lines.push('', `Details: ${publicUrl.replace(/\/$/, '')}/v1/models/${e.modelId}/runs/${e.runId}`);
  return lines.join('\n') + '\n';
}

function pct(x: number | null): string {
  return x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`;
}
