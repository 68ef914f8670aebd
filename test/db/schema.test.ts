import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Prisma } from '@prisma/client';
import { applyMigrations, MIGRATIONS_DIR } from '@tailor/db';
import { REPO_ROOT } from '@tailor/config';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database';

function prisma(args: string[], databaseUrl: string) {
  const res = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'prisma.js'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
    timeout: 90_000,
  });
  return { status: res.status, out: `${res.stdout}${res.stderr}` };
}

describe('database schema', () => {
  let db: TestDatabase;
  let client: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it('applies the committed migrations to an empty database, once', async () => {
    const first = await applyMigrations(client);
    expect(first.length).toBeGreaterThan(0);
    expect(await applyMigrations(client)).toEqual([]);
    const rows = await client.query('SELECT migration_name, finished_at FROM "_prisma_migrations" ORDER BY migration_name');
    expect(rows.rows.map((r) => r.migration_name)).toEqual(first);
    expect(rows.rows.every((r) => r.finished_at !== null)).toBe(true);
  });

  it('has exactly the tables and columns the Prisma schema declares', async () => {
    for (const model of Prisma.dmmf.datamodel.models) {
      const table = model.dbName ?? model.name;
      const expected = model.fields
        .filter((f) => f.kind === 'scalar' || f.kind === 'enum')
        .map((f) => f.dbName ?? f.name)
        .sort();
      const actual = await client.query(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY column_name`,
        [table],
      );
      expect({ table, columns: actual.rows.map((r) => r.column_name).sort() }).toEqual({ table, columns: expected });
    }
  });

  it('the migrations produce the Prisma schema: prisma migrate diff finds nothing to change', () => {
    const res = prisma(['migrate', 'diff', '--from-migrations', MIGRATIONS_DIR, '--to-schema-datamodel', 'prisma/schema.prisma', '--exit-code'], db.url);
    // --exit-code: 0 = no difference, 2 = difference, 1 = error.
    expect({ status: res.status, out: res.out }).toMatchObject({ status: 0 });
    expect(res.out).toMatch(/empty migration|No difference/i);
  });

  it('guards against the diff silently doing nothing: from an empty database it prints the whole schema', () => {
    const res = prisma(['migrate', 'diff', '--from-empty', '--to-schema-datamodel', 'prisma/schema.prisma', '--script'], db.url);
    expect(res.status).toBe(0);
    expect(res.out).toContain('CREATE TABLE "accounts"');
    expect(res.out).toContain('CREATE TABLE "model_versions"');
  });
});
