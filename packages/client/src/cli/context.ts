import { configFromEnv } from '../config';
import { TailorClient } from '../tailor-client';
import { stringFlag, type ParsedArgs } from './args';
import { UsageError } from './exit-codes';

/** What every command gets: the parsed arguments, a configured client, and the streams to write to. */
export interface CommandContext {
  args: ParsedArgs;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  client(): TailorClient;
  /** The model to act on: --model, else TAILOR_MODEL_ID / NANONETS_MODEL_ID. */
  modelId(): string;
  print(line: string): void;
  /** Human-oriented notes on stderr (suppressed by --quiet) so stdout stays machine-readable. */
  note(line: string): void;
}

export function createContext(args: ParsedArgs, env: NodeJS.ProcessEnv, stdout: NodeJS.WriteStream, stderr: NodeJS.WriteStream): CommandContext {
  const config = configFromEnv(env);
  const url = (stringFlag(args, 'url') ?? config.url).replace(/\/+$/, '');
  const apiKey = stringFlag(args, 'key') ?? config.apiKey;
  let client: TailorClient | undefined;
  return {
    args,
    env,
    stdout,
    stderr,
    client() {
      if (!apiKey) throw new UsageError('no API key: set TAILOR_API_KEY (or NANONETS_API_KEY), or pass --key');
      return (client ??= new TailorClient({ url, apiKey, userAgent: 'tailor-cli' }));
    },
    modelId() {
      const id = stringFlag(args, 'model') ?? config.modelId;
      if (!id) throw new UsageError('no model: set TAILOR_MODEL_ID (or NANONETS_MODEL_ID), or pass --model <id>');
      return id;
    },
    print: (line) => void stdout.write(line + '\n'),
    note: (line) => void (args.flags.quiet ? undefined : stderr.write(line + '\n')),
  };
}
