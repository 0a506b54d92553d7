/**
 * The `r1-train distill-vs-rl` config (default `apps/trainer/configs/distill-vs-rl.yaml`); TRL's names for the GRPO
 * and SFT knobs, paths relative to the file, `extends:` as in the r1 config.
 *
 * ```yaml
 * model: ../checkpoints/base-r1        # the teacher's base
 * task: { name: arithmetic, minOperands: 4, maxOperands: 4 }   # the harder task
 * ood_task: { minOperands: 5, maxOperands: 5 }                  # more operands than any training problem
 * student: { checkpoint: ../checkpoints/student-r1 }  # or { seed, steps, model: { hidden_size: 64, … } }: built here
 * grpo: { … }                         # shared by every RL run
 * teacher: { max_steps: 60 }           # GRPO overrides
 * sampling: { problems: 800, k: 4, temperature: 1.0 }
 * distill: { num_train_epochs: 3, … }  # SFT of the student on the teacher's data
 * rl: { max_steps: 150, learning_rate: 1.0e-3 }   # GRPO on the student, same rewards, budget ≥ the distilled arm
 * distilled_plus_rl: { max_steps: 30 } # optional
 * rl_tuning: "how the RL arm's settings were chosen"
 * ```
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { nearestName, type ResolvedGRPOConfig } from '@r1/grpo-core';
import { type RolloutSettings, resolveRollout } from '../stages/rollout';
import { type EvalSettings, resolveTrainerConfig, type TrainerConfig } from '../trainer-config';
import { fail, readR1ConfigMapping, type SamplingStage, samplingStage, section, sftSection } from './r1-config';

export interface DistillVsRlConfig {
  model: string;
  task: TrainerConfig['task'];
  oodTask: TrainerConfig['task'];
  maxTokens: number;
  eval: EvalSettings;
  /** The student base: a committed checkpoint, or null to pretrain one here from `seed` (`steps`, `model`). */
  student: {
    checkpoint: string | null;
    seed: number;
    steps: number;
    model: { hidden_size: number; intermediate_size: number; num_hidden_layers: number; num_attention_heads: number };
  };
  teacher: ResolvedGRPOConfig;
  sampling: SamplingStage;
  distill: Record<string, unknown>;
  rl: ResolvedGRPOConfig;
  distilledPlusRl: ResolvedGRPOConfig | null;
  rlTuning: string;
  /** Every RL stage samples on these inference servers (stages/rollout.ts); null = locally. */
  rollout: RolloutSettings | null;
}

const TOP = [
  'model',
  'task',
  'ood_task',
  'max_tokens',
  'eval',
  'student',
  'grpo',
  'teacher',
  'sampling',
  'distill',
  'rl',
  'distilled_plus_rl',
  'rl_tuning',
  'rollout',
];

export function resolveDistillVsRlConfig(
  raw: Record<string, unknown>,
  source = '<config>',
  baseDir = process.cwd(),
): DistillVsRlConfig {
  for (const key of Object.keys(raw)) {
    if (!TOP.includes(key)) {
      const near = nearestName(key, TOP);
      fail(source, `unknown key "${key}"${near ? ` (did you mean ${near}?)` : ''}; the keys are ${TOP.join(', ')}`);
    }
  }
  const maxTokens = raw.max_tokens ?? 64;
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
    fail(source, `max_tokens must be a positive integer, got ${JSON.stringify(maxTokens)}`);
  }
  const shared = section(raw, 'grpo', source);
  const rl = (name: string, task: unknown = raw.task): TrainerConfig =>
    resolveTrainerConfig(
      {
        model: String(raw.model ?? ''),
        task,
        template: 'r1-zero',
        eval: raw.eval,
        grpo: {
          reward_funcs: ['accuracy', 'format'],
          max_completion_length: maxTokens,
          ...shared,
          ...section(raw, name, source),
        },
      },
      `${source} (${name})`,
    );
  const teacher = rl('teacher');
  const ood = rl('teacher', { ...(raw.task as object), ...section(raw, 'ood_task', source) });
  const studentRaw = section(raw, 'student', source);
  const modelRaw = (studentRaw.model ?? {}) as Record<string, unknown>;
  const int = (v: unknown, name: string, fallback: number) => {
    const x = v ?? fallback;
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0)
      fail(source, `${name} must be a non-negative integer, got ${JSON.stringify(x)}`);
    return x;
  };
  for (const key of Object.keys(studentRaw)) {
    if (!['checkpoint', 'seed', 'steps', 'model'].includes(key)) {
      fail(source, `student.${key} is unknown; valid: checkpoint, seed, steps, model`);
    }
  }
  const model = {
    hidden_size: int(modelRaw.hidden_size, 'student.model.hidden_size', 64),
    intermediate_size: int(modelRaw.intermediate_size, 'student.model.intermediate_size', 192),
    num_hidden_layers: int(modelRaw.num_hidden_layers, 'student.model.num_hidden_layers', 1),
    num_attention_heads: int(modelRaw.num_attention_heads, 'student.model.num_attention_heads', 2),
  };
  for (const key of Object.keys(modelRaw)) {
    if (!(key in model)) fail(source, `student.model.${key} is unknown; valid: ${Object.keys(model).join(', ')}`);
  }
  const tuning = raw.rl_tuning ?? '';
  if (typeof tuning !== 'string') fail(source, 'rl_tuning must be a string');
  const at = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  return {
    rollout: resolveRollout(raw.rollout, source, baseDir),
    model: at(teacher.model),
    task: teacher.task,
    oodTask: ood.task,
    maxTokens,
    eval: teacher.eval,
    student: {
      checkpoint: typeof studentRaw.checkpoint === 'string' ? at(studentRaw.checkpoint) : null,
      seed: int(studentRaw.seed, 'student.seed', 0),
      steps: int(studentRaw.steps, 'student.steps', 1500),
      model,
    },
    teacher: teacher.grpo,
    sampling: samplingStage(
      section(raw, 'sampling', source),
      'sampling',
      [],
      { problems: 800, k: 4, temperature: 1, topP: 1, seed: 13 },
      source,
    ),
    distill: sftSection(section(raw, 'distill', source), 'distill', source),
    rl: rl('rl').grpo,
    distilledPlusRl: raw.distilled_plus_rl === undefined ? null : rl('distilled_plus_rl').grpo,
    rlTuning: tuning,
  };
}

export function loadDistillVsRlConfig(path: string): DistillVsRlConfig {
  return resolveDistillVsRlConfig(readR1ConfigMapping(path), path, dirname(resolve(path)));
}
