import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { parse as parseConnectionString } from 'pg-connection-string';

// PostgreSQL catalog types the Prisma pg adapter rejects (prisma/prisma#27403). The JS schema engine reads catalog
// columns of these types while introspecting, so they are reported as text, which is what their values are.
const NAME_OID = 19;
const CHAR_OID = 18;
const TEXT_OID = 25;

/** A pg.Pool that reports `name` and `"char"` result columns as `text`. */
class CatalogFriendlyPool extends pg.Pool {
  // pg's query() has a dozen overloads (promise and callback forms); this override passes every one through.
  /* eslint-disable @typescript-eslint/no-explicit-any */
  override query(...args: any[]): any {
    const callback = typeof args[args.length - 1] === 'function' ? args.pop() : undefined;
    const promise = (super.query as (...a: any[]) => Promise<pg.QueryResult>)(...args).then((result) => {
      for (const field of result.fields ?? []) {
        if (field.dataTypeID === NAME_OID || field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
      }
      return result;
    });
    if (!callback) return promise;
    promise.then((r) => callback(undefined, r), (e) => callback(e));
  }
  /* eslint-enable @typescript-eslint/no-explicit-any */
}

export function poolConfig(databaseUrl: string, extra: pg.PoolConfig = {}): pg.PoolConfig {
  // Parsed into fields (not passed as connectionString) so a derived config can change the database name:
  // a connectionString would take precedence over it.
  const parsed = parseConnectionString(databaseUrl);
  return {
    host: parsed.host ?? undefined,
    port: parsed.port ? Number(parsed.port) : undefined,
    user: parsed.user ?? undefined,
    password: parsed.password ?? undefined,
    database: parsed.database ?? undefined,
    ...extra,
  };
}

/**
 * The driver adapter factory for Prisma, used by the client at run time and by the CLI (migrations).
 * `connectToShadowDb` creates a uniquely named shadow database on the same server and force-drops it afterwards;
 * the stock implementation would reuse the main database when given a connection string.
 */
export class TailorPrismaPg extends PrismaPg {
  constructor(private readonly cfg: pg.PoolConfig) {
    super(new CatalogFriendlyPool(cfg), { disposeExternalPool: true });
  }

  override async connectToShadowDb() {
    const admin = new pg.Pool({ ...this.cfg, max: 1 });
    const database = `tailor_shadow_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
    await admin.query(`CREATE DATABASE "${database}"`);
    const shadow = new PrismaPg(new CatalogFriendlyPool({ ...this.cfg, database }), { disposeExternalPool: true });
    const adapter = await shadow.connect();
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await admin.end();
    };
    return adapter;
  }
}
