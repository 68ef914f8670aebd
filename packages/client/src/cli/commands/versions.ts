import { checkFlags } from '../args';
import type { CommandContext } from '../context';
import { UsageError } from '../exit-codes';
import { formatTable, percent } from '../format-table';

export const versionsUsage = `tailor versions [--model ID] [--json]        list trained versions, newest first
  tailor versions show <n> [--json]              one version with its full evaluation (JSON)
  tailor versions activate <n>                   make version n the one predictions use`;

export async function versionsCommand(ctx: CommandContext): Promise<number> {
  checkFlags(ctx.args, ['model', 'json']);
  const [, sub, n, ...extra] = ctx.args.positionals;
  const client = ctx.client();
  const modelId = ctx.modelId();
  if (sub === undefined || sub === 'list') {
    const versions = await client.listVersions(modelId);
    if (ctx.args.flags.json) ctx.print(JSON.stringify(versions, null, 2));
    else
      ctx.print(
        formatTable(
          ['VERSION', 'ACTIVE', 'ARCHITECTURE', 'ACCURACY', 'SEED', 'CREATED'],
          versions.map((v) => [
            String(v.number),
            v.active ? 'yes' : '',
            v.architecture,
            typeof v.metrics.accuracy === 'number' ? percent(v.metrics.accuracy) : '-',
            String(v.seed),
            v.createdAt,
          ]),
        ),
      );
    return 0;
  }
  if ((sub === 'show' || sub === 'activate') && n && extra.length === 0) {
    const v = sub === 'show' ? await client.getVersion(modelId, n) : await client.activateVersion(modelId, n);
    if (sub === 'show' || ctx.args.flags.json) ctx.print(JSON.stringify(v, null, 2));
    else ctx.print(`version ${v.number} is now active`);
    return 0;
  }
  throw new UsageError(versionsUsage);
}
