import { UsageError } from './exit-codes';

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | boolean>;
}

/**
 * Flags that take no value; every other `--flag` takes the next word (or `--flag=value`). `--version` is not one:
 * it takes a version number (`tailor predict --version 2`).
 */
const BOOLEAN_FLAGS = new Set(['json', 'wait', 'help', 'quiet']);
const ALIASES: Record<string, string> = { m: 'model', h: 'help', k: 'top', q: 'quiet', j: 'json', o: 'output' };

/** A small GNU-style parser: long flags, `-x` aliases, `--` ends flags. No dependency, predictable errors. */
export function parseArgs(argv: string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('-') && a !== '-' && !/^-\d/.test(a)) {
      const body = a.replace(/^--?/, '');
      const eq = body.indexOf('=');
      const rawName = eq >= 0 ? body.slice(0, eq) : body;
      const name = ALIASES[rawName] ?? rawName;
      if (BOOLEAN_FLAGS.has(name)) {
        if (eq >= 0) throw new UsageError(`--${name} takes no value`);
        flags[name] = true;
      } else if (eq >= 0) flags[name] = body.slice(eq + 1);
      else {
        const v = argv[++i];
        if (v === undefined) throw new UsageError(`--${name} needs a value`);
        flags[name] = v;
      }
    } else positionals.push(a);
  }
  return { positionals, flags };
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function intFlag(args: ParsedArgs, name: string, min = 0): number | undefined {
  const v = stringFlag(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return n;
}

/** Refuses flags a command does not know, so a typo is an error (exit 2), not silently ignored. */
export function checkFlags(args: ParsedArgs, allowed: string[]): void {
  const ok = new Set([...allowed, 'url', 'key', 'help', 'quiet']);
  for (const f of Object.keys(args.flags)) if (!ok.has(f)) throw new UsageError(`unknown option --${f}`);
}
