/**
 * Learning rate per optimiser step: linear warm-up from 0, then linear, cosine or constant, exactly as Hugging Face
 * transformers' `get_{linear,cosine,constant}_schedule_with_warmup` lambdas (so a TRL run's curve is reproduced):
 *
 *   warm-up (step < W):  lr · step / max(1, W)
 *   linear:              lr · max(0, (N − step) / max(1, N − W))
 *   cosine:              lr · max(0, ½ (1 + cos(π · 2c · p))),  p = (step − W) / max(1, N − W), c = 0.5 cycles
 *   constant:            lr
 *
 * `step` counts optimiser steps from 0, so with warm-up the first step runs at lr 0, as in HF. One deliberate
 * difference: past N the cosine progress is held at 1 (HF's would climb back up); the linear one already stays 0.
 * Pure numbers; it knows nothing about optimisers.
 */
import type { GRPOConfig, LrSchedulerType } from './grpo-config';

export interface LrScheduleOptions {
  /** Peak learning rate (after warm-up). */
  learningRate: number;
  schedule: LrSchedulerType;
  /** W: warm-up steps. */
  warmupSteps: number;
  /** N: total optimiser steps (`maxSteps`). */
  totalSteps: number;
  /** Cosine periods over the decay; HF's default 0.5 goes from the peak down to 0 once. */
  numCycles?: number;
}

/** The learning rate for optimiser step `step` (0-based). */
export function learningRateAt(step: number, options: LrScheduleOptions): number {
  const { learningRate, schedule, warmupSteps, totalSteps, numCycles = 0.5 } = options;
  if (!Number.isInteger(step) || step < 0) {
    throw new Error(`learningRateAt: step must be an integer ≥ 0 (got ${step}); optimiser steps count from 0`);
  }
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0 || !Number.isInteger(totalSteps) || totalSteps < 1) {
    throw new Error(
      `learningRateAt: warmupSteps must be an integer ≥ 0 and totalSteps an integer ≥ 1 ` +
        `(got ${warmupSteps} and ${totalSteps})`,
    );
  }
  if (step < warmupSteps) return (learningRate * step) / Math.max(1, warmupSteps);
  const decaySteps = Math.max(1, totalSteps - warmupSteps);
  switch (schedule) {
    case 'constant':
      return learningRate;
    case 'linear':
      return learningRate * Math.max(0, (totalSteps - step) / decaySteps);
    case 'cosine': {
      const progress = Math.min(1, (step - warmupSteps) / decaySteps);
      return learningRate * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * numCycles * 2 * progress)));
    }
    default: {
      const unknown: never = schedule;
      throw new Error(`learningRateAt: unknown schedule ${JSON.stringify(unknown)}; use linear, cosine or constant`);
    }
  }
}

/** HF's `get_warmup_steps`: `warmupSteps` if > 0, else ⌈warmupRatio · maxSteps⌉. */
export function warmupStepsFor(config: Pick<GRPOConfig, 'warmupSteps' | 'warmupRatio' | 'maxSteps'>): number {
  return config.warmupSteps > 0 ? config.warmupSteps : Math.ceil(config.warmupRatio * config.maxSteps);
}

/** The schedule a (resolved) GRPOConfig describes. */
export function lrScheduleFromConfig(
  config: Pick<GRPOConfig, 'learningRate' | 'lrSchedulerType' | 'warmupSteps' | 'warmupRatio' | 'maxSteps'>,
): LrScheduleOptions {
  return {
    learningRate: config.learningRate,
    schedule: config.lrSchedulerType,
    warmupSteps: warmupStepsFor(config),
    totalSteps: config.maxSteps,
  };
}
