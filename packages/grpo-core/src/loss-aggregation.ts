/**
 * How per-token GRPO losses ℓ[b, t] become one scalar — the choice that separates GRPO from its successors:
 *
 *   grpo     (1/B) Σ_b (Σ_t ℓ·m / Σ_t m)      DeepSeekMath eq. 3: mean over tokens, then over sequences. Long
 *                                             sequences weigh less per token (the length bias Dr. GRPO points out).
 *   bnpo     Σ ℓ·m / Σ m                       token mean over this (micro-)batch (TRL's "batch-normalised" PO).
 *   dr_grpo  Σ ℓ·m / (B · maxCompletionLength) Dr. GRPO (Liu et al. 2025): a constant denominator, no length bias.
 *   dapo     Σ ℓ·m / numItemsInBatch           DAPO (Yu et al. 2025) token-level loss: token mean over the whole
 *                                             accumulated batch, so micro-batches add up to the full-batch loss.
 *
 * m is the 0/1 completion mask. Denominators are clamped to ≥ 1 (TRL's `clamp(min=1)`), so all-masked rows and
 * all-masked batches give 0, never NaN. This module does not compute ℓ (see `policyLoss`).
 */
import { tf } from '@r1/model';

/** Loss aggregation (closed union; formulas in the module header). */
export type LossType = 'grpo' | 'bnpo' | 'dr_grpo' | 'dapo';

export const LOSS_TYPES: readonly LossType[] = ['grpo', 'bnpo', 'dr_grpo', 'dapo'];

export interface AggregationOptions {
  lossType: LossType;
  /** dr_grpo's constant: the longest completion the sampler may produce. Required for 'dr_grpo'. */
  maxCompletionLength?: number;
  /**
   * dapo's denominator: active (mask = 1) tokens in the whole accumulated batch — all micro-batches of one
   * optimiser step. Defaults to Σ mask of this call, i.e. bnpo, which is right when there is one micro-batch.
   */
  numItemsInBatch?: number;
}

/**
 * Reduces per-token losses to the scalar loss of `lossType`.
 *
 * @param perTokenLoss ℓ, [B, T]; entries where mask = 0 must be finite (use `tf.where` upstream, not `mul`)
 * @param mask 0/1 completion mask, [B, T]
 * @returns scalar tensor
 */
export function aggregateTokenLoss(perTokenLoss: tf.Tensor, mask: tf.Tensor, options: AggregationOptions): tf.Scalar {
  const [batch] = perTokenLoss.shape;
  if (perTokenLoss.rank !== 2 || !tf.util.arraysEqual(perTokenLoss.shape, mask.shape) || batch === undefined) {
    throw new Error(
      `aggregateTokenLoss: perTokenLoss [${perTokenLoss.shape}] and mask [${mask.shape}] must both be [B, T]`,
    );
  }
  return tf.tidy(() => {
    const lossType = options.lossType;
    switch (lossType) {
      case 'grpo':
        return sequenceMeanThenBatchMean(perTokenLoss, mask);
      case 'bnpo':
        return tokenSumOver(perTokenLoss, mask, clampedMaskSum(mask));
      case 'dr_grpo':
        return tokenSumOver(perTokenLoss, mask, tf.scalar(batch * drGrpoLength(options, mask)));
      case 'dapo':
        return tokenSumOver(perTokenLoss, mask, dapoDenominator(options, mask));
      default: {
        const unknown: never = lossType;
        throw new Error(`aggregateTokenLoss: unknown lossType ${JSON.stringify(unknown)}; use one of ${LOSS_TYPES}`);
      }
    }
  });
}

function sequenceMeanThenBatchMean(perTokenLoss: tf.Tensor, mask: tf.Tensor): tf.Scalar {
  const perSequence = tf.div(tf.sum(tf.mul(perTokenLoss, mask), 1), tf.maximum(tf.sum(mask, 1), 1)); // [B]
  return tf.mean(perSequence);
}

function tokenSumOver(perTokenLoss: tf.Tensor, mask: tf.Tensor, denominator: tf.Tensor): tf.Scalar {
  return tf.div(tf.sum(tf.mul(perTokenLoss, mask)), denominator);
}

function clampedMaskSum(mask: tf.Tensor): tf.Tensor {
  return tf.maximum(tf.sum(mask), 1);
}

/**
 * dr_grpo's constant. The mask may be wider than maxCompletionLength (a packed prompt + completion layout has mask 0
 * on prompt columns), so the check is on the active tokens of each row: no completion may exceed the constant.
 */
function drGrpoLength(options: AggregationOptions, mask: tf.Tensor): number {
  const length = options.maxCompletionLength;
  if (length === undefined || !Number.isInteger(length) || length < 1) {
    throw new Error(
      `lossType 'dr_grpo' divides by B · maxCompletionLength; pass maxCompletionLength as a positive integer ` +
        `(got ${length})`,
    );
  }
  const longest = tf.tidy(() => tf.max(tf.sum(mask, 1)).dataSync()[0] ?? 0);
  if (longest > length) {
    throw new Error(
      `lossType 'dr_grpo': a row of the mask has ${longest} active tokens but maxCompletionLength is ${length}; ` +
        'completions cannot be longer than maxCompletionLength — raise it or truncate the batch',
    );
  }
  return length;
}

function dapoDenominator(options: AggregationOptions, mask: tf.Tensor): tf.Tensor {
  const n = options.numItemsInBatch;
  if (n === undefined) return clampedMaskSum(mask);
  if (!Number.isFinite(n) || n < 0) {
    throw new Error(
      `lossType 'dapo': numItemsInBatch must be the count of active tokens in the accumulated batch (a finite ` +
        `number ≥ 0), got ${n}`,
    );
  }
  return tf.scalar(Math.max(n, 1));
}
