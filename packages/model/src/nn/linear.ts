/**
 * Linear layers with Hugging Face's `[out, in]` weight layout: `y = x · Wᵀ + b`, and the SwiGLU MLP built from them
 * (`down(silu(gate(x)) ⊙ up(x))`, Qwen2's `Qwen2MLP` and each DeepSeek-V3 expert).
 * Inputs are 2-D `[N, in]`: callers flatten batch and time so every projection is one 2-D matmul.
 */
import * as tf from '@tensorflow/tfjs';
import { SWIGLU, SWIGLU_GRAD } from '../backend/kernels/swiglu';
import { recordingGradients } from './tape';

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

/**
 * `silu(g) · u` for the gate and up projections `g`, `u` (one shape). One fused kernel each way where the backend has
 * them (`R1SwiGlu` / `R1SwiGluGrad`, the wasm kernel pack), a composition of tfjs ops elsewhere.
 */
export function swigluActivation<T extends tf.Tensor>(g: T, u: T): T {
  const backend = tf.getBackend();
  if (
    g.dtype !== 'float32' ||
    u.dtype !== 'float32' ||
    tf.getKernel(SWIGLU, backend) === undefined ||
    tf.getKernel(SWIGLU_GRAD, backend) === undefined
  )
    return tf.mul(silu(g), u);
  const engine = tf.engine();
  if (!recordingGradients()) {
    const [h, s] = engine.runKernel(SWIGLU, { g, u }) as [T, tf.Tensor];
    s.dispose();
    return h;
  }
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [gIn, uIn, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const [h, s] = engine.runKernel(SWIGLU, { g: gIn, u: uIn }) as [tf.Tensor, tf.Tensor];
    save([gIn, uIn, s]);
    s.dispose();
    return {
      value: h,
      gradFunc: (dh: tf.Tensor, saved: tf.Tensor[]) => {
        const [gs, us, ss] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        return engine.runKernel(SWIGLU_GRAD, { dh, g: gs, u: us, s: ss }) as tf.Tensor[];
      },
    };
  });
  return op(g, u) as T;
}

/** `x` `[N, D]` → `[N, D]`. */
export function swiglu(x: tf.Tensor2D, w: SwiGluWeights): tf.Tensor2D {
  return tf.tidy(() => linear(swigluActivation(linear(x, w.gate), linear(x, w.up)), w.down));
}
