/**
 * RMSNorm (Zhang & Sennrich 2019) as Qwen2 computes it: `x · rsqrt(mean(x², -1) + eps) · weight`, in float32.
 * A plain differentiable composition (no custom gradient).
 */
import * as tf from '@tensorflow/tfjs';

/** `x` `[..., D]`, `weight` `[D]` → `[..., D]`. */
export function rmsNorm<T extends tf.Tensor>(x: T, weight: tf.Tensor1D, eps: number): T {
  return tf.tidy(() => {
    const meanSquare = tf.mean(tf.mul(x, x), -1, true); // [..., 1]
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, eps))), weight) as T;
  });
}
