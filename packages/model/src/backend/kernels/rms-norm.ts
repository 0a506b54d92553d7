/**
 * `R1RmsNorm` / `R1RmsNormGrad`: RMSNorm as one kernel each way, on the heap. Composed from tfjs ops, one norm of a
 * `[1024, 128]` activation is five kernels forward (square, mean, add, rsqrt, two broadcast multiplies — each a
 * full pass plus an allocation, the broadcast ones slow on wasm) and a dozen backward; a Qwen2 layer has two norms,
 * and the model one more. Here each direction is two passes over the rows.
 *
 * Forward (inputs `x` `[..., D]`, `weight` `[D]`; attr `eps`): `y = x · r · weight` with `r = 1/√(mean(x²) + eps)`
 * per row; outputs `y` and `r` (`[rows]`, kept for the backward).
 * Backward (inputs `dy`, `x`, `weight`, `r`): with `g = dy · weight` per row,
 * `dx = r · g − x · r³ · (g · x) / D` and `dweight = Σ_rows dy · x · r`; outputs `dx`, `dweight`.
 * The loops are SIMD wasm (`rms_fwd` / `rms_bwd` in `gemm/norm-wat.ts`); a row's sums run in four float32 lanes, so
 * results agree with the composition to float32 rounding, not bit for bit.
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { ptrOf, sizeOf, type WasmBackend } from '../wasm-internals';
import { normLoopsFor } from './gemm/gemm';

export const RMS_NORM = 'R1RmsNorm';
export const RMS_NORM_GRAD = 'R1RmsNormGrad';

export interface RmsNormAttrs {
  eps: number;
}

interface KernelArgs {
  inputs: object;
  backend: unknown;
  attrs?: NamedAttrMap;
}

function check(x: TensorInfo, weight: TensorInfo, name: string): [rows: number, d: number] {
  const d = x.shape.at(-1);
  if (d === undefined || x.dtype !== 'float32' || weight.dtype !== 'float32')
    throw new Error(`${name}: float32 x of rank ≥ 1 and weight expected, got x ${x.dtype} [${x.shape}]`);
  if (weight.shape.length !== 1 || weight.shape[0] !== d)
    throw new Error(`${name}: weight is [${weight.shape}], expected [${d}] for x [${x.shape}]`);
  return [d === 0 ? 0 : sizeOf(x.shape) / d, d];
}

function rmsNorm(args: KernelArgs): TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { x, weight } = args.inputs as Record<'x' | 'weight', TensorInfo>;
  const { eps } = args.attrs as unknown as RmsNormAttrs;
  const [rows, d] = check(x, weight, RMS_NORM);
  const y = backend.makeOutput(x.shape, 'float32');
  const r = backend.makeOutput([rows], 'float32');
  const ptr = (t: TensorInfo) => ptrOf(backend, t);
  normLoopsFor(backend.wasm).rmsForward(ptr(x), ptr(weight), ptr(y), ptr(r), rows, d, eps);
  return [y, r];
}

function rmsNormGrad(args: KernelArgs): TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { dy, x, weight, r } = args.inputs as Record<'dy' | 'x' | 'weight' | 'r', TensorInfo>;
  const [rows, d] = check(x, weight, RMS_NORM_GRAD);
  if (sizeOf(dy.shape) !== rows * d || sizeOf(r.shape) !== rows)
    throw new Error(`${RMS_NORM_GRAD}: dy [${dy.shape}] / r [${r.shape}] do not match x [${x.shape}]`);
  const dx = backend.makeOutput(x.shape, 'float32');
  const dw = backend.makeOutput([d], 'float32');
  const ptr = (t: TensorInfo) => ptrOf(backend, t);
  normLoopsFor(backend.wasm).rmsBackward(ptr(dy), ptr(x), ptr(weight), ptr(r), ptr(dx), ptr(dw), rows, d);
  return [dx, dw];
}

export const rmsNormConfig: KernelConfig = {
  kernelName: RMS_NORM,
  backendName: 'wasm',
  kernelFunc: rmsNorm as unknown as KernelFunc,
};

export const rmsNormGradConfig: KernelConfig = {
  kernelName: RMS_NORM_GRAD,
  backendName: 'wasm',
  kernelFunc: rmsNormGrad as unknown as KernelFunc,
};
