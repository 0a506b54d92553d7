/**
 * @r1/grpo-core — the pure pieces of GRPO (DeepSeekMath, DeepSeek-R1, TRL): group advantages, the clipped policy
 * loss and its aggregations, KL estimators, the GRPO config, and the optimiser pieces an update needs (AdamW,
 * learning-rate schedule, gradient clipping). Tensors in, tensors out; no model, no sampler, no I/O except
 * `loadGRPOConfigFile`.
 */
export * from './adamw';
export * from './advantages';
export * from './clip-grad-norm';
export * from './grpo-config';
export * from './grpo-config-file';
export * from './grpo-update';
export * from './kl-estimate';
export * from './loss-aggregation';
export * from './lr-schedule';
export type { NamedTensors } from './named-tensors';
export * from './named-trainables';
export * from './nearest-name';
export * from './pack-sequences';
export * from './policy-loss';
export * from './resolve-grpo-config';
export * from './soft-overlong';
export * from './stop-gradient';
export * from './training-checkpoint';
