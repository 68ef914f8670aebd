import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '@tailor/config';
import { AccountService } from '@tailor/core';
import { createDb } from '@tailor/db';
import { createTestDatabase, type TestDatabase } from '../support/database';

function admin(args: string[], databaseUrl: string) {
  const res = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'apps/server/src/admin.ts'), ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: res.status, out: res.stdout + res.stderr };
}

describe('tailor-admin: accounts and keys from the command line', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it('creates an account and keys (shown once, stored hashed), lists and revokes them', async () => {
    const created = admin(['accounts', 'create', '--name', 'alice', '--email', 'alice@example.test'], db.url);
    expect(created.status).toBe(0);
    const accountId = /account ([0-9a-f-]{36})/.exec(created.out)![1]!;
    const key = /api key \(shown once\): (tl_\S+)/.exec(created.out)![1]!;

    const extra = admin(['keys', 'create', '--account', accountId, '--scopes', 'predict', '--name', 'ci'], db.url);
    expect(extra.status).toBe(0);
    const predictKey = /api key \(shown once\): (tl_\S+)/.exec(extra.out)![1]!;
    const keyId = /key ([0-9a-f-]{36}) scopes=predict/.exec(extra.out)![1]!;

    const prisma = createDb(db.url, { poolSize: 1 });
    try {
      const rows = await prisma.apiKey.findMany();
      // Only hashes are stored.
      expect(rows.map((r) => r.hash)).not.toContain(key);
      expect(JSON.stringify(rows)).not.toContain(key.slice(8));
      const accounts = new AccountService(prisma);
      expect((await accounts.authenticate(key)).accountId).toBe(accountId);
      expect((await accounts.authenticate(predictKey)).scopes).toEqual(['predict']);

      const listed = admin(['keys', 'list', '--account', accountId], db.url);
      expect(listed.out).toContain(keyId);
      expect(listed.out).not.toContain(predictKey);
      expect(admin(['keys', 'revoke', '--account', accountId, '--key', keyId], db.url).status).toBe(0);
      await expect(accounts.authenticate(predictKey)).rejects.toThrow(/Invalid API key/);
    } finally {
      await prisma.$disconnect();
    }
    expect(admin(['accounts', 'list'], db.url).out).toContain('alice');
    expect(admin(['keys', 'create', '--account', accountId, '--scopes', 'root'], db.url).status).toBe(2);
  }, 120_000);
});
