/**
 * The GRPO update for one generation batch (DeepSeekMath Algorithm 1, inner loop; TRL's `_compute_loss` + HF
 * Trainer's accumulation): given scored rollouts with their advantages, run `numIterations` (μ) passes over the batch
 * in micro-batches of `perDeviceTrainBatchSize`, summing the gradients of `gradientAccumulationSteps` micro-batches
 * per optimiser step; clip the global gradient norm; step AdamW at the scheduled learning rate. A step whose loss or
 * gradient norm is not finite is skipped (weights and optimiser state untouched) and reported.
 *
 * Old log-probabilities are those of the policy that sampled the batch: with μ = 1 they are the current policy's own
 * (r = 1, `policyLoss` without `oldLogprobs`); with μ > 1 they are computed once before the first pass. A frozen
 * reference model gives the k3 KL term when β > 0. For MoE policies the balance loss is added and the selection bias
 * nudged after each optimiser step.
 *
 * It does not sample, score or compute advantages (the caller does, see the trainer's loop) and does no I/O.
 */
import { type Model, type MoeLoad, tf } from '@r1/model';
import type { AdamW } from './adamw';
import { clipGradNorm } from './clip-grad-norm';
import type { ResolvedGRPOConfig } from './grpo-config';
import { type LrScheduleOptions, learningRateAt } from './lr-schedule';
import type { NamedTrainables } from './named-trainables';
import { disposeBatch, type PackedBatch, packSequences } from './pack-sequences';
import { policyLoss } from './policy-loss';

/** One sampled completion, ready to train on. */
export interface Rollout {
  promptIds: readonly number[];
  /** Generated tokens (EOS included when the completion stopped on it). */
  completionIds: readonly number[];
  /** Cut off at maxCompletionLength (finishReason 'length'). */
  truncated: boolean;
  /** Group-relative advantage of this completion. */
  advantage: number;
}

export interface GRPOUpdateContext {
  policy: Model;
  /** Frozen reference policy; required when β > 0. */
  reference: Model | null;
  optimizer: AdamW;
  named: NamedTrainables;
  config: ResolvedGRPOConfig;
  /** Learning-rate schedule (its step is the optimiser step). */
  schedule: LrScheduleOptions;
  padId: number;
  /** Rate of the MoE auxiliary-loss-free bias update (DeepSeek-V3: 0.001). */
  moeBiasRate?: number;
}

export interface OptimizerStepMetrics {
  /** 0-based optimiser step this was (or would have been). */
  step: number;
  loss: number;
  gradNorm: number;
  learningRate: number;
  clipFraction: number;
  clipLowFraction: number;
  clipHighFraction: number;
  /** Mean k3 KL to the reference over active tokens; null without a reference. */
  kl: number | null;
  /** Mean next-token entropy (nats) over active tokens. */
  entropy: number;
  /** Completion tokens that counted (mask = 1). */
  activeTokens: number;
  /** True when the step was skipped because loss or gradient norm was not finite. */
  skipped: boolean;
  /**
   * Where the step's time went, in seconds: the old (μ > 1) and reference (β > 0) log-probs, computed once per
   * generation batch and counted on its first step; forward + backward of the loss; clipping and the optimiser.
   */
  phaseSeconds: { logprobs: number; forwardBackward: number; optimizer: number };
}

interface MicroBatch {
  batch: PackedBatch;
  advantages: number[];
  /** Completion mask (loss mask with truncated rows zeroed when maskTruncatedCompletions). */
  mask: tf.Tensor2D;
  active: number;
  oldLogprobs: tf.Tensor2D | null;
  refLogprobs: tf.Tensor2D | null;
}

function buildMicroBatches(
  rollouts: readonly Rollout[],
  ctx: GRPOUpdateContext,
  timing: { logprobs: number },
): MicroBatch[] {
  const { config } = ctx;
  const size = config.perDeviceTrainBatchSize;
  const out: MicroBatch[] = [];
  for (let start = 0; start < rollouts.length; start += size) {
    const rows = rollouts.slice(start, start + size);
    const batch = packSequences(
      rows.map((r) => ({ prompt: r.promptIds, completion: r.completionIds })),
      ctx.padId,
    );
    const keep = rows.map((r) => (config.maskTruncatedCompletions && r.truncated ? 0 : 1));
    const mask = tf.tidy(() => tf.mul(batch.lossMask, tf.tensor2d(keep, [rows.length, 1])) as tf.Tensor2D);
    const active = tf.tidy(() => tf.sum(mask).dataSync()[0]!);
    const score = (model: Model) =>
      tf.tidy(() =>
        model.tokenLogprobs(batch.ids, batch.targets, {
          attentionMask: batch.attentionMask,
          temperature: config.temperature,
        }),
      );
    const t0 = performance.now();
    const oldLogprobs = config.numIterations > 1 ? score(ctx.policy) : null;
    const refLogprobs = config.beta > 0 && ctx.reference !== null ? score(ctx.reference) : null;
    // No sync for the clock's sake: wasm and cpu run kernels as they are called; on an asynchronous backend the
    // wait shows up in the first forward pass instead.
    if (oldLogprobs !== null || refLogprobs !== null) timing.logprobs += (performance.now() - t0) / 1000;
    out.push({ batch, advantages: rows.map((r) => r.advantage), mask, active, oldLogprobs, refLogprobs });
  }
  return out;
}

function disposeMicroBatch(m: MicroBatch): void {
  disposeBatch(m.batch);
  m.mask.dispose();
  m.oldLogprobs?.dispose();
  m.refLogprobs?.dispose();
}

function addLoad(total: MoeLoad | null, load: MoeLoad | null): MoeLoad | null {
  if (load === null) return total;
  if (total === null)
    return {
      tokens: load.tokens,
      layers: load.layers.map((l) => ({ layer: l.layer, tokensPerExpert: [...l.tokensPerExpert] })),
    };
  total.tokens += load.tokens;
  load.layers.forEach((l, i) => {
    const into = total.layers[i]!.tokensPerExpert;
    l.tokensPerExpert.forEach((n, e) => {
      into[e] = (into[e] ?? 0) + n;
    });
  });
  return total;
}

/**
 * Trains on one generation batch. `firstStep` is the optimiser step the batch starts at (for the schedule);
 * returns one metrics record per optimiser step taken or skipped.
 */
export function grpoUpdate(
  ctx: GRPOUpdateContext,
  rollouts: readonly Rollout[],
  firstStep: number,
): OptimizerStepMetrics[] {
  const { config } = ctx;
  if (config.beta > 0 && ctx.reference === null) {
    throw new Error('grpoUpdate: beta > 0 needs a reference model; load one or set beta: 0');
  }
  if (rollouts.length % config.perDeviceTrainBatchSize !== 0) {
    throw new Error(
      `grpoUpdate: ${rollouts.length} rollouts do not split into micro-batches of perDeviceTrainBatchSize ` +
        `${config.perDeviceTrainBatchSize}; make generationBatchSize a multiple of it`,
    );
  }
  const timing = { logprobs: 0 };
  const micro = buildMicroBatches(rollouts, ctx, timing);
  const accumulation = config.gradientAccumulationSteps;
  const metrics: OptimizerStepMetrics[] = [];
  let step = firstStep;
  try {
    for (let iteration = 0; iteration < config.numIterations; iteration++) {
      for (let start = 0; start < micro.length; start += accumulation) {
        if (step >= config.maxSteps) return metrics;
        const group = micro.slice(start, start + accumulation);
        const m = optimizerStep(ctx, group, step);
        if (metrics.length === 0) m.phaseSeconds.logprobs = timing.logprobs;
        metrics.push(m);
        step++;
      }
    }
  } finally {
    for (const m of micro) disposeMicroBatch(m);
  }
  return metrics;
}

function optimizerStep(ctx: GRPOUpdateContext, group: MicroBatch[], step: number): OptimizerStepMetrics {
  const { config, policy } = ctx;
  const activeTokens = group.reduce((s, m) => s + m.active, 0);
  let summed: Map<string, tf.Tensor> | null = null;
  let loss = 0;
  let clipLow = 0;
  let clipHigh = 0;
  let klSum = 0;
  let entropySum = 0;
  let load: MoeLoad | null = null;
  const t0 = performance.now();
  let forwardBackward = 0;
  for (const m of group) {
    const tf0 = performance.now();
    let out: ReturnType<typeof policyLoss> | null = null;
    let entropy = 0;
    let microLoad: MoeLoad | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const scores = policy.score(m.batch.ids, m.batch.targets, {
        attentionMask: m.batch.attentionMask,
        temperature: config.temperature,
      });
      out = policyLoss(
        {
          logprobs: scores.logprobs,
          ...(m.oldLogprobs ? { oldLogprobs: m.oldLogprobs } : {}),
          ...(m.refLogprobs ? { refLogprobs: m.refLogprobs } : {}),
          advantages: m.advantages,
          mask: m.mask,
        },
        {
          lossType: config.lossType,
          epsilon: config.epsilon,
          epsilonHigh: config.epsilonHigh,
          beta: config.beta,
          maxCompletionLength: config.maxCompletionLength,
          numItemsInBatch: Math.max(1, activeTokens),
        },
      );
      entropy = tf.tidy(() => tf.sum(tf.mul(scores.entropy, m.mask)).dataSync()[0]!);
      microLoad = scores.load;
      // dapo already divides by the tokens of the whole accumulated batch; the others average micro-batches (HF).
      const scale = config.lossType === 'dapo' ? 1 : 1 / group.length;
      return tf.add(tf.mul(out.loss, scale), scores.auxLoss) as tf.Scalar;
    }, policy.trainableVariables());
    const r = out as unknown as ReturnType<typeof policyLoss>;
    loss += value.dataSync()[0]!;
    value.dispose();
    forwardBackward += (performance.now() - tf0) / 1000;
    clipLow += r.clipLowFraction * m.active;
    clipHigh += r.clipHighFraction * m.active;
    klSum += (r.kl ?? 0) * m.active;
    entropySum += entropy;
    load = addLoad(load, microLoad);
    const named = ctx.named.rename(grads);
    if (summed === null) summed = named;
    else {
      for (const [name, g] of named) {
        const prev = summed.get(name);
        if (prev === undefined) summed.set(name, g);
        else {
          summed.set(name, tf.add(prev, g));
          prev.dispose();
          g.dispose();
        }
      }
    }
  }
  const learningRate = learningRateAt(step, ctx.schedule);
  const clipped = clipGradNorm(summed ?? new Map(), config.maxGradNorm);
  for (const g of summed?.values() ?? []) g.dispose();
  const skipped = !Number.isFinite(loss) || !clipped.finite;
  if (!skipped) {
    ctx.optimizer.step(clipped.grads, learningRate);
    if (load !== null) policy.updateMoeBias(load, { rate: ctx.moeBiasRate ?? 0.001 });
  }
  for (const g of clipped.grads.values()) g.dispose();
  const denom = Math.max(1, activeTokens);
  return {
    step,
    loss,
    gradNorm: clipped.norm,
    learningRate,
    clipFraction: (clipLow + clipHigh) / denom,
    clipLowFraction: clipLow / denom,
    clipHighFraction: clipHigh / denom,
    kl: group.some((m) => m.refLogprobs !== null) ? klSum / denom : null,
    entropy: entropySum / denom,
    activeTokens,
    skipped,
    phaseSeconds: { logprobs: 0, forwardBackward, optimizer: (performance.now() - t0) / 1000 - forwardBackward },
  };
}
