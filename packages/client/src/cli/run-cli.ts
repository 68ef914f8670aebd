import { parseArgs } from './args';
import { accountCommand, accountUsage } from './commands/account';
import { keysCommand, keysUsage } from './commands/keys';
import { modelsCommand, modelsUsage } from './commands/models';
import { plotsCommand, plotsUsage } from './commands/plots';
import { predictCommand, predictUsage } from './commands/predict';
import { stateCommand, stateUsage } from './commands/state';
import { trainCommand, trainUsage } from './commands/train';
import { uploadCommand, uploadUsage } from './commands/upload';
import { versionsCommand, versionsUsage } from './commands/versions';
import { webhooksCommand, webhooksUsage } from './commands/webhooks';
import { datasetCommand, datasetUsage } from './commands/dataset';
import { exportCommand, exportUsage } from './commands/export';
import { runCommand, runUsage } from './commands/run';
import { createContext, type CommandContext } from './context';
import { EXIT, ExitError, exitCodeFor, messageFor, UsageError } from './exit-codes';

export const USAGE = `tailor: the command line for a Tailor server

Usage: tailor <command> [options]

  ${modelsUsage}
  ${uploadUsage}
  ${trainUsage}
  ${stateUsage}
  ${predictUsage}
  ${versionsUsage}
  ${plotsUsage}
  ${exportUsage}
  ${runUsage}
  ${datasetUsage}
  ${keysUsage}
  ${accountUsage}
  ${webhooksUsage}

Options for every command:
  --url URL       server (default: $TAILOR_URL, else http://localhost:3000)
  --key KEY       API key (default: $TAILOR_API_KEY, else $NANONETS_API_KEY)
  --model ID, -m  model (default: $TAILOR_MODEL_ID, else $NANONETS_MODEL_ID)
  --quiet, -q     no progress or notes on stderr
  --help, -h

Output: results on stdout (ids and keys alone on their line, so $(...) captures them); progress, notes and
errors on stderr.

Exit codes:
  0  ok
  1  API error: the server refused the request (the message names the HTTP status, error code and request id)
     or answered something that does not match the API contract
  2  usage or configuration error: bad arguments, no API key or model id, unreadable file or folder,
     folder classes that are not categories of the model
  3  training failed or was canceled (train --wait)
  4  the server could not be reached
  5  partly done: some images were rejected (upload) or could not be classified (predict)
  130 interrupted (Ctrl-C); train --wait stops following, the run goes on on the server
`;

const COMMANDS: Record<string, (ctx: CommandContext) => Promise<number>> = {
  models: modelsCommand,
  upload: uploadCommand,
  train: trainCommand,
  state: stateCommand,
  predict: predictCommand,
  versions: versionsCommand,
  plots: plotsCommand,
  export: exportCommand,
  run: runCommand,
  dataset: datasetCommand,
  keys: keysCommand,
  account: accountCommand,
  webhooks: webhooksCommand,
};

/** Runs one CLI invocation and returns its exit code; never exits the process (tests call this in-process). */
export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  stdout: NodeJS.WriteStream = process.stdout,
  stderr: NodeJS.WriteStream = process.stderr,
): Promise<number> {
  try {
    const args = parseArgs(argv);
    const name = args.positionals[0];
    if (!name || name === 'help' || (args.flags.help && !name)) {
      (name || args.flags.help ? stdout : stderr).write(USAGE);
      return name || args.flags.help ? EXIT.OK : EXIT.USAGE;
    }
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`unknown command "${name}"; see tailor --help`);
    if (args.flags.help) {
      stdout.write(USAGE);
      return EXIT.OK;
    }
    return await command(createContext(args, env, stdout, stderr));
  } catch (err) {
    stderr.write((err instanceof ExitError ? err.message : messageFor(err)) + '\n');
    return exitCodeFor(err);
  }
}
