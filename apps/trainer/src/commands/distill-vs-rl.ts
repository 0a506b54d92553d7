/**
 * `r1-train distill-vs-rl [--config FILE] [--out DIR] [--resume]`: Table 6 in miniature (pipelines/distill-vs-rl.ts). Returns the exit code:
 * 0 done, 1 failed, 2 usage error, 130 interrupted (rerun with --resume); never calls process.exit.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend } from '@r1/model';
import { runDistillVsRl } from '../pipelines/distill-vs-rl';
import { loadDistillVsRlConfig } from '../pipelines/distill-vs-rl-config';

const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DVR_CONFIG = join(APP_DIR, 'configs', 'distill-vs-rl.yaml');

export const DVR_USAGE = `usage:
  r1-train distill-vs-rl [--config FILE] [--out DIR] [--resume]
  Table 6 in miniature: a teacher (GRPO from base-r1) → rejection-sampled traces → SFT of a smaller student, against
  GRPO on the same student with a budget at least the distilled arm's; held-out and out-of-distribution pass@1 with
  the paired bootstrap. Default config ${DVR_CONFIG}; default out runs/distill-vs-rl. Writes OUT/summary.json,
  OUT/report.html and one directory per stage; --resume skips finished stages.`;

export interface DvrIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export async function distillVsRlCommand(args: readonly string[], io: DvrIo): Promise<number> {
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
    io.stderr(`r1-train distill-vs-rl: ${(error as Error).message}\n${DVR_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(`${DVR_USAGE}\n`);
    return 0;
  }
  try {
    const config = loadDistillVsRlConfig(typeof values.config === 'string' ? values.config : DVR_CONFIG);
    await initBackend(undefined, { log: (line) => io.stderr(`${line}\n`) });
    let interrupted = false;
    const onSigint = () => {
      interrupted = true;
    };
    process.on('SIGINT', onSigint);
    try {
      const summary = await runDistillVsRl({
        config,
        out: typeof values.out === 'string' ? values.out : 'runs/distill-vs-rl',
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
    io.stderr(`r1-train distill-vs-rl: ${(error as Error).message}\n`);
    return 1;
  }
}
