import type { Config } from '@tailor/config';
import type { AccountService } from '@tailor/core';
import { hashApiKey } from '@tailor/core';
import type { Db } from '@tailor/db';

/**
 * First start of an empty installation: create the first account. With TAILOR_BOOTSTRAP_API_KEY that key is used (for
 * scripts and CI); without it a fresh key is generated and returned so the caller can print it once.
 */
export async function bootstrapAccount(config: Config, db: Db, accounts: AccountService): Promise<{ key?: string; created: boolean }> {
  const wanted = config.TAILOR_BOOTSTRAP_API_KEY;
  if (wanted) {
    const existing = await db.apiKey.findUnique({ where: { hash: hashApiKey(wanted) } });
    if (existing) return { created: false };
  }
  // Only an empty installation is bootstrapped; an advisory lock keeps two processes starting at once from both doing it.
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(7468696)`;
    if ((await tx.account.count()) > 0) return { created: false };
    const { key } = await accounts.createAccount({ name: 'admin', key: wanted });
    return { key: wanted ? undefined : key.key, created: true };
  });
}
