/**
 * `GRPOConfig`: every knob of a GRPO run, named as TRL names them (camelCase here; config files may also use TRL's
 * snake_case, see `loadGRPOConfigFile`). Each field is documented once, here, with its default and — for the RL
 * knobs — the paper it comes from. This module only declares the shape and the defaults; checking lives in
 * `resolveGRPOConfig`, and nothing here reads files or the environment.
 *
 * Batch vocabulary (TRL's): a *completion* is one sampled answer; `numGenerations` completions of one prompt form a
 * *group*. A *micro-batch* holds `perDeviceTrainBatchSize` completions (not prompts); `gradientAccumulationSteps`
 * micro-batches make one optimiser step. One *generation batch* of `generationBatchSize` completions
 * (`generationBatchSize / numGenerations` prompts) is sampled every `stepsPerGeneration` optimiser steps and reused
 * `numIterations` times.
 */
import type { ScaleRewards } from './advantages';
import type { LossType } from './loss-aggregation';

/** Learning-rate decay after warm-up (see `learningRateAt`): HF's `get_{linear,cosine,constant}_schedule_with_warmup`. */
export type LrSchedulerType = 'linear' | 'cosine' | 'constant';

export const LR_SCHEDULER_TYPES: readonly LrSchedulerType[] = ['linear', 'cosine', 'constant'];

/**
 * How several rewards become one (TRL's `multi_objective_aggregation`): `sum_then_normalize` — the weighted sum, then
 * group normalisation (GRPO as published); `normalize_then_sum` — each reward normalised within its group first, so
 * one with a large scale (a reward model's logit) does not drown the others (GDPO), then the weighted sum.
 */
export type MultiObjectiveAggregation = 'sum_then_normalize' | 'normalize_then_sum';
export const MULTI_OBJECTIVE_AGGREGATIONS: readonly MultiObjectiveAggregation[] = [
  'sum_then_normalize',
  'normalize_then_sum',
];

export interface GRPOConfig {
  // ---- Run
  /** Directory for checkpoints, logs and the resolved config. Default `'runs/grpo'`. */
  outputDir: string;
  /** Name shown in logs; `null` lets the trainer derive one from the time and seed. Default `null`. */
  runName: string | null;
  /** Seed of the one PRNG every random choice (sampling, shuffling, init) derives from. Default `42` (HF). */
  seed: number;

  // ---- Batches and generation
  /** Completions sampled per prompt, G (DeepSeekMath §4.1: 64; DeepSeek-R1: 16). ≥ 2. Default `8` (TRL). */
  numGenerations: number;
  /** Completions (not prompts) per micro-batch — one forward/backward pass. Default `8` (HF). */
  perDeviceTrainBatchSize: number;
  /** Micro-batches whose gradients are summed before one optimiser step. Default `1` (HF). */
  gradientAccumulationSteps: number;
  /** Optimiser steps per generation batch; `null` = `gradientAccumulationSteps` (TRL). Set this or
   * `generationBatchSize`, not both. Default `null`. */
  stepsPerGeneration: number | null;
  /** Completions sampled at once; `null` = `perDeviceTrainBatchSize × stepsPerGeneration` (TRL). Must be divisible
   * by `numGenerations` and by `perDeviceTrainBatchSize`. Default `null`. */
  generationBatchSize: number | null;
  /** Prompt tokens kept (left-truncated beyond this). Default `512` (TRL). */
  maxPromptLength: number;
  /** Most tokens sampled per completion; also dr_grpo's constant denominator. Default `256` (TRL). */
  maxCompletionLength: number;
  /** Sampling temperature > 0. Default `1.0` (TRL; DeepSeek-R1 used 0.6 for evaluation, 1.0 for RL rollouts). */
  temperature: number;
  /** Nucleus sampling: keep the smallest token set with probability ≥ topP, in (0, 1]. Default `1.0` (off). */
  topP: number;
  /** Keep only the topK most likely tokens; `0` = off. Default `0` (TRL). */
  topK: number;
  /** Drop tokens with probability < minP × the top token's; in [0, 1] or `null` (off). Default `null` (TRL). */
  minP: number | null;
  /** > 1 discourages tokens already in the prompt or completion (CTRL, Keskar et al. 2019). Default `1.0` (off). */
  repetitionPenalty: number;

  // ---- GRPO objective
  /** KL coefficient β of the k3 penalty (DeepSeekMath eq. 3: 0.04; DeepSeek-R1: 0.001). ≥ 0. Default `0.0`
   * (TRL since v0.19, after Dr. GRPO and DAPO found the KL term unnecessary for verifiable rewards). */
  beta: number;
  /** Clip range ε: the ratio r is clipped to [1 − ε, 1 + epsilonHigh] (PPO, kept by DeepSeekMath GRPO). In (0, 1).
   * Default `0.2`. */
  epsilon: number;
  /** Upper clip range; `null` = `epsilon`. DAPO's "clip-higher" (Yu et al. 2025, §3.1) uses 0.28 to keep
   * exploration alive. Default `null`. */
  epsilonHigh: number | null;
  /** Optimiser passes over each generation batch, μ in DeepSeekMath's Algorithm 1. Default `1` (on-policy). */
  numIterations: number;
  /** Loss aggregation: 'grpo' (DeepSeekMath), 'bnpo', 'dr_grpo' (Dr. GRPO, Liu et al. 2025), 'dapo' (DAPO
   * token-level loss). See `aggregateTokenLoss`. Default `'dapo'` (TRL). */
  lossType: LossType;
  /** Advantage scaling: 'group' std (DeepSeekMath), 'batch' std, or 'none' (Dr. GRPO: no difficulty bias). See
   * `groupAdvantages`. Default `'group'` (TRL). */
  scaleRewards: ScaleRewards;
  /** Give completions cut off at maxCompletionLength mask 0, so they neither reward nor punish (DAPO §3.4,
   * "overlong filtering"). Default `false` (TRL). */
  maskTruncatedCompletions: boolean;
  /** DAPO's soft overlong punishment (§3.4): completions longer than maxCompletionLength − softPunishCache tokens
   * get a penalty rising linearly to −1 at maxCompletionLength (see `softOverlongPunishment`). `0` = off.
   * Default `0`. */
  softPunishCache: number;
  /** Names of the reward functions the trainer looks up (R1-Zero: rule-based accuracy + format, DeepSeek-R1 §2.2.2).
   * Default `['accuracy', 'format']`. */
  rewardFuncs: string[];
  /** One weight per entry of rewardFuncs; the reward is Σ wᵢ·rᵢ. `null` = all 1 (TRL). Default `null`. */
  rewardWeights: number[] | null;
  /** See {@link MultiObjectiveAggregation}. Default `'sum_then_normalize'`. */
  multiObjectiveAggregation: MultiObjectiveAggregation;
  /**
   * DAPO's dynamic sampling (Yu et al. 2025; verl's `filter_groups`): drop groups whose rewards all agree (they give
   * zero advantage, so they teach nothing) and sample more prompts until the generation batch is full again.
   * Default `false`. */
  dynamicSampling: boolean;
  /** With dynamicSampling: at most this many generation batches are sampled to fill one; if still short, the
   * update uses the groups it has (verl's `max_num_gen_batches`). Default `4`. */
  maxNumGenBatches: number;

  // ---- Optimiser and schedule (AdamW, Loshchilov & Hutter 2019; defaults from HF TrainingArguments unless noted)
  /** Peak learning rate after warm-up. Default `1e-6` (TRL; DeepSeekMath GRPO used 1e-6). */
  learningRate: number;
  /** Decay after warm-up. Default `'linear'` (HF). */
  lrSchedulerType: LrSchedulerType;
  /** Warm-up as a fraction of maxSteps, in [0, 1); used when warmupSteps is 0. Default `0`. */
  warmupRatio: number;
  /** Warm-up steps (linear from 0 to learningRate); overrides warmupRatio. Default `0`. */
  warmupSteps: number;
  /** Decoupled weight decay λ (AdamW). Default `0`. */
  weightDecay: number;
  /** AdamW β₁. Default `0.9`. */
  adamBeta1: number;
  /** AdamW β₂. Default `0.999`. */
  adamBeta2: number;
  /** AdamW ε. Default `1e-8`. */
  adamEpsilon: number;
  /** Clip the global gradient norm to this; `0` = no clipping. Default `1.0`. */
  maxGradNorm: number;

  // ---- Loop
  /** Optimiser steps to train for, ≥ 1. Default `500`. */
  maxSteps: number;
  /** Log metrics every this many optimiser steps. Default `10` (TRL). */
  loggingSteps: number;
  /** Save a checkpoint every this many optimiser steps. Default `500` (HF). */
  saveSteps: number;
  /** Evaluate every this many optimiser steps; `null` = never. Default `null`. */
  evalSteps: number | null;
}

/** A config after `resolveGRPOConfig`: every derived field filled in. */
export interface ResolvedGRPOConfig extends GRPOConfig {
  epsilonHigh: number;
  stepsPerGeneration: number;
  generationBatchSize: number;
}

export const DEFAULT_GRPO_CONFIG: Readonly<GRPOConfig> = Object.freeze({
  outputDir: 'runs/grpo',
  runName: null,
  seed: 42,
  numGenerations: 8,
  perDeviceTrainBatchSize: 8,
  gradientAccumulationSteps: 1,
  stepsPerGeneration: null,
  generationBatchSize: null,
  maxPromptLength: 512,
  maxCompletionLength: 256,
  temperature: 1.0,
  topP: 1.0,
  topK: 0,
  minP: null,
  repetitionPenalty: 1.0,
  beta: 0.0,
  epsilon: 0.2,
  epsilonHigh: null,
  numIterations: 1,
  lossType: 'dapo',
  scaleRewards: 'group',
  maskTruncatedCompletions: false,
  softPunishCache: 0,
  rewardFuncs: ['accuracy', 'format'],
  rewardWeights: null,
  multiObjectiveAggregation: 'sum_then_normalize',
  dynamicSampling: false,
  maxNumGenBatches: 4,
  learningRate: 1e-6,
  lrSchedulerType: 'linear',
  warmupRatio: 0,
  warmupSteps: 0,
  weightDecay: 0,
  adamBeta1: 0.9,
  adamBeta2: 0.999,
  adamEpsilon: 1e-8,
  maxGradNorm: 1.0,
  maxSteps: 500,
  loggingSteps: 10,
  saveSteps: 500,
  evalSteps: null,
});

/** Every field name of GRPOConfig, in declaration order. */
export const GRPO_CONFIG_KEYS = Object.keys(DEFAULT_GRPO_CONFIG) as readonly (keyof GRPOConfig)[];
