/**
 * `r1-train r1 [--config FILE] [--out DIR] [--resume]`: the R1 pipeline (pipelines/r1.ts). Returns the exit code:
 * 0 done, 1 failed, 2 usage error, 130 interrupted (rerun with --resume); never calls process.exit.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend } from '@r1/model';
import { runR1 } from '../pipelines/r1';
import { loadR1Config } from '../pipelines/r1-config';

const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const R1_CONFIG = join(APP_DIR, 'configs', 'r1.yaml');

export const R1_USAGE = `usage:
  r1-train r1 [--config FILE] [--out DIR] [--resume]
  The DeepSeek-R1 pipeline in miniature: cold start → reasoning RL with language consistency → rejection sampling
  + non-reasoning data → SFT from the base, beside an R1-Zero baseline from the same base. Default config
  ${R1_CONFIG}; default out runs/r1. Writes OUT/summary.json, OUT/report.html and one directory per stage;
  --resume skips finished stages and continues an interrupted one from its last checkpoint.`;

export interface R1Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export async function r1Command(args: readonly string[], io: R1Io): Promise<number> {
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
    io.stderr(`r1-train r1: ${(error as Error).message}\n${R1_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(`${R1_USAGE}\n`);
    return 0;
  }
  try {
    const config = loadR1Config(typeof values.config === 'string' ? values.config : R1_CONFIG);
    await initBackend(undefined, { log: (line) => io.stderr(`${line}\n`) });
    let interrupted = false;
    const onSigint = () => {
      interrupted = true;
    };
    process.on('SIGINT', onSigint);
    try {
      const summary = await runR1({
        config,
        out: typeof values.out === 'string' ? values.out : 'runs/r1',
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
    io.stderr(`r1-train r1: ${(error as Error).message}\n`);
    return 1;
  }
}
