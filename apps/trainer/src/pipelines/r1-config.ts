/**
 * The `r1-train r1` config (default `apps/trainer/configs/r1.yaml`): one YAML or JSON file, TRL's names for the
 * GRPO and SFT knobs (snake_case or camelCase), paths relative to the file.
 *
 * ```yaml
 * model: ../checkpoints/base-r1         # the base every stage starts from (cold start, final SFT, R1-Zero)
 * task: { name: arithmetic, maxOperands: 3 }   # reasoning problems: a generator or { name: file, path, … }
 * language_consistency: true            # the ablation switch: false drops the reward from reasoning RL
 * max_tokens: 64                        # completion budget of every sampling, RL and evaluation
 * eval: { problems: 200, k: 4 }         # the one held-out set every stage is measured on
 * grpo: { num_generations: 8, … }       # GRPO knobs shared by both RL runs
 * r1_zero: { max_steps: 80 }            # the R1-Zero baseline's GRPO overrides (rewards: accuracy, format)
 * cold_start: { problems: 800, k: 4, temperature: 1.0, sft: { num_train_epochs: 2, … } }
 * reasoning_rl: { max_steps: 50 }       # GRPO overrides (rewards: accuracy, format, language_consistency)
 * rejection_sampling: { problems: 1000, k: 4, temperature: 0.8, non_reasoning_ratio: 0.3333 }
 * sft: { num_train_epochs: 2, learning_rate: 1.0e-3 }   # SFT from the base on the rejection-sampled mix
 * rollout: { endpoints: [http://gpu-1:30000/v1] }       # optional: every RL stage samples on these servers
 * ```
 * Unknown keys are errors naming the file, the key and the valid names.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { resolveSFTConfig } from '@r1/distill';
import { nearestName, type ResolvedGRPOConfig } from '@r1/grpo-core';
import { type RolloutSettings, resolveRollout } from '../stages/rollout';
import { type EvalSettings, readConfigMapping, resolveTrainerConfig, type TrainerConfig } from '../trainer-config';
import type { SamplingStage } from './stage-runner';

export type { SamplingStage } from './stage-runner';

export interface R1Config {
  /** Base checkpoint (absolute). */
  model: string;
  task: TrainerConfig['task'];
  languageConsistency: boolean;
  maxTokens: number;
  eval: EvalSettings;
  /** The R1-Zero baseline: GRPO from the base, R1-Zero template, accuracy + format. */
  r1Zero: ResolvedGRPOConfig;
  coldStart: SamplingStage & { sft: Record<string, unknown> };
  /** Reasoning-oriented RL from the cold-start model, R1 template. */
  reasoningRl: ResolvedGRPOConfig;
  rejectionSampling: SamplingStage & { nonReasoningRatio: number };
  /** SFT from the base on the rejection-sampled mix (2 epochs by default, as the paper). */
  sft: Record<string, unknown>;
  /** Stage 4 (§2.3.4): RL for all scenarios from the SFT model; null when the config has no `all_scenario_rl`. */
  allScenarioRl: AllScenarioConfig | null;
  /** Every RL stage samples on these inference servers (stages/rollout.ts); null = locally. */
  rollout: RolloutSettings | null;
}

export interface AllScenarioConfig {
  /** GRPO of the stage (reward_funcs: the rule rewards; the two reward models are added by the stage). */
  grpo: ResolvedGRPOConfig;
  /** Share of each batch's prompts that are general (non-reasoning). */
  generalFraction: number;
  /** The preference rewards count only from this fraction of the steps on (R1: the last 400 of 1,700). */
  rmRewardStart: number;
  /** Weights of the helpfulness and harmlessness rewards. */
  helpfulWeight: number;
  harmlessWeight: number;
  /** Also run the stage with the preference rewards on from the first step, for the reward-hacking comparison. */
  hackingRun: boolean;
  /** Steps of the ungated run (default: the stage's). */
  hackingSteps: number;
  /** Reward-model training: synthetic pairs from the world's hidden preference. */
  rewardModels: {
    /** Synthetic pairs (candidate replies of every trait combination). */
    pairs: number;
    /**
     * On-policy pairs: the stage-3 model's own samples (`policy_k` per train prompt at `policy_temperature`), gold-
     * labelled; default 0. configs/r1-all-scenario.yaml uses 2,000: with its general-heavy stage 3 they lift the RM's
     * accuracy on the policy's replies from 0.605 (synthetic pairs alone) to 0.718 (BENCHMARKS.md).
     */
    policyPairs: number;
    policyK: number;
    policyTemperature: number;
    evalPairs: number;
    flipRate: number;
    seed: number;
    config: Record<string, unknown>;
  };
  /** Held-out general prompts: samples per prompt. */
  generalK: number;
}

const TOP = [
  'model',
  'task',
  'language_consistency',
  'max_tokens',
  'eval',
  'grpo',
  'r1_zero',
  'cold_start',
  'reasoning_rl',
  'rejection_sampling',
  'sft',
  'all_scenario_rl',
  'rollout',
];
const ALL_SCENARIO_KEYS = [
  'general_fraction',
  'rm_reward_start',
  'helpful_weight',
  'harmless_weight',
  'hacking_run',
  'hacking_steps',
  'reward_models',
  'general_k',
];
const RM_KEYS = [
  'pairs',
  'policy_pairs',
  'policy_k',
  'policy_temperature',
  'eval_pairs',
  'flip_rate',
  'seed',
  'config',
];
const SAMPLING_KEYS = ['problems', 'k', 'temperature', 'top_p', 'seed'];

/** The SFT defaults of both SFT stages (on top of @r1/distill's): the paper's 2 epochs. */
const SFT_DEFAULTS = {
  num_train_epochs: 2,
  learning_rate: 1e-3,
  per_device_train_batch_size: 16,
  lr_scheduler_type: 'cosine',
  warmup_ratio: 0.05,
  save_steps: 100,
  logging_steps: 10,
};

export function fail(source: string, message: string): never {
  throw new Error(`${source}: ${message}`);
}

export function section(raw: Record<string, unknown>, key: string, source: string): Record<string, unknown> {
  const v = raw[key] ?? {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(source, `${key} must be a mapping`);
  return v as Record<string, unknown>;
}

export function samplingStage(
  raw: Record<string, unknown>,
  name: string,
  extra: readonly string[],
  defaults: SamplingStage,
  source: string,
): SamplingStage {
  for (const key of Object.keys(raw)) {
    if (!SAMPLING_KEYS.includes(key) && !extra.includes(key)) {
      const valid = [...SAMPLING_KEYS, ...extra];
      const near = nearestName(key, valid);
      fail(source, `${name}.${key} is unknown${near ? ` (did you mean ${near}?)` : ''}; valid: ${valid.join(', ')}`);
    }
  }
  const value = (key: string, fallback: number, integer: boolean, min: number) => {
    const v = raw[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min) {
      fail(source, `${name}.${key} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  return {
    problems: value('problems', defaults.problems, true, 1),
    k: value('k', defaults.k, true, 1),
    temperature: value('temperature', defaults.temperature, false, 0),
    topP: value('top_p', defaults.topP, false, 0),
    seed: value('seed', defaults.seed, true, 0),
  };
}

export function sftSection(raw: Record<string, unknown>, name: string, source: string): Record<string, unknown> {
  const merged = { ...SFT_DEFAULTS, ...raw };
  try {
    resolveSFTConfig(merged);
  } catch (error) {
    fail(source, `${name}: ${(error as Error).message}`);
  }
  return merged;
}

/** Builds the pipeline config from a plain object (parsed YAML/JSON); relative paths are resolved against `baseDir`. */
export function resolveR1Config(raw: Record<string, unknown>, source = '<config>', baseDir = process.cwd()): R1Config {
  for (const key of Object.keys(raw)) {
    if (!TOP.includes(key)) {
      const near = nearestName(key, TOP);
      fail(source, `unknown key "${key}"${near ? ` (did you mean ${near}?)` : ''}; the keys are ${TOP.join(', ')}`);
    }
  }
  const at = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const lc = raw.language_consistency ?? true;
  if (typeof lc !== 'boolean') fail(source, `language_consistency must be true or false, got ${JSON.stringify(lc)}`);
  const maxTokens = raw.max_tokens ?? 64;
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
    fail(source, `max_tokens must be a positive integer, got ${JSON.stringify(maxTokens)}`);
  }
  const shared = section(raw, 'grpo', source);
  // Each RL run is resolved as an r1-train zero config would be (the same validation and error messages).
  const rl = (
    name: string,
    rewardFuncs: string[],
    template: string,
    ownSection?: Record<string, unknown>,
  ): TrainerConfig => {
    const own = ownSection ?? section(raw, name, source);
    return resolveTrainerConfig(
      {
        model: String(raw.model ?? ''),
        task: raw.task,
        template,
        eval: raw.eval,
        grpo: {
          reward_funcs: rewardFuncs,
          max_completion_length: maxTokens,
          ...shared,
          ...own,
        },
      },
      `${source} (${name})`,
    );
  };
  const zero = rl('r1_zero', ['accuracy', 'format'], 'r1-zero');
  const reasoning = rl(
    'reasoning_rl',
    lc ? ['accuracy', 'format', 'language_consistency'] : ['accuracy', 'format'],
    'r1',
  );
  const task = zero.task.file
    ? {
        ...zero.task,
        file: {
          ...zero.task.file,
          path: at(zero.task.file.path),
          evalPath: zero.task.file.evalPath === null ? null : at(zero.task.file.evalPath),
        },
      }
    : zero.task;
  function allScenario(): AllScenarioConfig {
    const all = section(raw, 'all_scenario_rl', source);
    const own: Record<string, unknown> = {};
    const grpo: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(all)) (ALL_SCENARIO_KEYS.includes(key) ? own : grpo)[key] = value;
    const base = lc ? ['accuracy', 'format', 'language_consistency'] : ['accuracy', 'format'];
    const resolved = rl('all_scenario_rl', base, 'r1', { beta: 0.04, ...grpo }).grpo;
    const num = (key: string, fallback: number, min: number, max: number, integer = false) => {
      const v = own[key] ?? fallback;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
        fail(
          source,
          `all_scenario_rl.${key} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${JSON.stringify(v)}`,
        );
      }
      return v;
    };
    const hacking = own.hacking_run ?? true;
    if (typeof hacking !== 'boolean')
      fail(source, `all_scenario_rl.hacking_run must be true or false, got ${JSON.stringify(hacking)}`);
    const rm = (own.reward_models ?? {}) as Record<string, unknown>;
    if (typeof rm !== 'object' || rm === null || Array.isArray(rm))
      fail(source, 'all_scenario_rl.reward_models must be a mapping');
    for (const key of Object.keys(rm)) {
      if (!RM_KEYS.includes(key)) {
        const near = nearestName(key, RM_KEYS);
        fail(
          source,
          `all_scenario_rl.reward_models.${key} is unknown${near ? ` (did you mean ${near}?)` : ''}; valid: ${RM_KEYS.join(', ')}`,
        );
      }
    }
    const rmNum = (key: string, fallback: number, min: number, max: number, integer: boolean) => {
      const v = rm[key] ?? fallback;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
        fail(
          source,
          `all_scenario_rl.reward_models.${key} must be a number in [${min}, ${max}], got ${JSON.stringify(v)}`,
        );
      }
      return v;
    };
    const rmConfig = (rm.config ?? {}) as Record<string, unknown>;
    return {
      grpo: resolved,
      generalFraction: num('general_fraction', 0.5, 0, 1),
      rmRewardStart: num('rm_reward_start', 1 - 400 / 1700, 0, 1),
      helpfulWeight: num('helpful_weight', 1, 0, 1000),
      harmlessWeight: num('harmless_weight', 1, 0, 1000),
      hackingRun: hacking,
      hackingSteps: num('hacking_steps', resolved.maxSteps, 1, 1e6, true),
      generalK: num('general_k', 4, 1, 1000, true),
      rewardModels: {
        pairs: rmNum('pairs', 2000, 1, 1e7, true),
        policyPairs: rmNum('policy_pairs', 0, 0, 1e7, true),
        policyK: rmNum('policy_k', 8, 2, 1000, true),
        policyTemperature: rmNum('policy_temperature', 1, 0.01, 10, false),
        evalPairs: rmNum('eval_pairs', 400, 1, 1e7, true),
        flipRate: rmNum('flip_rate', 0.1, 0, 0.5, false),
        seed: rmNum('seed', 5, 0, 2 ** 31, true),
        config: {
          num_train_epochs: 2,
          learning_rate: 1e-3,
          per_device_train_batch_size: 32,
          center_rewards_coefficient: 0.01,
          lr_scheduler_type: 'cosine',
          save_steps: 100,
          ...rmConfig,
        },
      },
    };
  }
  const cold = section(raw, 'cold_start', source);
  const { sft: coldSft = {}, ...coldSampling } = cold;
  const rs = section(raw, 'rejection_sampling', source);
  const { non_reasoning_ratio: ratio = 1 / 3, ...rsSampling } = rs;
  if (typeof ratio !== 'number' || !(ratio >= 0)) {
    fail(source, `rejection_sampling.non_reasoning_ratio must be a number ≥ 0, got ${JSON.stringify(ratio)}`);
  }
  return {
    allScenarioRl: raw.all_scenario_rl === undefined ? null : allScenario(),
    rollout: resolveRollout(raw.rollout, source, baseDir),
    model: at(zero.model),
    task,
    languageConsistency: lc,
    maxTokens,
    eval: zero.eval,
    r1Zero: zero.grpo,
    coldStart: {
      ...samplingStage(
        coldSampling,
        'cold_start',
        ['sft'],
        { problems: 800, k: 4, temperature: 1, topP: 1, seed: 7 },
        source,
      ),
      sft: sftSection(coldSft as Record<string, unknown>, 'cold_start.sft', source),
    },
    reasoningRl: reasoning.grpo,
    rejectionSampling: {
      ...samplingStage(
        rsSampling,
        'rejection_sampling',
        [],
        { problems: 1000, k: 4, temperature: 0.8, topP: 1, seed: 11 },
        source,
      ),
      nonReasoningRatio: ratio,
    },
    sft: sftSection(section(raw, 'sft', source), 'sft', source),
  };
}

/**
 * Reads a config file; `extends: OTHER.yaml` (relative to the file) starts from another config, each section
 * merged key by key (so `extends: r1.yaml` plus `language_consistency: false` is the ablation).
 */
export function readR1ConfigMapping(path: string, seen: string[] = []): Record<string, unknown> {
  const own = readConfigMapping(path);
  const parent = own.extends;
  if (parent === undefined) return own;
  if (typeof parent !== 'string' || parent === '')
    fail(path, `extends must be a config file path, got ${JSON.stringify(parent)}`);
  const parentPath = resolve(dirname(resolve(path)), parent);
  if (seen.includes(parentPath)) fail(path, `extends ${parent} makes a cycle`);
  const base = readR1ConfigMapping(parentPath, [...seen, resolve(path)]);
  // The parent's relative paths stay relative to the parent file.
  if (typeof base.model === 'string' && !isAbsolute(base.model)) base.model = resolve(dirname(parentPath), base.model);
  const { extends: _, ...rest } = own;
  const merged: Record<string, unknown> = { ...base };
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  for (const [key, value] of Object.entries(rest)) {
    merged[key] = isMap(value) && isMap(base[key]) ? { ...base[key], ...value } : value;
  }
  return merged;
}

export function loadR1Config(path: string): R1Config {
  return resolveR1Config(readR1ConfigMapping(path), path, dirname(resolve(path)));
}
