/**
 * The command-line front end every pipeline shares: `r1-train NAME [--config FILE] [--out DIR] [--resume]`. Loads
 * the config (the pipeline's default when none is given), starts the backend, runs the pipeline and prints its
 * summary as one JSON line. Returns the exit code: 0 done, 1 failed, 2 usage error, 130 interrupted (rerun with
 * --resume); never calls process.exit.
 */
import { parseArgs } from 'node:util';
import { initBackend } from '@r1/model';

export interface PipelineIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export interface PipelineCommand<C> {
  name: string;
  usage: string;
  defaultConfig: string;
  defaultOut: string;
  load: (path: string) => C;
  /** Runs the pipeline; null when it was interrupted (SIGINT, a stage stopped). */
  run: (o: { config: C; out: string; resume: boolean; log: (line: string) => void }) => Promise<unknown | null>;
}

export function pipelineCommand<C>(p: PipelineCommand<C>) {
  return async (args: readonly string[], io: PipelineIo): Promise<number> => {
    let values: Record<string, string | boolean | undefined>;
    try {
      ({ values } = parseArgs({
        args: [...args],
        options: {
          config: { type: 'string' },
          out: { type: 'string' },
          resume: { type: 'boolean' },
          help: { type: 'boolean' },
        },
      }));
    } catch (error) {
      io.stderr(`r1-train ${p.name}: ${(error as Error).message}\n${p.usage}\n`);
      return 2;
    }
    if (values.help) {
      io.stdout(`${p.usage}\n`);
      return 0;
    }
    try {
      const config = p.load(typeof values.config === 'string' ? values.config : p.defaultConfig);
      await initBackend(undefined, { log: (line) => io.stderr(`${line}\n`) });
      let interrupted = false;
      const onSigint = () => {
        interrupted = true;
      };
      process.on('SIGINT', onSigint);
      try {
        const summary = await p.run({
          config,
          out: typeof values.out === 'string' ? values.out : p.defaultOut,
          resume: values.resume === true,
          log: (line) => io.stderr(`${line}\n`),
        });
        if (summary === null) return interrupted ? 130 : 1;
        io.stdout(`${JSON.stringify(summary)}\n`);
        return 0;
      } finally {
        process.off('SIGINT', onSigint);
      }
    } catch (error) {
      io.stderr(`r1-train ${p.name}: ${(error as Error).message}\n`);
      return 1;
    }
  };
}
