/**
 * The routed experts of a sparse MoE layer as two wasm kernels that work in place on tfjs's heap: gathers,
 * scatter-adds and the SwiGLU's element-wise math are loops over heap views, and every matmul is one call of our SIMD
 * gemm (`gemm/`) on row ranges of the gathered rows — no tfjs tensor, no kernel dispatch and no copy per expert.
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
import { tensorData, type WasmBackend } from '../wasm-internals';
import { type Gemm, gemmFor } from './gemm/gemm';

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

/** Heap scratch (bytes from `_malloc`), freed together. */
class Scratch {
  private readonly ptrs: number[] = [];
  constructor(private readonly backend: WasmBackend) {}
  floats(count: number): number {
    const ptr = this.backend.wasm._malloc(Math.max(4, 4 * count));
    this.ptrs.push(ptr);
    return ptr;
  }
  free(): void {
    for (const p of this.ptrs) this.backend.wasm._free(p);
  }
}

/** `dst[c, r] = src[r, c]` for a `[rows, cols]` matrix; offsets in floats. */
function transposeInto(h: Float32Array, src: number, dst: number, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const s = src + r * cols;
    for (let c = 0; c < cols; c++) h[dst + c * rows + r] = h[s + c]!;
  }
}

/** Rows of x in routed order: `xs[r] = x[⌊order[r] / k⌋]`. Offsets in floats. */
function gatherRows(h: Float32Array, x: number, xs: number, order: Int32Array, k: number, d: number): void {
  for (let r = 0; r < order.length; r++) {
    const t = Math.floor(order[r]! / k);
    h.copyWithin(xs + r * d, x + t * d, x + t * d + d);
  }
}

const offsetOf = (backend: WasmBackend, t: TensorInfo) => tensorData(backend, t).memoryOffset / 4;

/** `σ(x)` as a new output, by the stock wasm Sigmoid kernel (a plain `(xId, outId)` C kernel: no setup state). */
function sigmoidOf(backend: WasmBackend, x: TensorInfo): TensorInfo {
  const stock = getKernel('Sigmoid', 'wasm');
  if (stock === undefined) throw new Error(`${ROUTED_EXPERTS}: the wasm backend has no Sigmoid kernel`);
  return stock.kernelFunc({ inputs: { x }, backend: backend as unknown as KernelBackend, attrs: {} }) as TensorInfo;
}

function checkFloat32(name: string, tensors: TensorInfo[]): void {
  for (const t of tensors)
    if (t.dtype !== 'float32') throw new Error(`${name}: float32 only, got a ${t.dtype} input of shape [${t.shape}]`);
}

function forward(args: { inputs: object; backend: unknown; attrs?: NamedAttrMap }): TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const inputs = args.inputs as Record<string, TensorInfo>;
  const attrs = args.attrs as unknown as RoutedExpertsAttrs;
  const x = inputs.x!;
  const w = inputs.w!;
  const dims = dimsOf(x, inputs.gate0!, attrs);
  const { n, d, k, inter, numExperts, m } = dims;
  const weights = Array.from({ length: numExperts }, (_, e) => expertInputNames(e).map((name) => inputs[name]!));
  checkFloat32(ROUTED_EXPERTS, [x, w, ...weights.flat()]);
  const out = backend.makeOutput([n, d], 'float32');
  const g = backend.makeOutput([m, inter], 'float32');
  const u = backend.makeOutput([m, inter], 'float32');
  const y = backend.makeOutput([m, d], 'float32');
  let s: TensorInfo | undefined;
  const scratch = new Scratch(backend);
  try {
    const xs = scratch.floats(m * d) / 4;
    const hid = scratch.floats(m * inter) / 4;
    const wt = scratch.floats(d * inter) / 4;
    const gemm = gemmFor(backend.wasm);
    // Views after every allocation (malloc may grow, and so replace, the heap).
    let h = new Float32Array(backend.wasm.HEAPU8.buffer);
    const [pOut, pG, pU, pY, pX, pW] = [out, g, u, y, x, w].map((t) => offsetOf(backend, t)) as number[] as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    gatherRows(h, pX, xs, attrs.order, k, d);
    for (let e = 0; e < numExperts; e++) {
      const r0 = attrs.offsets[e]!;
      const rows = attrs.offsets[e + 1]! - r0;
      if (rows === 0) continue;
      const [gate, up] = weights[e]! as [TensorInfo, TensorInfo, TensorInfo];
      transposeInto(h, offsetOf(backend, gate), wt, inter, d);
      gemm(4 * (xs + r0 * d), 4 * wt, 4 * (pG + r0 * inter), rows, inter, d, d, 1, inter, inter, 0);
      transposeInto(h, offsetOf(backend, up), wt, inter, d);
      gemm(4 * (xs + r0 * d), 4 * wt, 4 * (pU + r0 * inter), rows, inter, d, d, 1, inter, inter, 0);
    }
    // σ(G) by the stock kernel (XNNPACK's vectorised sigmoid: a JS Math.exp per element costs ~10× more).
    s = sigmoidOf(backend, g);
    h = new Float32Array(backend.wasm.HEAPU8.buffer); // the output's allocation may have grown the heap
    const pS = offsetOf(backend, s);
    for (let i = 0; i < m * inter; i++) h[hid + i] = h[pG + i]! * h[pS + i]! * h[pU + i]!;
    for (let e = 0; e < numExperts; e++) {
      const r0 = attrs.offsets[e]!;
      const rows = attrs.offsets[e + 1]! - r0;
      if (rows === 0) continue;
      transposeInto(h, offsetOf(backend, weights[e]![2]!), wt, d, inter);
      gemm(4 * (hid + r0 * inter), 4 * wt, 4 * (pY + r0 * d), rows, d, inter, inter, 1, d, d, 0);
    }
    h.fill(0, pOut, pOut + n * d);
    for (let r = 0; r < m; r++) {
      const slot = attrs.order[r]!;
      const o = pOut + Math.floor(slot / k) * d;
      const ws = h[pW + slot]!;
      const yr = pY + r * d;
      for (let j = 0; j < d; j++) h[o + j]! += ws * h[yr + j]!;
    }
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
    const xs = scratch.floats(m * d) / 4;
    const dys = scratch.floats(m * d) / 4;
    const dh = scratch.floats(m * inter) / 4; // dL/dH, then dL/dU
    const hid = scratch.floats(m * inter) / 4;
    const dg = scratch.floats(m * inter) / 4;
    let maxRows = 0;
    for (let e = 0; e < numExperts; e++) maxRows = Math.max(maxRows, attrs.offsets[e + 1]! - attrs.offsets[e]!);
    const dxs = scratch.floats(maxRows * d) / 4;
    const gemm: Gemm = gemmFor(backend.wasm);
    const h = new Float32Array(backend.wasm.HEAPU8.buffer);
    const at = (t: TensorInfo) => offsetOf(backend, t);
    const [pDy, pX, pW, pG, pU, pS, pY, pDx, pDw] = [dy, x, w, g, u, s, y, dx, dw].map(at) as number[];
    gatherRows(h, pX!, xs, attrs.order, k, d);
    h.fill(0, pDw!, pDw! + n * k);
    // dY rows (scaled by their combine weight) and the combine weights' gradient.
    for (let r = 0; r < m; r++) {
      const slot = attrs.order[r]!;
      const o = pDy! + Math.floor(slot / k) * d;
      const ws = h[pW! + slot]!;
      const yr = pY! + r * d;
      const dr = dys + r * d;
      let dot = 0;
      for (let j = 0; j < d; j++) {
        const gj = h[o + j]!;
        h[dr + j] = ws * gj;
        dot += h[yr + j]! * gj;
      }
      h[pDw! + slot]! += dot;
    }
    // dH = dY · down_e (down is [D, I]: a plain product).
    for (let e = 0; e < numExperts; e++) {
      const r0 = attrs.offsets[e]!;
      const rows = attrs.offsets[e + 1]! - r0;
      if (rows === 0) continue;
      gemm(4 * (dys + r0 * d), 4 * at(weights[e]![2]!), 4 * (dh + r0 * inter), rows, inter, d, d, 1, inter, inter, 0);
    }
    // H = silu(G)·U; dU = dH·silu(G); dG = dH·U·silu'(G), silu'(g) = σ(g)·(1 + g − silu(g)).
    for (let i = 0; i < m * inter; i++) {
      const gi = h[pG! + i]!;
      const si = h[pS! + i]!;
      const ui = h[pU! + i]!;
      const dhi = h[dh + i]!;
      const silu = gi * si;
      h[hid + i] = silu * ui;
      h[dg + i] = dhi * ui * si * (1 + gi - silu);
      h[dh + i] = dhi * silu;
    }
    const du = dh;
    h.fill(0, pDx!, pDx! + n * d);
    for (let e = 0; e < numExperts; e++) {
      const r0 = attrs.offsets[e]!;
      const rows = attrs.offsets[e + 1]! - r0;
      const [dGate, dUp, dDown] = dWeights[e]!.map(at) as [number, number, number];
      if (rows === 0) {
        h.fill(0, dGate, dGate + inter * d);
        h.fill(0, dUp, dUp + inter * d);
        h.fill(0, dDown, dDown + d * inter);
        continue;
      }
      const [gate, up] = weights[e]!.map(at) as [number, number, number];
      // Weight gradients: transposed-A products over this expert's rows.
      gemm(4 * (dys + r0 * d), 4 * (hid + r0 * inter), 4 * dDown, d, inter, rows, 1, d, inter, inter, 0);
      gemm(4 * (dg + r0 * inter), 4 * (xs + r0 * d), 4 * dGate, inter, d, rows, 1, inter, d, d, 0);
      gemm(4 * (du + r0 * inter), 4 * (xs + r0 * d), 4 * dUp, inter, d, rows, 1, inter, d, d, 0);
      // dX rows = dG · gate + dU · up, then scatter-added onto their tokens.
      gemm(4 * (dg + r0 * inter), 4 * gate, 4 * dxs, rows, d, inter, inter, 1, d, d, 0);
      gemm(4 * (du + r0 * inter), 4 * up, 4 * dxs, rows, d, inter, inter, 1, d, d, 1);
      for (let r = 0; r < rows; r++) {
        const o = pDx! + Math.floor(attrs.order[r0 + r]! / k) * d;
        const src = dxs + r * d;
        for (let j = 0; j < d; j++) h[o + j]! += h[src + j]!;
      }
    }
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
