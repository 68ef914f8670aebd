import type { Db } from '@tailor/db';
import { ForbiddenError, UnauthorizedError } from '../errors';
import type { QuotaService } from '../quotas';
import { DEFAULT_SCOPES, SCOPES, displayPrefix, generateApiKey, hashApiKey, sameHash, type Scope } from './api-key';

export interface Principal {
  accountId: string;
  keyId: string;
  scopes: Scope[];
}

export interface CreatedKey {
  id: string;
  key: string;
  prefix: string;
  scopes: Scope[];
}

export class AccountService {
  constructor(
    private readonly db: Db,
    private readonly quotas?: QuotaService,
  ) {}

  /** Creates an account with its first key; the key is returned once and only its hash is stored. */
  async createAccount(input: { name: string; email?: string; key?: string; scopes?: Scope[] }) {
    const key = input.key ?? generateApiKey();
    const scopes = input.scopes ?? [...DEFAULT_SCOPES, 'admin'];
    const account = await this.db.account.create({
      data: {
        name: input.name,
        email: input.email,
        apiKeys: { create: { prefix: displayPrefix(key), hash: hashApiKey(key), scopes, name: 'first key' } },
      },
      include: { apiKeys: true },
    });
    const created = account.apiKeys[0]!;
    return { account, key: { id: created.id, key, prefix: created.prefix, scopes } satisfies CreatedKey };
  }

  async createKey(accountId: string, opts: { name?: string; scopes?: Scope[] } = {}): Promise<CreatedKey> {
    const key = generateApiKey();
    const scopes = opts.scopes ?? DEFAULT_SCOPES;
    const data = { accountId, name: opts.name ?? 'key', prefix: displayPrefix(key), hash: hashApiKey(key), scopes };
    const row = this.quotas
      ? await this.quotas.createWithin(accountId, 'keys', (tx) => tx.apiKey.create({ data }))
      : await this.db.apiKey.create({ data });
    return { id: row.id, key, prefix: row.prefix, scopes };
  }

  listKeys(accountId: string) {
    return this.db.apiKey.findMany({
      where: { accountId },
      select: { id: true, name: true, prefix: true, scopes: true, createdAt: true, lastUsedAt: true, revokedAt: true },
      orderBy: { createdAt: 'asc' },
    });
  }

  async revokeKey(accountId: string, keyId: string): Promise<boolean> {
    const res = await this.db.apiKey.updateMany({ where: { id: keyId, accountId, revokedAt: null }, data: { revokedAt: new Date() } });
    return res.count > 0;
  }

  listAccounts() {
    return this.db.account.findMany({ orderBy: { createdAt: 'asc' }, include: { _count: { select: { apiKeys: true, models: true } } } });
  }

  accountCount() {
    return this.db.account.count();
  }

  getAccount(accountId: string) {
    return this.db.account.findUniqueOrThrow({ where: { id: accountId } });
  }

  updateAccount(accountId: string, data: { name?: string; email?: string | null; notifyEmail?: boolean }) {
    return this.db.account.update({ where: { id: accountId }, data });
  }

  /**
   * Resolves a presented key to its account. Lookup is by hash (an index), and the stored hash is compared again in
   * constant time so the comparison leaks nothing about how much of a guess matched.
   */
  async authenticate(key: string | undefined): Promise<Principal> {
    if (!key) throw new UnauthorizedError();
    const hash = hashApiKey(key);
    const row = await this.db.apiKey.findUnique({ where: { hash } });
    if (!row || row.revokedAt || !sameHash(row.hash, hash)) throw new UnauthorizedError('Invalid API key');
    // Best effort, at most once a minute per key, so a busy key doesn't write on every request.
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
      void this.db.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } }).catch(() => {});
    }
    return { accountId: row.accountId, keyId: row.id, scopes: row.scopes.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s)) };
  }
}

export function requireScope(principal: Principal, scope: Scope): void {
  if (!principal.scopes.includes(scope) && !principal.scopes.includes('admin')) {
    throw new ForbiddenError(`This API key lacks the '${scope}' scope`);
  }
}
