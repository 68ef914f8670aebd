import type { Db, Prisma } from '@tailor/db';
import { QuotaExceededError, TooManyRequestsError } from '../errors';
import { runBudgetSeconds } from '../training/time-budget';
import type { AccountQuotas, QuotaName } from './account-quotas';
import { UploadAllowance } from './upload-allowance';

export interface QuotaUse {
  used: number;
  limit: number | null;
}

export interface AccountUsage {
  models: QuotaUse;
  images: QuotaUse;
  storedBytes: QuotaUse;
  /** Minutes of training started today (UTC), running runs counted so far; resets at UTC midnight. */
  trainingMinutesToday: QuotaUse & { resetsAt: Date };
  keys: QuotaUse;
  webhooks: QuotaUse;
  activeRuns: QuotaUse;
}

type Client = Db | Prisma.TransactionClient;

const ACTIVE = ['queued', 'running'];
/** How long a client is told to wait when the account's run slots are full: runs take minutes. */
const RUN_SLOT_RETRY_AFTER_S = 60;

const startOfUtcDay = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));

/**
 * Per-account quotas, counted from PostgreSQL (the record of truth) when they are checked, so deletions free room at
 * once and nothing has to be kept in step. Model, key, webhook and run checks take a per-account advisory lock in the
 * transaction that creates the row, so concurrent requests cannot overshoot; uploads are checked once per request
 * (see UploadAllowance).
 */
export class QuotaService {
  constructor(
    private readonly db: Db,
    readonly limits: AccountQuotas,
    private readonly opts: { defaultBudgetSeconds: number },
  ) {}

  async usage(accountId: string, now = new Date()): Promise<AccountUsage> {
    const [models, images, keys, webhooks, training] = await Promise.all([
      this.db.model.count({ where: { accountId } }),
      this.imageTotals(this.db, accountId),
      this.db.apiKey.count({ where: { accountId, revokedAt: null } }),
      this.db.webhook.count({ where: { accountId } }),
      this.training(this.db, accountId, now),
    ]);
    const resetsAt = new Date(startOfUtcDay(now).getTime() + 24 * 3600 * 1000);
    return {
      models: { used: models, limit: this.limits.models },
      images: { used: images.count, limit: this.limits.images },
      storedBytes: { used: images.bytes, limit: this.limits.storedBytes },
      trainingMinutesToday: { used: Math.round((training.usedSeconds / 60) * 10) / 10, limit: this.limits.trainingMinutesPerDay, resetsAt },
      keys: { used: keys, limit: this.limits.keys },
      webhooks: { used: webhooks, limit: this.limits.webhooks },
      activeRuns: { used: training.active, limit: this.limits.activeRuns },
    };
  }

  /** Runs `create` under the account's lock once the quota allows one more (models, keys, webhooks). */
  async createWithin<T>(accountId: string, quota: 'models' | 'keys' | 'webhooks', create: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
    const limit = this.limits[quota];
    if (limit === null) return this.db.$transaction((tx) => create(tx));
    return this.db.$transaction(async (tx) => {
      await lockAccount(tx, accountId, quota);
      const used =
        quota === 'models'
          ? await tx.model.count({ where: { accountId } })
          : quota === 'keys'
            ? await tx.apiKey.count({ where: { accountId, revokedAt: null } })
            : await tx.webhook.count({ where: { accountId } });
      if (used >= limit) throw exhausted(quota, `this account has ${used} of ${limit} ${NOUNS[quota]}`, HINTS[quota]);
      return create(tx);
    });
  }

  /** How many more images and bytes this upload may store; 402 when there is no room at all. */
  async uploadAllowance(accountId: string): Promise<UploadAllowance> {
    const { images: maxImages, storedBytes: maxBytes } = this.limits;
    if (maxImages === null && maxBytes === null) return UploadAllowance.unlimited();
    const used = await this.imageTotals(this.db, accountId);
    if (maxImages !== null && used.count >= maxImages) {
      throw exhausted('images', `this account has ${used.count} of ${maxImages} images`, HINTS.images);
    }
    if (maxBytes !== null && used.bytes >= maxBytes) {
      throw exhausted('storedBytes', `this account stores ${used.bytes} of ${maxBytes} bytes of images`, HINTS.images);
    }
    return new UploadAllowance(maxImages === null ? Infinity : maxImages - used.count, maxBytes === null ? Infinity : maxBytes - used.bytes, {
      images: maxImages,
      bytes: maxBytes,
    });
  }

  /**
   * Inside the transaction that queues a run: the account's run slots (429: they free up by themselves) and its
   * training minutes today (402). A queued or running run holds its whole remaining budget, so runs queued together
   * cannot pass the daily quota between them.
   */
  async assertCanQueueRun(tx: Prisma.TransactionClient, accountId: string, budgetSeconds: number, now = new Date()) {
    const { activeRuns: maxActive, trainingMinutesPerDay: maxMinutes } = this.limits;
    if (maxActive === null && maxMinutes === null) return;
    await lockAccount(tx, accountId, 'runs');
    const t = await this.training(tx, accountId, now);
    if (maxActive !== null && t.active >= maxActive) {
      throw new TooManyRequestsError(
        `This account already has ${t.active} training runs queued or running, its limit; train again when one has finished`,
        RUN_SLOT_RETRY_AFTER_S,
      );
    }
    if (maxMinutes !== null) {
      const left = maxMinutes * 60 - t.usedSeconds - t.reservedSeconds;
      if (budgetSeconds > left) {
        const fmt = (s: number) => `${Math.max(0, Math.floor(s / 60))} min`;
        throw exhausted(
          'trainingMinutesPerDay',
          `this run's time budget is ${budgetSeconds} s, and of today's ${maxMinutes} training minutes ${fmt(t.usedSeconds)} are used and ` +
            `${fmt(t.reservedSeconds)} held by queued or running runs`,
          'train with a smaller settings.timeBudgetSeconds, or after 00:00 UTC',
        );
      }
    }
  }

  private async imageTotals(client: Client, accountId: string) {
    const agg = await client.image.aggregate({ where: { model: { accountId } }, _count: { _all: true }, _sum: { size: true } });
    return { count: agg._count._all, bytes: agg._sum.size ?? 0 };
  }

  private async training(client: Client, accountId: string, now: Date) {
    const dayStart = startOfUtcDay(now);
    const runs = await client.trainingRun.findMany({
      where: { model: { accountId }, OR: [{ startedAt: { gte: dayStart } }, { status: { in: ACTIVE } }] },
      select: { status: true, startedAt: true, finishedAt: true, settings: true },
    });
    let usedSeconds = 0;
    let reservedSeconds = 0;
    let active = 0;
    for (const r of runs) {
      const elapsed = r.startedAt ? Math.max(0, ((r.finishedAt ?? now).getTime() - r.startedAt.getTime()) / 1000) : 0;
      if (r.startedAt && r.startedAt >= dayStart) usedSeconds += elapsed;
      if (!ACTIVE.includes(r.status)) continue;
      active++;
      const budget = runBudgetSeconds(r.settings, this.opts.defaultBudgetSeconds);
      reservedSeconds += r.status === 'queued' ? budget : Math.max(0, budget - elapsed);
    }
    return { usedSeconds, reservedSeconds, active };
  }
}

const NOUNS = { models: 'models', keys: 'active API keys', webhooks: 'webhooks' } as const;
const HINTS: Record<QuotaName | 'storedBytes', string> = {
  models: 'delete a model, or ask the operator for a higher quota',
  keys: 'revoke a key, or ask the operator for a higher quota',
  webhooks: 'delete a webhook, or ask the operator for a higher quota',
  images: 'delete images or models, or ask the operator for a higher quota',
  storedBytes: 'delete images or models, or ask the operator for a higher quota',
  trainingMinutesPerDay: 'train again after 00:00 UTC',
  activeRuns: 'wait for a run to finish',
};

/** The message names the quota first, as the original service's 402 did. */
function exhausted(quota: string, situation: string, hint: string): QuotaExceededError {
  return new QuotaExceededError(quota, `Quota exhausted: ${quota} (${situation}); ${hint}`);
}

/** Serialises one account's quota checks of one kind with the writes they guard, until the transaction ends. */
async function lockAccount(tx: Prisma.TransactionClient, accountId: string, kind: string) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`tailor-quota:${kind}:${accountId}`}, 0))`;
}
