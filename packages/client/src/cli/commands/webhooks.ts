import { checkFlags, stringFlag } from '../args';
import type { CommandContext } from '../context';
import { UsageError } from '../exit-codes';
import { formatTable } from '../format-table';
import type { WebhookEvent } from '../../responses';

export const webhooksUsage = `tailor webhooks create <url> [--events training.finished,training.failed] [--model ID] [--json]
    Register a webhook (all models of the account unless --model); prints its id on stdout and the signing secret
    (shown once) on stderr, or both with --json.
  tailor webhooks list [--json]
  tailor webhooks deliveries <webhook-id> [--json]      the delivery log: event, status, attempts, response code
  tailor webhooks delete <webhook-id>`;

const EVENTS = ['training.finished', 'training.failed'];

export async function webhooksCommand(ctx: CommandContext): Promise<number> {
  const [, sub, arg, ...extra] = ctx.args.positionals;
  if (extra.length) throw new UsageError(webhooksUsage);
  const client = ctx.client();
  const json = !!ctx.args.flags.json;
  if (sub === 'create' && arg) {
    checkFlags(ctx.args, ['events', 'model', 'json']);
    const events = stringFlag(ctx.args, 'events')?.split(',').map((e) => e.trim()).filter(Boolean);
    const bad = events?.filter((e) => !EVENTS.includes(e));
    if (bad?.length) throw new UsageError(`unknown event ${bad.join(', ')} (use ${EVENTS.join(', ')})`);
    const hook = await client.createWebhook({ url: arg, events: events as WebhookEvent[] | undefined, modelId: stringFlag(ctx.args, 'model') });
    if (json) ctx.print(JSON.stringify(hook, null, 2));
    else {
      ctx.print(hook.id);
      ctx.note(`webhook ${hook.id} -> ${hook.url} (${hook.events.join(', ')}${hook.modelId ? `, model ${hook.modelId}` : ', every model'})`);
      ctx.note(`signing secret (shown once): ${hook.secret}`);
    }
    return 0;
  }
  if (sub === 'list' && !arg) {
    checkFlags(ctx.args, ['json']);
    const hooks = await client.listWebhooks();
    if (json) ctx.print(JSON.stringify(hooks, null, 2));
    else ctx.print(formatTable(['ID', 'URL', 'EVENTS', 'MODEL', 'ENABLED'], hooks.map((h) => [h.id, h.url, h.events.join(','), h.modelId ?? '(all)', h.enabled ? 'yes' : 'no'])));
    return 0;
  }
  if (sub === 'deliveries' && arg) {
    checkFlags(ctx.args, ['json']);
    const rows = await client.webhookDeliveries(arg);
    if (json) ctx.print(JSON.stringify(rows, null, 2));
    else
      ctx.print(
        formatTable(
          ['EVENT', 'STATUS', 'ATTEMPTS', 'CODE', 'CREATED', 'ERROR'],
          rows.map((d) => [d.event, d.status, String(d.attempts), d.responseCode == null ? '-' : String(d.responseCode), d.createdAt, d.error ?? '']),
        ),
      );
    return 0;
  }
  if (sub === 'delete' && arg) {
    checkFlags(ctx.args, []);
    await client.deleteWebhook(arg);
    ctx.note(`deleted webhook ${arg}`);
    return 0;
  }
  throw new UsageError(webhooksUsage);
}
