/**
 * `R1SwiGlu` / `R1SwiGluGrad`: the SwiGLU activation `h = silu(g) · u` (g, u: the gate and up projections) as one
 * kernel each way. Composed from tfjs ops it is a sigmoid and two multiplies forward and eight element-wise kernels
 * backward, each a pass over `[tokens, intermediate]` floats with its own allocation; these run XNNPACK's sigmoid
 * once and then one SIMD pass (`swiglu_fwd` / `swiglu_bwd` in `gemm/gemm-wat.ts`, the loops the routed experts use).
 *
 * Forward: inputs `g`, `u` (float32, one shape) → outputs `h` and `s = σ(g)` (kept for the backward).
 * Backward: inputs `dh`, `g`, `u`, `s` → `dg = dh · u · silu'(g)`, `du = dh · silu(g)`.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { ptrOf, sizeOf, type WasmBackend } from '../wasm-internals';
import { moeLoopsFor } from './gemm/gemm';
import { sigmoidOf } from './routed-experts';

export const SWIGLU = 'R1SwiGlu';
export const SWIGLU_GRAD = 'R1SwiGluGrad';

interface KernelArgs {
  inputs: object;
  backend: unknown;
}

function checkSameFloat32(name: string, first: TensorInfo, rest: TensorInfo[]): void {
  for (const t of [first, ...rest]) {
    if (t.dtype !== 'float32') throw new Error(`${name}: float32 only, got ${t.dtype} [${t.shape}]`);
    if (t.shape.length !== first.shape.length || t.shape.some((d, i) => d !== first.shape[i]))
      throw new Error(`${name}: shapes differ: [${first.shape}] and [${t.shape}]`);
  }
}

function swiglu(args: KernelArgs): TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { g, u } = args.inputs as Record<'g' | 'u', TensorInfo>;
  checkSameFloat32(SWIGLU, g, [u]);
  const s = sigmoidOf(backend, g);
  const h = backend.makeOutput(g.shape, 'float32');
  moeLoopsFor(backend.wasm).swigluForward(
    ptrOf(backend, g),
    ptrOf(backend, s),
    ptrOf(backend, u),
    ptrOf(backend, h),
    sizeOf(g.shape),
  );
  return [h, s];
}

function swigluGrad(args: KernelArgs): TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { dh, g, u, s } = args.inputs as Record<'dh' | 'g' | 'u' | 's', TensorInfo>;
  checkSameFloat32(SWIGLU_GRAD, g, [dh, u, s]);
  const n = sizeOf(g.shape);
  const dg = backend.makeOutput(g.shape, 'float32');
  const du = backend.makeOutput(g.shape, 'float32');
  const hid = backend.wasm._malloc(4 * n); // the loop also writes h = silu(g)·u, which nobody needs here
  try {
    // The loop turns dh into du in place: start du as a copy of dh (inputs are never written).
    const heap = backend.wasm.HEAPU8;
    heap.copyWithin(ptrOf(backend, du), ptrOf(backend, dh), ptrOf(backend, dh) + 4 * n);
    moeLoopsFor(backend.wasm).swigluBackward(
      ptrOf(backend, g),
      ptrOf(backend, s),
      ptrOf(backend, u),
      ptrOf(backend, du),
      hid,
      ptrOf(backend, dg),
      n,
    );
  } finally {
    backend.wasm._free(hid);
  }
  return [dg, du];
}

export const swigluConfig: KernelConfig = {
  kernelName: SWIGLU,
  backendName: 'wasm',
  kernelFunc: swiglu as unknown as KernelFunc,
};

export const swigluGradConfig: KernelConfig = {
  kernelName: SWIGLU_GRAD,
  backendName: 'wasm',
  kernelFunc: swigluGrad as unknown as KernelFunc,
};
