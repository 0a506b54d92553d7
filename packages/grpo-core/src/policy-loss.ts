/**
 * The GRPO policy loss for one (micro-)batch of sampled completions (DeepSeekMath eq. 3, clipped as in PPO, with the
 * asymmetric clip of DAPO and TRL's metric definitions). Per completion token, with r = exp(logp − old):
 *
 *   ℓ = −min(r·A, clip(r, 1 − ε, 1 + ε_high)·A)  +  β·(exp(ref − logp) − (ref − logp) − 1)   [k3 KL, only if β > 0]
 *
 * and the tokens are reduced by `aggregateTokenLoss` according to `lossType`. `old` and `ref` are constants (wrapped in
 * `stopGradient`), so gradients flow only into `logprobs`. The loss is a scalar tensor for `tf.variableGrads`;
 * the clip fractions and the KL are plain numbers (read back with one `dataSync`), so they survive the tidy scope of
 * `tf.variableGrads` and can be logged directly.
 *
 * Padding (mask = 0) never leaks in: log-ratios and KL arguments are zeroed there with `where` before `exp`, so
 * garbage log-probabilities in padded slots give neither NaN losses nor NaN gradients. It does not compute
 * log-probabilities from logits (that is the model's job) and does not know about groups (advantages arrive ready).
 */
import { tf } from '@r1/model';
import { klEstimate } from './kl-estimate';
import { type AggregationOptions, aggregateTokenLoss } from './loss-aggregation';
import { stopGradient } from './stop-gradient';

export interface PolicyLossInputs {
  /** log π_θ(oₜ | q, o<ₜ) of the sampled tokens, [B, T]; the tensor gradients flow into. */
  logprobs: tf.Tensor;
  /**
   * log π_θ_old of the same tokens (the policy that sampled them), [B, T]; treated as a constant. Omit it when the
   * batch is used once right after sampling (numIterations = 1): then old = stopGradient(logprobs), so r = 1 and
   * only the gradient A·∇logp remains, as TRL does.
   */
  oldLogprobs?: tf.Tensor;
  /** log π_ref of the same tokens, [B, T]; treated as a constant. Required when β > 0; if given, `kl` is reported. */
  refLogprobs?: tf.Tensor;
  /** One advantage per sequence, [B] (e.g. `groupAdvantages(...).advantages`). */
  advantages: tf.Tensor | readonly number[];
  /** 1 for completion tokens that count, 0 for padding (and for masked truncated completions), [B, T]. */
  mask: tf.Tensor;
}

export interface PolicyLossOptions extends AggregationOptions {
  /** Lower clip range ε: r is clipped below at 1 − ε. In (0, 1). PPO / DeepSeekMath; TRL default 0.2. */
  epsilon: number;
  /** Upper clip range ε_high: r is clipped above at 1 + ε_high. Defaults to `epsilon`; DAPO ("clip-higher") 0.28. */
  epsilonHigh?: number;
  /** KL coefficient β ≥ 0 (DeepSeekMath 0.04, DeepSeek-R1 0.001, TRL default 0: no KL term). */
  beta: number;
}

export interface PolicyLossResult {
  /** Scalar loss, differentiable w.r.t. `logprobs`. */
  loss: tf.Scalar;
  /** Share of active tokens whose update was clipped: `clipLowFraction + clipHighFraction`. */
  clipFraction: number;
  /** Share of active tokens with r < 1 − ε and A < 0 (the clip stopped pushing the probability further down). */
  clipLowFraction: number;
  /** Share of active tokens with r > 1 + ε_high and A > 0 (the clip stopped pushing the probability further up). */
  clipHighFraction: number;
  /** Mean k3 KL(π_θ ‖ π_ref) over active tokens; `null` when no `refLogprobs` were given. */
  kl: number | null;
}

/**
 * GRPO's clipped surrogate loss with optional k3 KL penalty, aggregated by `lossType`.
 *
 * @example
 * ```ts
 * const { value, grads } = tf.variableGrads(() => {
 *   const logprobs = model.tokenLogprobs(batch);                                    // [B, T]
 *   const out = policyLoss({ logprobs, oldLogprobs, advantages, mask }, { lossType: 'dapo', epsilon: 0.2, beta: 0 });
 *   metrics = out;                                                                  // numbers, safe to keep
 *   return out.loss;
 * });
 * ```
 */
export function policyLoss(inputs: PolicyLossInputs, options: PolicyLossOptions): PolicyLossResult {
  const { batch } = validateInputs(inputs, options);
  const epsilonLow = options.epsilon;
  const epsilonHigh = options.epsilonHigh ?? options.epsilon;

  const { loss, metrics } = tf.tidy(() => {
    const mask = tf.cast(inputs.mask, 'float32'); // [B, T]
    const active = tf.greater(mask, 0); // [B, T] bool
    const zeros = tf.zerosLike(inputs.logprobs);
    // Constants even if the caller differentiates w.r.t. them too (PyTorch's `.detach()` in TRL).
    const old = stopGradient(inputs.oldLogprobs ?? inputs.logprobs);
    const ref = inputs.refLogprobs === undefined ? undefined : stopGradient(inputs.refLogprobs);
    const advantages = tf.reshape(asTensor(inputs.advantages), [batch, 1]); // [B, 1]

    const logRatio = tf.where(active, tf.sub(inputs.logprobs, old), zeros); // [B, T]
    const ratio = tf.exp(logRatio);
    const unclipped = tf.mul(ratio, advantages);
    const clipped = tf.mul(tf.clipByValue(ratio, 1 - epsilonLow, 1 + epsilonHigh), advantages);
    let perToken = tf.neg(tf.minimum(unclipped, clipped)); // [B, T]

    let klMean: tf.Tensor = tf.scalar(Number.NaN);
    if (ref !== undefined) {
      const kl = klEstimate(tf.where(active, inputs.logprobs, zeros), tf.where(active, ref, zeros), 'k3');
      if (options.beta > 0) perToken = tf.add(perToken, tf.mul(options.beta, kl));
      klMean = maskedMean(kl, mask);
    }

    const lowClipped = tf.logicalAnd(tf.less(ratio, 1 - epsilonLow), tf.less(advantages, 0));
    const highClipped = tf.logicalAnd(tf.greater(ratio, 1 + epsilonHigh), tf.greater(advantages, 0));
    const metrics = tf.stack([
      maskedMean(tf.cast(lowClipped, 'float32'), mask),
      maskedMean(tf.cast(highClipped, 'float32'), mask),
      maskedMean(tf.cast(tf.logicalOr(lowClipped, highClipped), 'float32'), mask),
      klMean,
    ]);
    return { loss: aggregateTokenLoss(perToken, mask, options), metrics };
  });

  const [clipLowFraction = 0, clipHighFraction = 0, clipFraction = 0, kl = Number.NaN] = metrics.dataSync();
  metrics.dispose();
  return {
    loss,
    clipFraction,
    clipLowFraction,
    clipHighFraction,
    kl: inputs.refLogprobs === undefined ? null : kl,
  };
}

function maskedMean(values: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  return tf.div(tf.sum(tf.mul(values, mask)), tf.maximum(tf.sum(mask), 1));
}

function asTensor(advantages: tf.Tensor | readonly number[]): tf.Tensor {
  return advantages instanceof tf.Tensor ? tf.cast(advantages, 'float32') : tf.tensor1d([...advantages], 'float32');
}

function validateInputs(inputs: PolicyLossInputs, options: PolicyLossOptions): { batch: number } {
  const { logprobs, oldLogprobs, refLogprobs, advantages, mask } = inputs;
  if (!(logprobs instanceof tf.Tensor) || logprobs.rank !== 2) {
    throw new Error(`policyLoss: logprobs must be a [B, T] tensor (got ${describe(logprobs)})`);
  }
  const [batch = 0] = logprobs.shape;
  const shaped: [string, tf.Tensor | undefined][] = [
    ['oldLogprobs', oldLogprobs],
    ['refLogprobs', refLogprobs],
    ['mask', mask],
  ];
  for (const [name, t] of shaped) {
    if (t === undefined && name !== 'mask') continue;
    if (!(t instanceof tf.Tensor) || !tf.util.arraysEqual(t.shape, logprobs.shape)) {
      throw new Error(
        `policyLoss: ${name} must have the shape of logprobs [${logprobs.shape}] (got ${describe(t)}); pass the ` +
          'values of the same sampled tokens, padded the same way',
      );
    }
  }
  const advantageShape = advantages instanceof tf.Tensor ? advantages.shape : [advantages.length];
  if (advantageShape.length !== 1 || advantageShape[0] !== batch) {
    throw new Error(
      `policyLoss: advantages must hold one value per sequence, shape [${batch}] (got [${advantageShape}])`,
    );
  }
  const { epsilon, epsilonHigh, beta } = options;
  if (!(epsilon > 0 && epsilon < 1)) {
    throw new Error(`policyLoss: epsilon must be in (0, 1) (got ${epsilon}); 0.2 is the usual value`);
  }
  if (epsilonHigh !== undefined && !(epsilonHigh > 0 && Number.isFinite(epsilonHigh))) {
    throw new Error(`policyLoss: epsilonHigh must be a finite number > 0 (got ${epsilonHigh}); DAPO uses 0.28`);
  }
  if (!(beta >= 0 && Number.isFinite(beta))) {
    throw new Error(`policyLoss: beta must be a finite number ≥ 0 (got ${beta}); use 0 to drop the KL term`);
  }
  if (beta > 0 && refLogprobs === undefined) {
    throw new Error(
      `policyLoss: beta = ${beta} > 0 needs refLogprobs (the reference model's log-probabilities); ` +
        'pass them or set beta to 0',
    );
  }
  return { batch };
}

function describe(value: unknown): string {
  if (value instanceof tf.Tensor) return `shape [${value.shape}]`;
  return value === undefined ? 'undefined' : typeof value;
}
