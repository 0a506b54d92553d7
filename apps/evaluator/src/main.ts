/**
 * The r1-eval command dispatcher: picks the subcommand, maps failures to exit codes (0 ok, 1 runtime failure,
 * 2 usage error) and prints every error as one clear message on stderr. It never calls process.exit, so tests run
 * it in-process; cli.ts is the thin executable around it.
 */
import { compareCommand, parseCompareArgs } from './compare';
import { COMPARE_HELP, MAIN_HELP, RUN_HELP, SCORE_HELP, WORKER_HELP } from './help';
import type { Io } from './io';
import { runCommand } from './run';
import { parseRunArgs } from './run-options';
import { parseScoreArgs, scoreCommand } from './score';
import { didYouMean, UsageError } from './usage-error';
import { workerCommand } from './worker-command';
import { parseWorkerArgs } from './worker-options';

const COMMANDS = ['run', 'worker', 'score', 'compare'] as const;

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run': {
        const options = parseRunArgs(rest);
        if (options === 'help') return help(io, RUN_HELP);
        return await runCommand(options, io);
      }
      case 'worker': {
        const options = parseWorkerArgs(rest);
        if (options === 'help') return help(io, WORKER_HELP);
        return await workerCommand(options, io);
      }
      case 'score': {
        const options = parseScoreArgs(rest);
        if (options === 'help') return help(io, SCORE_HELP);
        return await scoreCommand(options, io);
      }
      case 'compare': {
        const options = parseCompareArgs(rest);
        if (options === 'help') return help(io, COMPARE_HELP);
        return compareCommand(options, io);
      }
      case '--help':
      case '-h':
      case 'help':
        return help(io, MAIN_HELP);
      case undefined:
        io.stderr(MAIN_HELP);
        return 2;
      default:
        throw new UsageError(
          `unknown command '${command}'.${didYouMean(command, COMMANDS)} Commands: ${COMMANDS.join(', ')}`,
        );
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError) {
      const where = error.command === null ? 'r1-eval' : `r1-eval ${error.command}`;
      io.stderr(`${where}: ${message}\n`);
      return 2;
    }
    io.stderr(`r1-eval ${command}: ${message}\n`);
    return 1;
  }
}

function help(io: Io, text: string): number {
  io.stdout(text);
  return 0;
}
