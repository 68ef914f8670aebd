import { scanClassFolders } from '../../upload';
import { checkFlags, stringFlag } from '../args';
import type { CommandContext } from '../context';
import { UsageError } from '../exit-codes';
import { formatTable } from '../format-table';

export const modelsUsage = `tailor models create <category>... | --from <folder>  [--name N] [--architecture A]
    Create a model; prints only its id on stdout (export TAILOR_MODEL_ID=$(tailor models create ...)).
    --from takes the categories from the class sub-folders of a dataset folder.
  tailor models list [--json]
  tailor models show [<id>] [--json]     (default: TAILOR_MODEL_ID / NANONETS_MODEL_ID)`;

export async function modelsCommand(ctx: CommandContext): Promise<number> {
  const [, sub, ...rest] = ctx.args.positionals;
  const json = !!ctx.args.flags.json;
  switch (sub) {
    case 'create': {
      checkFlags(ctx.args, ['from', 'name', 'architecture', 'json']);
      const from = stringFlag(ctx.args, 'from');
      let categories = rest;
      if (from) {
        if (rest.length) throw new UsageError('give categories either as arguments or with --from, not both');
        categories = (await scanClassFolders(from)).categories;
      }
      if (categories.length < 2) throw new UsageError('a model needs at least two categories');
      const model = await ctx.client().createModel({ categories, name: stringFlag(ctx.args, 'name'), architecture: stringFlag(ctx.args, 'architecture') });
      if (json) ctx.print(JSON.stringify(model, null, 2));
      else {
        ctx.print(model.id);
        ctx.note(`created model ${model.id} with categories ${categories.join(', ')}`);
        ctx.note(`next: export TAILOR_MODEL_ID=${model.id}`);
      }
      return 0;
    }
    case 'list': {
      checkFlags(ctx.args, ['json']);
      const models = await ctx.client().listModels();
      if (json) ctx.print(JSON.stringify(models, null, 2));
      else
        ctx.print(
          formatTable(
            ['ID', 'NAME', 'STATE', 'IMAGES', 'VERSION', 'STATUS'],
            models.map((m) => [m.id, m.name ?? '-', String(m.state), String(m.imageCount), m.activeVersion == null ? '-' : String(m.activeVersion), m.status]),
          ),
        );
      return 0;
    }
    case 'show': {
      checkFlags(ctx.args, ['json', 'model']);
      const id = rest[0] ?? ctx.modelId();
      const m = await ctx.client().getModel(id);
      if (json) ctx.print(JSON.stringify(m, null, 2));
      else {
        ctx.print(`id:            ${m.id}`);
        ctx.print(`name:          ${m.name ?? '-'}`);
        ctx.print(`state:         ${m.state} (${m.status})`);
        ctx.print(`architecture:  ${m.architecture}`);
        ctx.print(`active version: ${m.activeVersion ?? '-'}`);
        ctx.print(`images:        ${m.imageCount}`);
        for (const c of m.categories) ctx.print(`  ${c.name.padEnd(20)} ${c.count}`);
      }
      return 0;
    }
    default:
      throw new UsageError(sub ? `unknown models command "${sub}"\n${modelsUsage}` : modelsUsage);
  }
}
