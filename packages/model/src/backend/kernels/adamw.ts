/**
 * `R1AdamW`: one AdamW update of one parameter as a single wasm kernel — one SIMD pass (`adamwLanes` in the module
 * of `gemm/`) over the heap instead of the ~11
 * tfjs kernels (each allocating a tensor) the update takes when composed from ops, which for a model of ~80 small
 * variables cost ~15–20 ms a step on wasm. PyTorch's rule (see `optim/adamw.ts`); inputs `param, grad, m, v`
 * (float32, one shape), attrs the hyper-parameters and the bias corrections of this step; outputs
 * `[param', m', v']` as new tensors (inputs are never written: a variable's data may be shared with clones).
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { sizeOf, tensorData, type WasmBackend } from '../wasm-internals';
import { adamwLanesFor } from './gemm/gemm';

export const ADAMW = 'R1AdamW';

export interface AdamWKernelAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** `1 − lr·λ` (decoupled weight decay). */
  decay: number;
  /** `lr / (1 − β₁ᵗ)`. */
  stepSize: number;
  /** `√(1 − β₂ᵗ)`. */
  sqrtBiasCorrection2: number;
}

function adamw(args: { inputs: object; backend: unknown; attrs?: NamedAttrMap }): TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { param, grad, m, v } = args.inputs as Record<'param' | 'grad' | 'm' | 'v', TensorInfo>;
  const { beta1, beta2, epsilon, decay, stepSize, sqrtBiasCorrection2 } = args.attrs as unknown as AdamWKernelAttrs;
  for (const t of [param, grad, m, v]) {
    if (t.dtype !== 'float32') throw new Error(`${ADAMW}: float32 only, got ${t.dtype}`);
    if (t.shape.length !== param.shape.length || t.shape.some((d, i) => d !== param.shape[i]))
      throw new Error(`${ADAMW}: shapes differ: param [${param.shape}], got [${t.shape}]`);
  }
  const size = sizeOf(param.shape);
  const outs = [param, m, v].map(() => backend.makeOutput(param.shape, 'float32'));
  const [p, g, m0, v0, p1, m1, v1] = [param, grad, m, v, ...outs].map((t) => tensorData(backend, t).memoryOffset);
  adamwLanesFor(backend.wasm)(
    p!,
    g!,
    m0!,
    v0!,
    p1!,
    m1!,
    v1!,
    size,
    beta1,
    beta2,
    1 - beta1,
    1 - beta2,
    decay,
    stepSize,
    sqrtBiasCorrection2,
    epsilon,
  );
  return outs;
}

export const adamwConfig: KernelConfig = {
  kernelName: ADAMW,
  backendName: 'wasm',
  kernelFunc: adamw as unknown as KernelFunc,
};
