/**
 * `npm run tailor-admin -- <command>`: accounts and API keys from the command line (keys are shown once).
 *   accounts create --name NAME [--email EMAIL]
 *   accounts list
 *   keys create --account ACCOUNT_ID [--name NAME] [--scopes train,predict,admin]
 *   keys list --account ACCOUNT_ID
 *   keys revoke --account ACCOUNT_ID --key KEY_ID
 * Uses DATABASE_URL, or the embedded PostgreSQL under TAILOR_DATA_DIR (the running server's, or started for the command).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '@tailor/config';
import { AccountService, SCOPES, type Scope } from '@tailor/core';
import { createDb, migrateDatabase, startEmbeddedPostgres } from '@tailor/db';

async function databaseUrl(): Promise<{ url: string; stop?: () => Promise<void> }> {
  const config = loadConfig();
  if (config.DATABASE_URL) return { url: config.DATABASE_URL };
  // The running server's embedded PostgreSQL if there is one, else one started for this command.
  return startEmbeddedPostgres(config.dataDir, config.TAILOR_EMBEDDED_PG_PORT, { reuseRunning: true });
}

function usage(): never {
  console.error(
    'usage: tailor-admin accounts create --name NAME [--email EMAIL] | accounts list |\n' +
      '       keys create --account ID [--name NAME] [--scopes train,predict,admin] | keys list --account ID |\n' +
      '       keys revoke --account ID --key KEY_ID',
  );
  process.exit(2);
}

async function main() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { name: { type: 'string' }, email: { type: 'string' }, account: { type: 'string' }, scopes: { type: 'string' }, key: { type: 'string' } },
    });
  } catch (err) {
    // `--help` or an unknown option: the usage, not parseArgs' advice about positionals.
    if (!process.argv.includes('--help') && !process.argv.includes('-h')) console.error(err instanceof Error ? err.message : err);
    usage();
  }
  const { positionals, values } = parsed;
  const [group, command] = positionals;
  if (!group || !command) usage();
  const scopes = values.scopes?.split(',').map((s) => s.trim()) as Scope[] | undefined;
  if (scopes?.some((s) => !SCOPES.includes(s))) {
    console.error(`unknown scope in '${values.scopes}' (known: ${SCOPES.join(', ')})`);
    process.exit(2);
  }
  const { url, stop } = await databaseUrl();
  await migrateDatabase(url);
  const db = createDb(url, { poolSize: 2 });
  const accounts = new AccountService(db);
  try {
    if (group === 'accounts' && command === 'create') {
      if (!values.name) usage();
      const { account, key } = await accounts.createAccount({ name: values.name, email: values.email, scopes });
      console.log(`account ${account.id} (${account.name})`);
      console.log(`api key (shown once): ${key.key}`);
    } else if (group === 'accounts' && command === 'list') {
      for (const a of await accounts.listAccounts()) {
        console.log(`${a.id}  ${a.name}  keys=${a._count.apiKeys} models=${a._count.models}  ${a.createdAt.toISOString()}`);
      }
    } else if (group === 'keys' && command === 'create') {
      if (!values.account) usage();
      const key = await accounts.createKey(values.account, { name: values.name, scopes });
      console.log(`key ${key.id} scopes=${key.scopes.join(',')}`);
      console.log(`api key (shown once): ${key.key}`);
    } else if (group === 'keys' && command === 'list') {
      if (!values.account) usage();
      for (const k of await accounts.listKeys(values.account)) {
        console.log(`${k.id}  ${k.prefix}…  ${k.name}  scopes=${k.scopes.join(',')}  last_used=${k.lastUsedAt?.toISOString() ?? '-'}${k.revokedAt ? '  REVOKED' : ''}`);
      }
    } else if (group === 'keys' && command === 'revoke') {
      if (!values.account || !values.key) usage();
      const ok = await accounts.revokeKey(values.account, values.key);
      console.log(ok ? 'revoked' : 'no such active key');
      if (!ok) process.exitCode = 1;
    } else usage();
  } finally {
    await db.$disconnect();
    await stop?.();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
