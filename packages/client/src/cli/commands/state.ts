import { checkFlags } from '../args';
import type { CommandContext } from '../context';
import { UsageError } from '../exit-codes';

export const stateUsage = `tailor state [--model ID] [--json]
    One line: "<state> <status>", e.g. "5 Ready (version 1)". State numbers are NanoNets': -1 error, 0 created,
    1 uploaded, 2 ready to train, 3 queued, 4 training, 5 ready for prediction. Made for: watch -n 5 tailor state`;

export async function stateCommand(ctx: CommandContext): Promise<number> {
  checkFlags(ctx.args, ['model', 'json']);
  if (ctx.args.positionals.length > 1) throw new UsageError(stateUsage);
  const m = await ctx.client().getModel(ctx.modelId());
  if (ctx.args.flags.json) ctx.print(JSON.stringify({ id: m.id, state: m.state, status: m.status, activeVersion: m.activeVersion, imageCount: m.imageCount }));
  else ctx.print(`${m.state} ${m.status}`);
  return 0;
}
