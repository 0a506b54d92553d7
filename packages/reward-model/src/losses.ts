/**
 * The reward-model losses, tensors in and out, numerically stable for any logit (±1e4 included):
 * - Bradley–Terry, as TRL's RewardTrainer: `mean(−log σ(r_c − r_r − margin)) + c · mean((r_c + r_r)²)`, with
 *   `c = center_rewards_coefficient` (Eisenstein et al. 2023, eq. 2; TRL recommends 0.01, default off);
 * - pointwise binary cross-entropy on a logit z with label y ∈ {0, 1}: `mean(softplus(z) − y·z)`.
 * Both are written with one `softplus` whose gradient is `σ(x)` exactly (a custom gradient: the composed
 * `max(x, 0) + log(1 + e^−|x|)` would give 1 instead of ½ at x = 0). Host-side metrics live beside them.
 */
import { tf } from '@r1/model';

/** softplus(x) = log(1 + eˣ), evaluated as max(x, 0) + log(1 + e^−|x|); gradient σ(x). */
// customGrad passes its inputs as a rest list (tensors, then a save function); this op has exactly one tensor.
export const softplus: (x: tf.Tensor) => tf.Tensor = tf.customGrad((...inputs) => {
  const t = inputs[0] as tf.Tensor;
  (inputs[1] as tf.GradSaveFunc)([t]);
  return {
    value: tf.add(tf.relu(t), tf.log(tf.add(1, tf.exp(tf.neg(tf.abs(t)))))),
    gradFunc: (dy, saved) => tf.mul(dy, tf.sigmoid(saved[0]!)),
  };
}) as (x: tf.Tensor) => tf.Tensor;

export interface BradleyTerryOptions {
  /** `[B]` per-pair margins (TRL's `margin` column); null or absent = 0. */
  margin?: tf.Tensor1D | null;
  /** TRL's `center_rewards_coefficient`; null or 0 = no centering term. */
  centerRewardsCoefficient?: number | null;
}

/**
 * The Bradley–Terry reward loss of `[B]` chosen and rejected rewards (a scalar, differentiable).
 * @example
 * ```ts
 * const loss = bradleyTerryLoss(rc, rr, { centerRewardsCoefficient: 0.01 });
 * ```
 */
export function bradleyTerryLoss(
  chosen: tf.Tensor1D,
  rejected: tf.Tensor1D,
  options: BradleyTerryOptions = {},
): tf.Scalar {
  if (chosen.shape[0] !== rejected.shape[0] || chosen.rank !== 1 || rejected.rank !== 1) {
    throw new Error(
      `bradleyTerryLoss: chosen [${chosen.shape}] and rejected [${rejected.shape}] must be 1-D of one length (one reward per pair)`,
    );
  }
  const margin = options.margin ?? null;
  if (margin !== null && (margin.rank !== 1 || margin.shape[0] !== chosen.shape[0])) {
    throw new Error(`bradleyTerryLoss: margin [${margin.shape}] must be [${chosen.shape[0]}], one per pair`);
  }
  const c = options.centerRewardsCoefficient ?? 0;
  if (!(c >= 0 && Number.isFinite(c)))
    throw new Error(`bradleyTerryLoss: center_rewards_coefficient must be ≥ 0, got ${c}`);
  return tf.tidy(() => {
    let diff = tf.sub(chosen, rejected); // [B]
    if (margin !== null) diff = tf.sub(diff, margin);
    const bt = tf.mean(softplus(tf.neg(diff))) as tf.Scalar; // −log σ(d) = softplus(−d)
    if (c === 0) return bt;
    return tf.add(bt, tf.mul(c, tf.mean(tf.square(tf.add(chosen, rejected))))) as tf.Scalar;
  });
}

/** Binary cross-entropy of `[B]` logits against `[B]` labels in {0, 1} (float), mean over the batch. */
export function pointwiseBceLoss(logits: tf.Tensor1D, labels: tf.Tensor1D): tf.Scalar {
  if (logits.rank !== 1 || labels.rank !== 1 || logits.shape[0] !== labels.shape[0]) {
    throw new Error(
      `pointwiseBceLoss: logits [${logits.shape}] and labels [${labels.shape}] must be 1-D of one length`,
    );
  }
  return tf.tidy(() => tf.mean(tf.sub(softplus(logits), tf.mul(labels, logits))) as tf.Scalar);
}

/** Share of pairs ranked right (`r_c > r_r`; a tie counts ½), and the mean of `r_c − r_r`. NaN for no pairs. */
export function pairMetrics(
  chosen: ArrayLike<number>,
  rejected: ArrayLike<number>,
): { accuracy: number; meanMargin: number } {
  const n = chosen.length;
  let right = 0;
  let margin = 0;
  for (let i = 0; i < n; i++) {
    const d = chosen[i]! - rejected[i]!;
    right += d > 0 ? 1 : d === 0 ? 0.5 : 0;
    margin += d;
  }
  return { accuracy: n === 0 ? Number.NaN : right / n, meanMargin: n === 0 ? Number.NaN : margin / n };
}

/** Share of logits on the side of their label (z > 0 ⇔ y = 1). NaN for none. */
export function pointwiseAccuracy(logits: ArrayLike<number>, labels: ArrayLike<number>): number {
  let right = 0;
  for (let i = 0; i < logits.length; i++) right += (logits[i]! > 0 ? 1 : 0) === labels[i] ? 1 : 0;
  return logits.length === 0 ? Number.NaN : right / logits.length;
}
