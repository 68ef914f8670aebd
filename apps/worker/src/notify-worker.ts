import type { Config } from '@tailor/config';
import type { NotificationService } from '@tailor/core';
import { jobCatalog, type JobRunner } from '@tailor/queue';
import { createMailer } from './mailer';

/** Consumes `notify` jobs: webhook deliveries (signed, logged, retried with backoff) and e-mails. */
export function registerNotifyWorker(deps: { config: Config; jobs: JobRunner; notifications: NotificationService }) {
  const mailer = createMailer(deps.config.SMTP_URL, deps.config.MAIL_FROM);
  deps.jobs.process(
    'notify',
    async ({ eventId }, ctx) => deps.notifications.deliver(eventId, ctx.attempt, ctx.attempt >= jobCatalog.notify.attempts, mailer),
    { concurrency: 4 },
  );
}
