#!/usr/bin/env node
/**
 * r1-train — R1-Zero on your machine.
 *
 *   r1-train demo                         the built-in R1-Zero demo (what `pnpm start` runs)
 *   r1-train r1 [--config FILE] [--out DIR] [--resume]                                     (commands/r1.ts)
 *   r1-train zero [--config FILE] [--resume DIR] [--moe] [--max-steps N]
 *   r1-train pretrain [--world arith|r1|code] [--out DIR] [--seed N] [--steps N]
 *   r1-train sft --model DIR --data FILE --out DIR [--config FILE.yaml] [--resume DIR] …   (commands/sft.ts)
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend } from '@r1/model';
import { distillVsRlCommand } from './commands/distill-vs-rl';
import { r1Command } from './commands/r1';
import { rmCommand } from './commands/rm';
import { sampleCommand } from './commands/sample';
import { sftCommand } from './commands/sft';
import { runZero } from './pipelines/zero';
import {
  DEFAULT_CODE_PRETRAIN_OPTIONS,
  DEFAULT_PRETRAIN_OPTIONS,
  DEFAULT_R1_PRETRAIN_OPTIONS,
  DEFAULT_STUDENT_PRETRAIN_OPTIONS,
  pretrain,
  WORLDS,
  type World,
} from './pretrain';
import { loadTrainerConfig, type TrainerConfig } from './trainer-config';

const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEMO_CONFIG = join(APP_DIR, 'configs', 'demo.yaml');

const USAGE = `usage:
  r1-train demo                                   run the built-in R1-Zero demo (configs/demo.yaml)
  r1-train zero [--config FILE] [--resume DIR] [--moe] [--max-steps N]
                                                  R1-Zero GRPO from a base checkpoint
  r1-train pretrain [--world arith|r1|code] [--student] [--out DIR] [--seed N] [--steps N]
                                                  build a base model from a seed (arith: the demo's; r1: the R1 pipeline's;
                                                  --student: distill-vs-rl's small student)
  r1-train r1 [--config FILE] [--out DIR] [--resume]
                                                  the R1 pipeline: cold start, reasoning RL, rejection sampling, SFT
  r1-train distill-vs-rl [--config FILE] [--out DIR] [--resume]
                                                  Table 6: distilling a teacher vs RL on a small student
  r1-train rm --model DIR --data FILE --out DIR …   reward models: preference (Bradley–Terry) or pointwise (r1-train rm --help)
  r1-train sample run|filter …                     rejection sampling: verified, filtered SFT data (r1-train sample --help)
  r1-train sft --model DIR --data FILE --out DIR …  SFT / distillation in TRL's formats (r1-train sft --help)
  --moe upcycles the dense base into a DeepSeek-V3-style MoE policy (shared expert = the dense FFN)`;

function usageError(message: string): never {
  console.error(`r1-train: ${message}\n${USAGE}`);
  process.exit(2);
}

/** Relative paths in a config file (the model, a task's data files) are relative to the file. */
function withModelPath(config: TrainerConfig, file: string): TrainerConfig {
  const at = (p: string) => (isAbsolute(p) ? p : resolve(dirname(file), p));
  const task = config.task.file;
  const rollout = config.rollout;
  return {
    ...config,
    model: at(config.model),
    rollout: rollout?.syncDir ? { ...rollout, syncDir: at(rollout.syncDir) } : rollout,
    task:
      task === null
        ? config.task
        : {
            ...config.task,
            file: { ...task, path: at(task.path), evalPath: task.evalPath === null ? null : at(task.evalPath) },
          },
  };
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === undefined || command === '--help' || command === '-h') {
    console.log(USAGE);
    return;
  }
  if (command === 'sft') {
    // Its own flags (TRL SFTConfig names via --config); it returns the exit code instead of exiting.
    process.exitCode = await sftCommand(rest, {
      stdout: (s) => process.stdout.write(s),
      stderr: (s) => process.stderr.write(s),
    });
    return;
  }
  if (command === 'rm') {
    process.exitCode = await rmCommand(rest, {
      stdout: (s) => process.stdout.write(s),
      stderr: (s) => process.stderr.write(s),
    });
    return;
  }
  if (command === 'distill-vs-rl') {
    process.exitCode = await distillVsRlCommand(rest, {
      stdout: (s) => process.stdout.write(s),
      stderr: (s) => process.stderr.write(s),
    });
    return;
  }
  if (command === 'r1') {
    process.exitCode = await r1Command(rest, {
      stdout: (s) => process.stdout.write(s),
      stderr: (s) => process.stderr.write(s),
    });
    return;
  }
  if (command === 'sample') {
    // Its own flags (shared with r1-eval); it returns the exit code instead of exiting.
    process.exitCode = await sampleCommand(rest, {
      stdout: (s) => process.stdout.write(s),
      stderr: (s) => process.stderr.write(s),
      env: process.env,
    });
    return;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        config: { type: 'string' },
        resume: { type: 'string' },
        moe: { type: 'boolean' },
        'max-steps': { type: 'string' },
        out: { type: 'string' },
        seed: { type: 'string' },
        steps: { type: 'string' },
        world: { type: 'string' },
        student: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    usageError((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const int = (name: string): number | undefined => {
    const v = values[name];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) usageError(`--${name} must be a non-negative integer, got ${String(v)}`);
    return n;
  };

  switch (command) {
    case 'pretrain': {
      const world = (values.world ?? 'arith') as World;
      if (!WORLDS.includes(world)) usageError(`--world must be one of ${WORLDS.join(', ')}, got ${String(world)}`);
      if (values.student === true && world !== 'r1')
        usageError("--student builds the R1 world's student; add --world r1");
      const defaults =
        values.student === true
          ? DEFAULT_STUDENT_PRETRAIN_OPTIONS
          : world === 'r1'
            ? DEFAULT_R1_PRETRAIN_OPTIONS
            : world === 'code'
              ? DEFAULT_CODE_PRETRAIN_OPTIONS
              : DEFAULT_PRETRAIN_OPTIONS;
      await initBackend();
      const out =
        typeof values.out === 'string'
          ? values.out
          : join(
              APP_DIR,
              'checkpoints',
              values.student === true ? 'student-r1' : world === 'arith' ? 'base-arith' : `base-${world}`,
            );
      const seed = int('seed') ?? defaults.seed;
      const steps = int('steps') ?? defaults.sft.steps;
      await pretrain({ ...defaults, out, seed, sft: { ...defaults.sft, steps } });
      return;
    }
    case 'demo':
    case 'zero': {
      const file = command === 'demo' ? DEMO_CONFIG : typeof values.config === 'string' ? values.config : DEMO_CONFIG;
      let config = withModelPath(loadTrainerConfig(file), file);
      if (values.moe === true && config.moe === null) {
        config = {
          ...config,
          moe: { nRoutedExperts: 4, numExpertsPerTok: 2 },
          grpo: { ...config.grpo, runName: `${config.grpo.runName ?? 'zero'}-moe` },
        };
      }
      const maxSteps = int('max-steps');
      if (maxSteps !== undefined) config = { ...config, grpo: { ...config.grpo, maxSteps } };
      const summary = await runZero({
        config,
        ...(typeof values.resume === 'string' ? { resume: values.resume } : {}),
      });
      console.log(JSON.stringify(summary));
      return;
    }
    default:
      usageError(`unknown command "${command}"`);
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(`r1-train: ${(error as Error).message}`);
    process.exit(1);
  },
);
