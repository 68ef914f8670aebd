import { checkFlags, stringFlag } from '../args';
import type { CommandContext } from '../context';
import { UsageError } from '../exit-codes';
import { formatTable } from '../format-table';

export const keysUsage = `tailor keys create [--name N] [--scopes train,predict,admin] [--json]
    Create an API key (needs an admin key); prints only the new key on stdout: it is shown once.
  tailor keys list [--json]`;

const SCOPES = ['train', 'predict', 'admin'] as const;

export async function keysCommand(ctx: CommandContext): Promise<number> {
  const sub = ctx.args.positionals[1];
  if (ctx.args.positionals.length > 2) throw new UsageError(keysUsage);
  if (sub === 'create') {
    checkFlags(ctx.args, ['name', 'scopes', 'json']);
    const raw = stringFlag(ctx.args, 'scopes');
    const scopes = raw?.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = scopes?.filter((s) => !(SCOPES as readonly string[]).includes(s));
    if (bad?.length) throw new UsageError(`unknown scope ${bad.join(', ')} (use ${SCOPES.join(', ')})`);
    const key = await ctx.client().createKey({ name: stringFlag(ctx.args, 'name'), scopes: scopes as Array<(typeof SCOPES)[number]> | undefined });
    if (ctx.args.flags.json) ctx.print(JSON.stringify(key, null, 2));
    else {
      ctx.print(key.key);
      ctx.note(`created key ${key.prefix}… (${key.scopes.join(', ')}); it is not shown again`);
    }
    return 0;
  }
  if (sub === 'list') {
    checkFlags(ctx.args, ['json']);
    const keys = await ctx.client().listKeys();
    if (ctx.args.flags.json) ctx.print(JSON.stringify(keys, null, 2));
    else
      ctx.print(
        formatTable(
          ['ID', 'NAME', 'PREFIX', 'SCOPES', 'CREATED', 'LAST USED', 'REVOKED'],
          keys.map((k) => [k.id, k.name, k.prefix, k.scopes.join(','), k.createdAt, k.lastUsedAt ?? '-', k.revokedAt ?? '-']),
        ),
      );
    return 0;
  }
  throw new UsageError(keysUsage);
}
