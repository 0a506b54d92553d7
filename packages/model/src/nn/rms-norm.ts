/**
 * RMSNorm (Zhang & Sennrich 2019) as Qwen2 computes it: `x · rsqrt(mean(x², -1) + eps) · weight`, in float32.
 * Where the backend has the fused kernels (`R1RmsNorm` / `R1RmsNormGrad`, the wasm kernel pack) it is one kernel each
 * way with its own gradient; elsewhere a plain differentiable composition of tfjs ops.
 */
import * as tf from '@tensorflow/tfjs';
import { RMS_NORM, RMS_NORM_GRAD } from '../backend/kernels/rms-norm';
import { recordingGradients } from './tape';

function hasKernels(): boolean {
  const backend = tf.getBackend();
  return tf.getKernel(RMS_NORM, backend) !== undefined && tf.getKernel(RMS_NORM_GRAD, backend) !== undefined;
}

/** The composition of tfjs ops (every backend; the reference the fused kernels are tested against). */
export function rmsNormComposed<T extends tf.Tensor>(x: T, weight: tf.Tensor1D, eps: number): T {
  return tf.tidy(() => {
    const meanSquare = tf.mean(tf.mul(x, x), -1, true); // [..., 1]
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, eps))), weight) as T;
  });
}

/** `x` `[..., D]`, `weight` `[D]` → `[..., D]`. */
export function rmsNorm<T extends tf.Tensor>(x: T, weight: tf.Tensor1D, eps: number): T {
  if (x.dtype !== 'float32' || weight.dtype !== 'float32' || !hasKernels()) return rmsNormComposed(x, weight, eps);
  const engine = tf.engine();
  const attrs = { eps } as unknown as tf.NamedAttrMap;
  if (!recordingGradients()) {
    const [y, r] = engine.runKernel(RMS_NORM, { x, weight }, attrs) as [T, tf.Tensor];
    r.dispose();
    return y;
  }
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xIn, wIn, save] = args as [tf.Tensor, tf.Tensor1D, tf.GradSaveFunc];
    const [y, r] = engine.runKernel(RMS_NORM, { x: xIn, weight: wIn }, attrs) as [tf.Tensor, tf.Tensor];
    save([xIn, wIn, r]);
    r.dispose();
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws, rs] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        return engine.runKernel(RMS_NORM_GRAD, { dy, x: xs, weight: ws, r: rs }, attrs) as tf.Tensor[];
      },
    };
  });
  return op(x, weight) as T;
}
