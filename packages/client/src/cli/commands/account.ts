import { checkFlags, stringFlag } from '../args';
import type { CommandContext } from '../context';
import { UsageError } from '../exit-codes';

export const accountUsage = `tailor account [--email ADDRESS|none] [--notify on|off] [--name N] [--json]
    Show the account of the key; with options, set where training notifications are e-mailed and whether to send them.`;

export async function accountCommand(ctx: CommandContext): Promise<number> {
  checkFlags(ctx.args, ['email', 'notify', 'name', 'json']);
  if (ctx.args.positionals.length > 1) throw new UsageError(accountUsage);
  const email = stringFlag(ctx.args, 'email');
  const notify = stringFlag(ctx.args, 'notify');
  const name = stringFlag(ctx.args, 'name');
  if (notify !== undefined && !['on', 'off'].includes(notify)) throw new UsageError('--notify takes on or off');
  const client = ctx.client();
  const account =
    email !== undefined || notify !== undefined || name !== undefined
      ? await client.updateAccount({ email: email === undefined ? undefined : email === 'none' ? null : email, notifyEmail: notify === undefined ? undefined : notify === 'on', name })
      : await client.account();
  if (ctx.args.flags.json) ctx.print(JSON.stringify(account, null, 2));
  else {
    ctx.print(`account:  ${account.id} (${account.name})`);
    ctx.print(`email:    ${account.email ?? '-'} (notifications ${account.notifyEmail ? 'on' : 'off'})`);
    ctx.print(`key scopes: ${account.scopes.join(', ')}`);
  }
  return 0;
}
