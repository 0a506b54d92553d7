/**
 * `SFTConfig`: the options of supervised fine-tuning / distillation, named as TRL's `SFTConfig` (and the
 * `TrainingArguments` it extends) so a TRL recipe's values carry over: in TypeScript camelCase (`learningRate`), in
 * config files TRL's snake_case (`learning_rate`). `resolveSFTConfig(partial)` fills the defaults, rejects unknown
 * keys with the nearest name and checks every field, reporting all problems at once. Defaults are TRL's / HF's,
 * except where noted. It does not read files (see `sft-config-file.ts`) and knows nothing about tensors.
 */
import {
  type ConfigIssue,
  camelToSnake,
  LR_SCHEDULER_TYPES,
  type LrSchedulerType,
  nearestName,
  snakeToCamel,
} from '@r1/grpo-core';

/** What to do with a row longer than `maxLength` tokens. */
export type OverLengthPolicy = 'drop' | 'truncate';
export const OVER_LENGTH_POLICIES: readonly OverLengthPolicy[] = ['drop', 'truncate'];

/** Logit distillation from a teacher with the student's vocabulary (beyond TRL's SFTTrainer; like its GKD). */
export interface KdConfig {
  /** Teacher checkpoint directory (HF layout). */
  teacher: string;
  /** Weight of the distillation term: loss = (1 − α)·CE + α·T²·KL(teacher ‖ student). In [0, 1]. Default 0.5. */
  alpha: number;
  /** Softmax temperature T > 0 of both distributions in the KL term (Hinton et al. 2015). Default 1. */
  temperature: number;
}

export interface SFTConfig {
  /** Epochs over the data; fractional values allowed, as HF. Used when `maxSteps` ≤ 0. Default 3. */
  numTrainEpochs: number;
  /** Optimiser steps to run; > 0 overrides `numTrainEpochs` (and may cross epochs). Default -1 (use epochs). */
  maxSteps: number;
  /** Sequences per micro-batch (packed sequences with `packing`). Default 8. */
  perDeviceTrainBatchSize: number;
  /** Sequences per eval batch. Default 8. */
  perDeviceEvalBatchSize: number;
  /** Micro-batches per optimiser step; the loss is the token mean over all of them. Default 1. */
  gradientAccumulationSteps: number;
  /** Peak learning rate. TRL's SFT default 2e-5. */
  learningRate: number;
  /** Decay after warm-up: linear (HF default), cosine or constant. */
  lrSchedulerType: LrSchedulerType;
  /** Warm-up as a fraction of all steps, used when `warmupSteps` is 0. Default 0. */
  warmupRatio: number;
  /** Warm-up steps; > 0 overrides `warmupRatio`. Default 0. */
  warmupSteps: number;
  /** AdamW decoupled weight decay. Default 0. */
  weightDecay: number;
  /** AdamW β₁. Default 0.9. */
  adamBeta1: number;
  /** AdamW β₂. Default 0.999. */
  adamBeta2: number;
  /** AdamW ε. Default 1e-8. */
  adamEpsilon: number;
  /** Global gradient-norm clip; 0 turns clipping off. Default 1. */
  maxGradNorm: number;
  /** Most tokens per row (and per packed sequence). TRL default 1024. */
  maxLength: number;
  /** Rows over `maxLength`: drop them (default; TRL cannot) or keep the first `maxLength` tokens. Counted either way. */
  overLength: OverLengthPolicy;
  /** Pack several rows into one sequence (best-fit decreasing), attention kept inside each row. Default false. */
  packing: boolean;
  /** Loss on completion tokens only (prompt/completion rows). null (default) = true. */
  completionOnlyLoss: boolean | null;
  /** Loss on assistant turns only, end-of-turn token included (messages rows). null (default) = true (TRL: false). */
  assistantOnlyLoss: boolean | null;
  /** Field holding the text of language-modelling rows. Default 'text'. */
  datasetTextField: string;
  /** A Jinja chat template file to use instead of the checkpoint's. Default null. */
  chatTemplatePath: string | null;
  /** Held-out loss every this many steps (and at the end) when eval data is given; 0 = only at the end. Default 0. */
  evalSteps: number;
  /** Checkpoint every this many steps (and at the end); 0 = only at the end. Default 500. */
  saveSteps: number;
  /** A log line every this many steps. Default 10. */
  loggingSteps: number;
  /** The one seed of every random choice (shuffling, packing order). Default 42. */
  seed: number;
  /** Logit distillation; null (default) = plain SFT. */
  kd: KdConfig | null;
}

export const DEFAULT_KD_CONFIG: Readonly<Omit<KdConfig, 'teacher'>> = Object.freeze({ alpha: 0.5, temperature: 1 });

export const DEFAULT_SFT_CONFIG: Readonly<SFTConfig> = Object.freeze({
  numTrainEpochs: 3,
  maxSteps: -1,
  perDeviceTrainBatchSize: 8,
  perDeviceEvalBatchSize: 8,
  gradientAccumulationSteps: 1,
  learningRate: 2e-5,
  lrSchedulerType: 'linear',
  warmupRatio: 0,
  warmupSteps: 0,
  weightDecay: 0,
  adamBeta1: 0.9,
  adamBeta2: 0.999,
  adamEpsilon: 1e-8,
  maxGradNorm: 1,
  maxLength: 1024,
  overLength: 'drop',
  packing: false,
  completionOnlyLoss: null,
  assistantOnlyLoss: null,
  datasetTextField: 'text',
  chatTemplatePath: null,
  evalSteps: 0,
  saveSteps: 500,
  loggingSteps: 10,
  seed: 42,
  kd: null,
});

export const SFT_CONFIG_KEYS = Object.keys(DEFAULT_SFT_CONFIG) as (keyof SFTConfig)[];
const KD_KEYS = ['teacher', 'alpha', 'temperature'] as const;

export class SFTConfigError extends Error {
  readonly issues: readonly ConfigIssue[];
  readonly source: string | undefined;
  constructor(issues: readonly ConfigIssue[], source?: string) {
    const where = (i: ConfigIssue) =>
      source === undefined ? '' : i.line === undefined ? `${source}: ` : `${source}:${i.line}: `;
    const header = source === undefined ? 'invalid SFT config' : `invalid SFT config file ${source}`;
    super(`${header}:\n${issues.map((i) => `  - ${where(i)}${i.field}: ${i.message}`).join('\n')}`);
    this.name = 'SFTConfigError';
    this.issues = issues;
    this.source = source;
  }
}

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));
const isInt = (v: unknown, min: number) => Number.isInteger(v) && (v as number) >= min;
const isNum = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

type Check = (v: unknown) => string | undefined;
const int =
  (min: number): Check =>
  (v) =>
    isInt(v, min) ? undefined : `must be an integer ≥ ${min}, got ${show(v)}`;
const num =
  (lo: number, hi: number, hiOpen = false, loOpen = false): Check =>
  (v) =>
    isNum(v) &&
    (loOpen ? (v as number) > lo : (v as number) >= lo) &&
    (hiOpen ? (v as number) < hi : (v as number) <= hi)
      ? undefined
      : `must be a number in ${loOpen ? '(' : '['}${lo}, ${hi}${hiOpen ? ')' : ']'}, got ${show(v)}`;
const bool: Check = (v) => (typeof v === 'boolean' ? undefined : `must be true or false, got ${show(v)}`);
const boolOrNull: Check = (v) =>
  v === null || typeof v === 'boolean' ? undefined : `must be true, false or null (automatic), got ${show(v)}`;
const oneOf =
  (allowed: readonly string[]): Check =>
  (v) =>
    typeof v === 'string' && allowed.includes(v) ? undefined : `must be one of ${allowed.join(', ')}, got ${show(v)}`;

const CHECKS: { [K in keyof SFTConfig]: Check } = {
  numTrainEpochs: (v) => (isNum(v) && (v as number) > 0 ? undefined : `must be a number > 0, got ${show(v)}`),
  maxSteps: (v) => (Number.isInteger(v) ? undefined : `must be an integer (≤ 0 to train by epochs), got ${show(v)}`),
  perDeviceTrainBatchSize: int(1),
  perDeviceEvalBatchSize: int(1),
  gradientAccumulationSteps: int(1),
  learningRate: num(0, Number.POSITIVE_INFINITY),
  lrSchedulerType: oneOf(LR_SCHEDULER_TYPES),
  warmupRatio: num(0, 1, true),
  warmupSteps: int(0),
  weightDecay: num(0, Number.POSITIVE_INFINITY),
  adamBeta1: num(0, 1, true),
  adamBeta2: num(0, 1, true),
  adamEpsilon: num(0, 1, false, true),
  maxGradNorm: num(0, Number.POSITIVE_INFINITY),
  maxLength: int(2),
  overLength: oneOf(OVER_LENGTH_POLICIES),
  packing: bool,
  completionOnlyLoss: boolOrNull,
  assistantOnlyLoss: boolOrNull,
  datasetTextField: (v) => (typeof v === 'string' && v !== '' ? undefined : `must be a field name, got ${show(v)}`),
  chatTemplatePath: (v) => (v === null || (typeof v === 'string' && v !== '') ? undefined : 'must be a path or null'),
  evalSteps: int(0),
  saveSteps: int(0),
  loggingSteps: int(1),
  seed: (v) => (Number.isSafeInteger(v) ? undefined : `must be an integer, got ${show(v)}`),
  kd: () => undefined, // checked by checkKd
};

function checkKd(value: unknown, issues: ConfigIssue[]): KdConfig | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    issues.push({ field: 'kd', message: 'must be a mapping {teacher: DIR, alpha: X, temperature: T} or null' });
    return null;
  }
  const given = value as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!(KD_KEYS as readonly string[]).includes(key)) {
      const near = nearestName(key, KD_KEYS);
      issues.push({
        field: `kd.${key}`,
        message: `unknown key${near ? `; did you mean kd.${near}?` : ''} (keys: ${KD_KEYS.join(', ')})`,
      });
    }
  }
  const kd = { ...DEFAULT_KD_CONFIG, ...given } as KdConfig;
  if (typeof kd.teacher !== 'string' || kd.teacher === '') {
    issues.push({ field: 'kd.teacher', message: 'must be the teacher checkpoint directory (--kd-teacher DIR)' });
  }
  const alpha = num(0, 1)(kd.alpha);
  if (alpha) issues.push({ field: 'kd.alpha', message: alpha });
  const temperature = num(0, Number.POSITIVE_INFINITY, false, true)(kd.temperature);
  if (temperature) issues.push({ field: 'kd.temperature', message: temperature });
  return kd;
}

/**
 * Defaults + overrides → a checked config. Keys may be camelCase or TRL's snake_case.
 *
 * @throws SFTConfigError listing every problem (unknown keys with the nearest name, out-of-range values)
 * @example
 * ```ts
 * const config = resolveSFTConfig({ learning_rate: 1e-4, packing: true, max_steps: 100 });
 * ```
 */
export function resolveSFTConfig(partial: Readonly<Record<string, unknown>> = {}): SFTConfig {
  const issues: ConfigIssue[] = [];
  const known = new Set<string>(SFT_CONFIG_KEYS);
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(partial)) {
    if (value === undefined) continue;
    const field = known.has(key) ? key : snakeToCamel(key);
    if (!known.has(field)) {
      const near = nearestName(key, SFT_CONFIG_KEYS);
      const spelled = near === undefined ? undefined : key.includes('_') ? camelToSnake(near) : near;
      issues.push({ field: key, message: `unknown option${spelled ? `; did you mean ${spelled}?` : ''}` });
      continue;
    }
    values[field] = value;
  }
  const config = { ...DEFAULT_SFT_CONFIG, ...values } as SFTConfig;
  for (const field of SFT_CONFIG_KEYS) {
    const problem = CHECKS[field](config[field]);
    if (problem !== undefined) issues.push({ field, message: problem });
  }
  config.kd = checkKd(values.kd ?? config.kd, issues);
  if (issues.length > 0) throw new SFTConfigError(issues);
  return config;
}
