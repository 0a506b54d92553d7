/**
 * One AdamW update of one parameter, PyTorch's rule (`torch.optim.AdamW`), at the parameter's step t ≥ 1:
 *
 *   p ← p · (1 − lr·λ)                                   decoupled weight decay
 *   m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²
 *   p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)  bias-corrected step
 *
 * The optimiser classes (`@r1/grpo-core`'s `AdamW`) keep the state; this is the arithmetic, here because it is a
 * kernel: on wasm it runs as one fused kernel (`R1AdamW`), elsewhere it is composed from tfjs ops.
 */
import * as tf from '@tensorflow/tfjs';
import { ADAMW, type AdamWKernelAttrs } from '../backend/kernels/adamw';

export interface AdamWStep {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  /** This update's step count t (1 for the first update). */
  step: number;
}

/**
 * Assigns the updated value to `param` and returns the new moments (new tensors; `m` and `v` are not disposed).
 * `grad`, `m`, `v` must have `param`'s shape.
 */
export function adamwUpdate(
  param: tf.Variable,
  grad: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  s: AdamWStep,
): { m: tf.Tensor; v: tf.Tensor } {
  if (!(Number.isInteger(s.step) && s.step >= 1))
    throw new Error(`adamwUpdate: step must be an integer ≥ 1 (got ${s.step})`);
  const attrs: AdamWKernelAttrs = {
    beta1: s.beta1,
    beta2: s.beta2,
    epsilon: s.epsilon,
    decay: 1 - s.learningRate * s.weightDecay,
    stepSize: s.learningRate / (1 - s.beta1 ** s.step),
    sqrtBiasCorrection2: Math.sqrt(1 - s.beta2 ** s.step),
  };
  if (param.dtype === 'float32' && tf.getKernel(ADAMW, tf.getBackend()) !== undefined) {
    const [p1, m1, v1] = tf
      .engine()
      .runKernel(ADAMW, { param, grad, m, v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    param.assign(p1!);
    p1!.dispose();
    return { m: m1!, v: v1! };
  }
  return tf.tidy(() => {
    const decayed = s.weightDecay > 0 ? tf.mul(param, attrs.decay) : param;
    const m1 = tf.add(tf.mul(m, s.beta1), tf.mul(grad, 1 - s.beta1));
    const v1 = tf.add(tf.mul(v, s.beta2), tf.mul(tf.mul(grad, grad), 1 - s.beta2));
    const denominator = tf.add(tf.div(tf.sqrt(v1), attrs.sqrtBiasCorrection2), s.epsilon);
    param.assign(tf.sub(decayed, tf.mul(tf.div(m1, denominator), attrs.stepSize)));
    return { m: m1, v: v1 };
  });
}
