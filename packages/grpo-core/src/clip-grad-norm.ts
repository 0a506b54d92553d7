/**
 * Global gradient-norm clipping, as PyTorch's `clip_grad_norm_` (which TRL/HF call with `max_grad_norm`):
 *
 *   norm = sqrt(Σ over all tensors, all entries g²);  scale = min(1, maxNorm / (norm + 1e-6));  g ← g · scale
 *
 * It returns the pre-clip norm. A non-finite norm (overflow, NaN in a gradient) is reported with `finite: false`
 * and the gradients come back unscaled, so the caller can skip the optimiser step instead of corrupting the
 * weights. The per-tensor sums of squares are added in float64 after one read-back. It does not apply the update.
 */
import { tf } from '@r1/model';
import { type NamedTensors, namedEntries } from './named-tensors';

export interface ClipGradNormResult {
  /** New tensors (scaled, or plain clones when no clipping was needed); the caller owns and disposes them. */
  grads: Map<string, tf.Tensor>;
  /** The global L2 norm before clipping. */
  norm: number;
  /** False when `norm` is NaN or ±∞: skip this step. */
  finite: boolean;
  /** The factor applied, in (0, 1]; 1 when nothing was clipped or the norm is not finite. */
  scale: number;
}

/** PyTorch's guard against dividing by a zero norm. */
export const CLIP_NORM_EPSILON = 1e-6;

/**
 * Scales all gradients together so their global L2 norm is at most `maxNorm`.
 *
 * @param maxNorm the bound; 0 or +∞ turns clipping off (the norm is still measured)
 * @example
 * ```ts
 * const { grads: clipped, norm, finite } = clipGradNorm(grads, config.maxGradNorm);
 * if (finite) optimizer.step(clipped, lr); else log(`skipped step: gradient norm ${norm}`);
 * ```
 */
export function clipGradNorm(grads: NamedTensors, maxNorm: number): ClipGradNormResult {
  if (!(maxNorm >= 0)) {
    throw new Error(`clipGradNorm: maxNorm must be ≥ 0 (got ${maxNorm}); use 0 to measure the norm without clipping`);
  }
  const entries = namedEntries(grads);
  const squares = tf.tidy(() =>
    entries.length === 0 ? tf.zeros([0]) : tf.stack(entries.map(([, g]) => tf.sum(tf.square(tf.cast(g, 'float32'))))),
  );
  let sumOfSquares = 0;
  for (const s of squares.dataSync()) sumOfSquares += s;
  squares.dispose();
  const norm = Math.sqrt(sumOfSquares);
  const finite = Number.isFinite(norm);
  const clipping = finite && maxNorm > 0 && maxNorm !== Number.POSITIVE_INFINITY;
  const scale = clipping ? Math.min(1, maxNorm / (norm + CLIP_NORM_EPSILON)) : 1;
  const out = new Map<string, tf.Tensor>();
  for (const [name, g] of entries) out.set(name, scale === 1 ? tf.clone(g) : tf.tidy(() => tf.mul(g, scale)));
  return { grads: out, norm, finite, scale };
}
