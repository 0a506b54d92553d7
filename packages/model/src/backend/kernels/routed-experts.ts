/**
 * The routed experts of a sparse MoE layer as two wasm kernels that work in place on tfjs's heap: gathers,
 * scatter-adds and the SwiGLU's element-wise math are SIMD loops of our wasm module (`gemm/gemm-wat.ts`), and every
 * matmul is one call of its gemm on row ranges of the gathered rows — no tfjs tensor, no kernel dispatch and no copy
 * per expert. The products of all experts go out as one batch per phase, which the gemm pool splits over its threads.
 * `nn/routed-experts.ts` uses them when they are registered for the active backend (wasm) and composes plain tfjs
 * ops otherwise; both compute the same thing:
 *
 *   out[t] = Σ_{(t, j) → e} w[t, j] · down_e(silu(gate_e · x[t]) ⊙ up_e · x[t])
 *
 * with HF-layout weights `gate_e, up_e` `[I, D]` and `down_e` `[D, I]`.
 *
 * `R1RoutedExperts` (forward) returns `[out, G, U, S, Y]`: besides `out` `[N, D]`, the pre-activations
 * `G = X·gateᵀ`, `U = X·upᵀ`, `S = σ(G)` (each `[M, I]`) and the expert outputs `Y` `[M, D]` of the M = N·k routed
 * rows in expert order, which the backward pass needs (saving σ(G) spares the backward pass an exp per element).
 * `R1RoutedExpertsGrad` takes `dy` and those and returns `[dx, dw, dGate_0, dUp_0, dDown_0, …]`; an expert with no
 * rows gets exact zeros. Float32 only.
 *
 * The routing is host-side: `attrs.order` lists the routed slots `n·k + j` grouped by expert (token order inside a
 * group) and `attrs.offsets` (`E + 1` entries) delimits the groups — see `groupSlotsByExpert` in `nn/routed-experts.ts`.
 */
import {
  getKernel,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs';
import { ptrOf, type WasmBackend } from '../wasm-internals';
import { moeLoopsFor } from './gemm/gemm';
import { gemmBatch } from './gemm/pool';
import { Scratch, zero } from './scratch';
import { cachedTranspose } from './transpose-cache';

export const ROUTED_EXPERTS = 'R1RoutedExperts';
export const ROUTED_EXPERTS_GRAD = 'R1RoutedExpertsGrad';

/** Host-side routing shared by both kernels. */
export interface RoutedExpertsAttrs {
  /** Slots `n·k + j`, grouped by expert, token order within a group. Length M = N·k. */
  order: Int32Array;
  /** `offsets[e] … offsets[e + 1]` are expert e's positions in `order`. Length E + 1. */
  offsets: Int32Array;
  /** Experts per token. */
  k: number;
}

/** Input names of expert e's matrices. */
export const expertInputNames = (e: number) => [`gate${e}`, `up${e}`, `down${e}`] as const;

interface Dims {
  n: number;
  d: number;
  k: number;
  inter: number;
  numExperts: number;
  m: number;
}

function dimsOf(x: TensorInfo, gate0: TensorInfo, attrs: RoutedExpertsAttrs): Dims {
  const [n, d] = x.shape as [number, number];
  const inter = gate0.shape[0]!;
  return { n, d, k: attrs.k, inter, numExperts: attrs.offsets.length - 1, m: attrs.order.length };
}

/** `σ(x)` as a new output, by the stock wasm Sigmoid kernel (a plain `(xId, outId)` C kernel: no setup state). */
export function sigmoidOf(backend: WasmBackend, x: TensorInfo): TensorInfo {
  const stock = getKernel('Sigmoid', 'wasm');
  if (stock === undefined) throw new Error('wasm kernel pack: the wasm backend has no Sigmoid kernel');
  return stock.kernelFunc({ inputs: { x }, backend: backend as unknown as KernelBackend, attrs: {} }) as TensorInfo;
}

function checkFloat32(name: string, tensors: TensorInfo[]): void {
  for (const t of tensors)
    if (t.dtype !== 'float32') throw new Error(`${name}: float32 only, got a ${t.dtype} input of shape [${t.shape}]`);
}

/** Expert e's rows: `[first, count]`. */
const rowsOf = (attrs: RoutedExpertsAttrs, e: number): [number, number] => [
  attrs.offsets[e]!,
  attrs.offsets[e + 1]! - attrs.offsets[e]!,
];

function forward(args: { inputs: object; backend: unknown; attrs?: NamedAttrMap }): TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const inputs = args.inputs as Record<string, TensorInfo>;
  const attrs = args.attrs as unknown as RoutedExpertsAttrs;
  const x = inputs.x!;
  const w = inputs.w!;
  const { n, d, k, inter, numExperts, m } = dimsOf(x, inputs.gate0!, attrs);
  const weights = Array.from({ length: numExperts }, (_, e) => expertInputNames(e).map((name) => inputs[name]!));
  checkFloat32(ROUTED_EXPERTS, [x, w, ...weights.flat()]);
  const out = backend.makeOutput([n, d], 'float32');
  const g = backend.makeOutput([m, inter], 'float32');
  const u = backend.makeOutput([m, inter], 'float32');
  const y = backend.makeOutput([m, d], 'float32');
  let s: TensorInfo | undefined;
  const scratch = new Scratch(backend);
  try {
    const loops = moeLoopsFor(backend.wasm);
    const order = scratch.ints(attrs.order);
    const xs = scratch.floats(m * d);
    const hid = scratch.floats(m * inter);
    // The used experts' transposed gate, up and down (kept by the transpose cache between calls: weights do not
    // change between optimiser steps, and decoding calls this layer once per token).
    const owned: TensorInfo[] = [];
    const transposedOf = (t: TensorInfo, rows: number, cols: number): number => {
      const { twin, owned: mine } = cachedTranspose(backend, t, rows, cols, () => {
        const made = backend.makeOutput([cols, rows], 'float32');
        loops.transpose(ptrOf(backend, t), ptrOf(backend, made), rows, cols);
        return made;
      });
      if (mine) owned.push(twin);
      return ptrOf(backend, twin);
    };
    scratch.onFree(() => {
      for (const t of owned) backend.disposeData(t.dataId);
    });
    const batch = gemmBatch(backend.wasm);
    const [pOut, pG, pU, pY] = [out, g, u, y].map((t) => ptrOf(backend, t)) as [number, number, number, number];
    loops.gatherRows(ptrOf(backend, x), xs, order, m, k, d);
    for (let e = 0; e < numExperts; e++) {
      const [r0, rows] = rowsOf(attrs, e);
      if (rows === 0) continue;
      const [gate, up] = weights[e]! as [TensorInfo, TensorInfo, TensorInfo];
      for (const [weight, into] of [
        [gate, pG],
        [up, pU],
      ] as const) {
        const wT = transposedOf(weight, inter, d);
        batch.push(xs + 4 * r0 * d, wT, into + 4 * r0 * inter, rows, inter, d, d, 1, inter, inter, 0);
      }
    }
    batch.run();
    // σ(G) by the stock kernel (XNNPACK's vectorised sigmoid), then H = G·σ(G)·U.
    s = sigmoidOf(backend, g);
    loops.swigluForward(pG, ptrOf(backend, s), pU, hid, m * inter);
    for (let e = 0; e < numExperts; e++) {
      const [r0, rows] = rowsOf(attrs, e);
      if (rows === 0) continue;
      const down = transposedOf(weights[e]![2]!, d, inter);
      batch.push(hid + 4 * r0 * inter, down, pY + 4 * r0 * d, rows, d, inter, inter, 1, d, d, 0);
    }
    batch.run();
    zero(backend, pOut, n * d);
    loops.scatterRows(pY, pOut, order, ptrOf(backend, w), m, k, d);
  } catch (error) {
    for (const t of [out, g, u, y, s]) if (t !== undefined) backend.disposeData(t.dataId);
    throw error;
  } finally {
    scratch.free();
  }
  return [out, g, u, s as TensorInfo, y];
}

function backward(args: { inputs: object; backend: unknown; attrs?: NamedAttrMap }): TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const inputs = args.inputs as Record<string, TensorInfo>;
  const attrs = args.attrs as unknown as RoutedExpertsAttrs;
  const { dy, x, w, g, u, s, y } = inputs as Record<'dy' | 'x' | 'w' | 'g' | 'u' | 's' | 'y', TensorInfo>;
  const { n, d, k, inter, numExperts, m } = dimsOf(x, inputs.gate0!, attrs);
  const weights = Array.from({ length: numExperts }, (_, e) => expertInputNames(e).map((name) => inputs[name]!));
  checkFloat32(ROUTED_EXPERTS_GRAD, [dy, x, w, g, u, s, y, ...weights.flat()]);
  const dx = backend.makeOutput([n, d], 'float32');
  const dw = backend.makeOutput([n, k], 'float32');
  const dWeights = weights.map(() => [
    backend.makeOutput([inter, d], 'float32'),
    backend.makeOutput([inter, d], 'float32'),
    backend.makeOutput([d, inter], 'float32'),
  ]);
  const scratch = new Scratch(backend);
  try {
    const loops = moeLoopsFor(backend.wasm);
    const order = scratch.ints(attrs.order);
    const xs = scratch.floats(m * d);
    const dys = scratch.floats(m * d);
    const dh = scratch.floats(m * inter); // dL/dH, then dL/dU
    const hid = scratch.floats(m * inter);
    const dg = scratch.floats(m * inter);
    const dxs = scratch.floats(m * d);
    const batch = gemmBatch(backend.wasm);
    const at = (t: TensorInfo) => ptrOf(backend, t);
    loops.gatherRows(at(x), xs, order, m, k, d);
    // dY rows (scaled by their combine weight) and the combine weights' gradient.
    zero(backend, at(dw), n * k);
    loops.dyRows(at(dy), at(y), at(w), order, dys, at(dw), m, k, d);
    // dH = dY · down_e (down is [D, I]: a plain product).
    for (let e = 0; e < numExperts; e++) {
      const [r0, rows] = rowsOf(attrs, e);
      if (rows === 0) continue;
      batch.push(dys + 4 * r0 * d, at(weights[e]![2]!), dh + 4 * r0 * inter, rows, inter, d, d, 1, inter, inter, 0);
    }
    batch.run();
    // H = silu(G)·U; dG = dH·U·silu'(G); dU = dH·silu(G) (over dH).
    loops.swigluBackward(at(g), at(s), at(u), dh, hid, dg, m * inter);
    const du = dh;
    for (let e = 0; e < numExperts; e++) {
      const [r0, rows] = rowsOf(attrs, e);
      const [dGate, dUp, dDown] = dWeights[e]!.map(at) as [number, number, number];
      if (rows === 0) {
        zero(backend, dGate, inter * d);
        zero(backend, dUp, inter * d);
        zero(backend, dDown, d * inter);
        continue;
      }
      const [gate, up] = weights[e]!.map(at) as [number, number, number];
      // Weight gradients: transposed-A products over this expert's rows.
      batch.push(dys + 4 * r0 * d, hid + 4 * r0 * inter, dDown, d, inter, rows, 1, d, inter, inter, 0);
      batch.push(dg + 4 * r0 * inter, xs + 4 * r0 * d, dGate, inter, d, rows, 1, inter, d, d, 0);
      batch.push(du + 4 * r0 * inter, xs + 4 * r0 * d, dUp, inter, d, rows, 1, inter, d, d, 0);
      // dX rows = dG · gate + dU · up (the second accumulates: same rows, so the pool keeps the two in order).
      batch.push(dg + 4 * r0 * inter, gate, dxs + 4 * r0 * d, rows, d, inter, inter, 1, d, d, 0);
      batch.push(du + 4 * r0 * inter, up, dxs + 4 * r0 * d, rows, d, inter, inter, 1, d, d, 1);
    }
    batch.run();
    zero(backend, at(dx), n * d);
    loops.scatterRows(dxs, at(dx), order, 0, m, k, d);
  } catch (error) {
    for (const t of [dx, dw, ...dWeights.flat()]) backend.disposeData(t.dataId);
    throw error;
  } finally {
    scratch.free();
  }
  return [dx, dw, ...dWeights.flat()];
}

export const routedExpertsConfig: KernelConfig = {
  kernelName: ROUTED_EXPERTS,
  backendName: 'wasm',
  kernelFunc: forward as unknown as KernelFunc,
};

export const routedExpertsGradConfig: KernelConfig = {
  kernelName: ROUTED_EXPERTS_GRAD,
  backendName: 'wasm',
  kernelFunc: backward as unknown as KernelFunc,
};
