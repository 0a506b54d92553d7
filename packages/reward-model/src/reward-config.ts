/**
 * `RewardConfig`: TRL's RewardConfig names — the training knobs it inherits from `TrainingArguments` plus
 * `center_rewards_coefficient` — in camelCase or snake_case. The shared knobs (epochs, batch sizes, learning rate
 * and schedule, AdamW, clipping, `max_length`, eval/save/logging cadence, seed) are resolved and checked by
 * @r1/distill's `resolveSFTConfig`, with its defaults, so the two trainers can never disagree on what a name means;
 * SFT-only options (packing, KD, loss masks, …) are rejected here. It reads no files.
 */
import { resolveSFTConfig, SFT_CONFIG_KEYS, type SFTConfig, SFTConfigError } from '@r1/distill';
import { type ConfigIssue, camelToSnake, nearestName, snakeToCamel } from '@r1/grpo-core';

/** The @r1/distill options a reward model shares. */
export const SHARED_TRAINING_KEYS = [
  'numTrainEpochs',
  'maxSteps',
  'perDeviceTrainBatchSize',
  'perDeviceEvalBatchSize',
  'gradientAccumulationSteps',
  'learningRate',
  'lrSchedulerType',
  'warmupRatio',
  'warmupSteps',
  'weightDecay',
  'adamBeta1',
  'adamBeta2',
  'adamEpsilon',
  'maxGradNorm',
  'maxLength',
  'evalSteps',
  'saveSteps',
  'loggingSteps',
  'seed',
] as const satisfies readonly (keyof SFTConfig)[];

export type RewardConfig = Pick<SFTConfig, (typeof SHARED_TRAINING_KEYS)[number]> & {
  /**
   * TRL's `center_rewards_coefficient`: adds `c · mean((r_c + r_r)²)` so rewards stay centred on 0 (Eisenstein et
   * al. 2023, eq. 2). null (default) = off; 0.01 recommended. Preference training only.
   */
  centerRewardsCoefficient: number | null;
};

export const REWARD_CONFIG_KEYS: readonly (keyof RewardConfig)[] = [
  ...SHARED_TRAINING_KEYS,
  'centerRewardsCoefficient',
];

export class RewardConfigError extends Error {
  readonly issues: readonly ConfigIssue[];
  readonly source: string | undefined;
  constructor(issues: readonly ConfigIssue[], source?: string) {
    const where = (i: ConfigIssue) =>
      source === undefined ? '' : i.line === undefined ? `${source}: ` : `${source}:${i.line}: `;
    const header = source === undefined ? 'invalid reward-model config' : `invalid reward-model config file ${source}`;
    super(`${header}:\n${issues.map((i) => `  - ${where(i)}${i.field}: ${i.message}`).join('\n')}`);
    this.name = 'RewardConfigError';
    this.issues = issues;
    this.source = source;
  }
}

/**
 * Defaults + overrides → a checked config; keys camelCase or TRL's snake_case. Reports every problem at once.
 * @example
 * ```ts
 * const config = resolveRewardConfig({ learning_rate: 1e-4, center_rewards_coefficient: 0.01, max_steps: 200 });
 * ```
 */
export function resolveRewardConfig(partial: Readonly<Record<string, unknown>> = {}): RewardConfig {
  const issues: ConfigIssue[] = [];
  const shared = new Set<string>(SHARED_TRAINING_KEYS);
  const sftOnly = new Set<string>(SFT_CONFIG_KEYS.filter((k) => !shared.has(k)));
  const forSft: Record<string, unknown> = {};
  let center: unknown = null;
  for (const [key, value] of Object.entries(partial)) {
    if (value === undefined) continue;
    const field = snakeToCamel(key);
    if (field === 'centerRewardsCoefficient') center = value;
    else if (shared.has(field)) forSft[field] = value;
    else if (sftOnly.has(field)) {
      issues.push({
        field: key,
        message: 'is an SFT option (@r1/distill); a reward model does not use it — remove it',
      });
    } else {
      const near = nearestName(field, REWARD_CONFIG_KEYS);
      const spelled = near === undefined ? undefined : key.includes('_') ? camelToSnake(near) : near;
      issues.push({ field: key, message: `unknown option${spelled ? `; did you mean ${spelled}?` : ''}` });
    }
  }
  let sft: SFTConfig | null = null;
  try {
    sft = resolveSFTConfig(forSft);
  } catch (e) {
    if (!(e instanceof SFTConfigError)) throw e;
    issues.push(...e.issues);
  }
  if (center !== null && !(typeof center === 'number' && center >= 0 && Number.isFinite(center))) {
    issues.push({
      field: 'centerRewardsCoefficient',
      message: `must be null (off) or a number ≥ 0 (0.01 recommended), got ${JSON.stringify(center)}`,
    });
  }
  if (issues.length > 0 || sft === null) throw new RewardConfigError(issues);
  const picked = Object.fromEntries(SHARED_TRAINING_KEYS.map((k) => [k, sft[k]])) as Pick<
    SFTConfig,
    (typeof SHARED_TRAINING_KEYS)[number]
  >;
  return { ...picked, centerRewardsCoefficient: center as number | null };
}
