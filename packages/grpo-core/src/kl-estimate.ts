/**
 * Per-token estimators of KL(π_θ ‖ π_ref) from one sample, after Schulman, "Approximating KL Divergence" (2020):
 *
 *   k1 = logp − ref                         unbiased, can be negative, high variance
 *   k2 = ½ (logp − ref)²                    biased, ≥ 0, low variance
 *   k3 = exp(ref − logp) − (ref − logp) − 1 unbiased, ≥ 0, low variance — the one DeepSeekMath's GRPO (eq. 4) uses
 *
 * Tensors in, tensor out, same shape; differentiable in both arguments. This module does not mask or average:
 * callers decide which tokens count (see `policyLoss`).
 */
import { tf } from '@r1/model';

/** Which single-sample KL estimator to use (closed union; see the module header for the formulas). */
export type KlEstimator = 'k1' | 'k2' | 'k3';

export const KL_ESTIMATORS: readonly KlEstimator[] = ['k1', 'k2', 'k3'];

/**
 * Per-token KL estimate between the policy and the reference, from their log-probabilities of the sampled tokens.
 *
 * @param logprobs log π_θ(oₜ | q, o<ₜ), any shape (usually [B, T])
 * @param refLogprobs log π_ref(oₜ | q, o<ₜ), same shape
 * @example
 * ```ts
 * const kl = klEstimate(logprobs, refLogprobs, 'k3'); // [B, T], every entry ≥ 0
 * ```
 */
export function klEstimate(logprobs: tf.Tensor, refLogprobs: tf.Tensor, estimator: KlEstimator): tf.Tensor {
  if (!tf.util.arraysEqual(logprobs.shape, refLogprobs.shape)) {
    throw new Error(
      `klEstimate: logprobs has shape [${logprobs.shape}] but refLogprobs has shape [${refLogprobs.shape}]; ` +
        'pass the log-probabilities of the same sampled tokens under both models',
    );
  }
  return tf.tidy(() => {
    switch (estimator) {
      case 'k1':
        return k1(logprobs, refLogprobs);
      case 'k2':
        return k2(logprobs, refLogprobs);
      case 'k3':
        return k3(logprobs, refLogprobs);
      default: {
        const unknown: never = estimator;
        throw new Error(`klEstimate: unknown estimator ${JSON.stringify(unknown)}; use one of ${KL_ESTIMATORS}`);
      }
    }
  });
}

function k1(logprobs: tf.Tensor, refLogprobs: tf.Tensor): tf.Tensor {
  return tf.sub(logprobs, refLogprobs);
}

function k2(logprobs: tf.Tensor, refLogprobs: tf.Tensor): tf.Tensor {
  const d = tf.sub(logprobs, refLogprobs);
  return tf.mul(0.5, tf.mul(d, d));
}

function k3(logprobs: tf.Tensor, refLogprobs: tf.Tensor): tf.Tensor {
  // x = ref − logp; exp(x) − x − 1 ≥ 0 with equality only at x = 0. In float32 the direct form cancels for small |x|
  // and can round to a tiny negative number, so below |x| = 1e-2 use its Taylor series x²/2 · (1 + x/3 + x²/12)
  // (next term x⁵/120: relative error < 2e-8 there). The branch test goes through `step` because comparison ops
  // (`less`, …) have no gradient in tfjs and would break backprop; the series sees x clipped to the branch range so
  // both branches stay finite and `where` passes clean gradients.
  const x = tf.sub(refLogprobs, logprobs);
  const direct = tf.sub(tf.sub(tf.exp(x), x), 1);
  const xs = tf.clipByValue(x, -K3_SERIES_BELOW, K3_SERIES_BELOW);
  const series = tf.mul(tf.mul(0.5, tf.mul(xs, xs)), tf.add(1, tf.add(tf.div(xs, 3), tf.div(tf.mul(xs, xs), 12))));
  const small = tf.cast(tf.step(tf.sub(K3_SERIES_BELOW, tf.abs(x))), 'bool');
  return tf.where(small, series, direct);
}

const K3_SERIES_BELOW = 1e-2;
