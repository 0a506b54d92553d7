/**
 * Linear layers with Hugging Face's `[out, in]` weight layout: `y = x · Wᵀ + b`, and the SwiGLU MLP built from them
 * (`down(silu(gate(x)) ⊙ up(x))`, Qwen2's `Qwen2MLP` and each DeepSeek-V3 expert).
 * Inputs are 2-D `[N, in]`: callers flatten batch and time so every projection is one 2-D matmul.
 */
import * as tf from '@tensorflow/tfjs';

/** Weights of one SwiGLU MLP, HF layout. */
export interface SwiGluWeights {
  gate: tf.Tensor2D; // [I, D]
  up: tf.Tensor2D; // [I, D]
  down: tf.Tensor2D; // [D, I]
}

/** `x` `[N, in]`, `weight` `[out, in]`, optional `bias` `[out]` → `[N, out]`. */
export function linear(x: tf.Tensor2D, weight: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  const y = tf.matMul(x, weight, false, true) as tf.Tensor2D;
  return bias === undefined ? y : tf.add(y, bias);
}

/** SiLU: `x · sigmoid(x)`. */
export function silu<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x));
}

/** `x` `[N, D]` → `[N, D]`. */
export function swiglu(x: tf.Tensor2D, w: SwiGluWeights): tf.Tensor2D {
  return tf.tidy(() => linear(tf.mul(silu(linear(x, w.gate)), linear(x, w.up)), w.down));
}
