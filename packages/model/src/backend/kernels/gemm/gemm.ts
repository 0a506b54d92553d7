/**
 * Instantiates our SIMD matmul kernel (`gemm-wat.ts`, shipped as `gemm-binary.ts`) against a tfjs wasm heap, once
 * per Emscripten module, so it reads and writes tensors in place. Synchronous (kernels must be); the module is
 * ~2 KB, so compiling it on first use costs well under a millisecond.
 */

import { setFlagsFromString } from 'node:v8';
import type { WasmModule } from '../../wasm-internals';
import { GEMM_WASM_BASE64 } from './gemm-binary';

/**
 * `C[m, n] = A[m, k] · B[k, n]` (or `+=` when `accumulate` is 1). Pointers are heap byte offsets; strides in
 * elements. A's element (i, p) is at `a + i·rsa + p·csa`: row-major A is `(rsa, csa) = (lda, 1)`, A stored
 * transposed as `[k, m]` is `(1, lda)`. B and C are row-major with leading dimensions `ldb`, `ldc`.
 */
export type Gemm = (
  a: number,
  b: number,
  c: number,
  m: number,
  n: number,
  k: number,
  rsa: number,
  csa: number,
  ldb: number,
  ldc: number,
  accumulate: 0 | 1,
) => void;

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** `(func (param v128 v128 v128) (result v128) (f32x4.relaxed_madd …))`: valid only where relaxed SIMD is on. */
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2,
  253, 133, 2, 11,
]);

/** Whether this engine accepts relaxed SIMD (V8 ≥ 11.4, i.e. node ≥ 22; node 20 with `--experimental-wasm-relaxed-simd`). */
export function relaxedSimdValidates(): boolean {
  return webAssembly.validate(RELAXED_PROBE);
}

/**
 * Whether the matmul uses relaxed-SIMD multiply-adds: one FMA instead of a multiply and an add, ~8–15% faster here
 * (BENCHMARKS.md); results differ from the plain kernel in the last bits, and between CPUs with and without FMA.
 * `R1_WASM_RELAXED_SIMD=0` keeps the plain kernel. Otherwise it is used wherever the engine accepts relaxed SIMD; on
 * node 20, whose V8 has it only behind `--experimental-wasm-relaxed-simd`, that flag is turned on at run time before
 * the first kernel module compiles (enabling a wasm feature changes nothing for modules that do not use it).
 */
export function useRelaxedSimd(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  const choice = env.R1_WASM_RELAXED_SIMD;
  if (choice !== undefined && choice !== '0' && choice !== '1')
    throw new Error(`R1_WASM_RELAXED_SIMD must be 0 or 1, got ${JSON.stringify(choice)}`);
  if (choice === '0') return false;
  if (!relaxedSimdValidates()) {
    try {
      setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
      // An engine without the flag: the plain kernel.
    }
  }
  if (choice === '1' && !relaxedSimdValidates())
    throw new Error('R1_WASM_RELAXED_SIMD=1, but this engine does not accept relaxed SIMD even with the V8 flag');
  return relaxedSimdValidates();
}

/**
 * One AdamW update of `n` floats (see `adamwLanes` in `gemm-wat.ts`): pointers are heap byte offsets of p, g, m, v
 * and of the outputs p1, m1, v1; then β₁, β₂, 1−β₁, 1−β₂, decay, stepSize, √bc₂, ε.
 */
export type AdamWLanes = (
  p: number,
  g: number,
  m: number,
  v: number,
  p1: number,
  m1: number,
  v1: number,
  n: number,
  beta1: number,
  beta2: number,
  c1: number,
  c2: number,
  decay: number,
  stepSize: number,
  sqrtBiasCorrection2: number,
  epsilon: number,
) => void;

/**
 * The row and element-wise loops of a routed MoE layer (see `rowKernels`, `swiglu_*` in `gemm-wat.ts`). Pointers are
 * heap byte offsets; counts in elements; `order` is an int32 array of M slots.
 */
export interface MoeLoops {
  /** h = g·s·u over n floats. */
  swigluForward(g: number, s: number, u: number, h: number, n: number): void;
  /** hid = silu(g)·u, dg = dh·u·silu'(g), dh ← dh·silu(g), over n floats (s = σ(g)). */
  swigluBackward(g: number, s: number, u: number, dh: number, hid: number, dg: number, n: number): void;
  /** xs[r] = x[order[r] / k], rows of d floats. */
  gatherRows(x: number, xs: number, order: number, m: number, k: number, d: number): void;
  /** out[order[r] / k] += w[order[r]] · y[r] (w = 0: weight 1). */
  scatterRows(y: number, out: number, order: number, w: number, m: number, k: number, d: number): void;
  /** dys[r] = w[s] · dy[s / k] and dw[s] += y[r] · dy[s / k], s = order[r]. */
  dyRows(
    dy: number,
    y: number,
    w: number,
    order: number,
    dys: number,
    dw: number,
    m: number,
    k: number,
    d: number,
  ): void;
  /** dst[c, r] = src[r, c] for a [rows, cols] matrix. */
  transpose(src: number, dst: number, rows: number, cols: number): void;
}

/**
 * The fused LM head's loops over a block of logits laid out `[vb, ld]` (vocabulary down, ld token rows across; see
 * `lmBlockStats`, `lmBlockDz` in `gemm-wat.ts`). Pointers are heap byte offsets; per-row arrays hold ld floats.
 */
export interface LmHeadLoops {
  /** Per row, with x = z·inv: bm = max x, sb = Σ e^(x − bm), tb = Σ e^(x − bm)·(x − bm). */
  blockStats(z: number, vb: number, ld: number, inv: number, bm: number, sb: number, tb: number): void;
  /** In place: z ← −inv·p·(gl + ge·(x − lse + ent)), p = e^(x − lse), x = z·inv. */
  blockDz(z: number, vb: number, ld: number, inv: number, lse: number, ent: number, gl: number, ge: number): void;
}

/** RMSNorm's row loops (see `norm-wat.ts`); pointers are heap byte offsets, rows of d floats. */
export interface NormLoops {
  /** r[i] = 1/√(Σx²/d + eps), y = x·r·w, per row. */
  rmsForward(x: number, w: number, y: number, r: number, rows: number, d: number, eps: number): void;
  /** dx = r·dy·w − x·r³·(dy·w·x)/d per row; dw = Σ_rows dy·x·r. */
  rmsBackward(dy: number, x: number, w: number, r: number, dx: number, dw: number, rows: number, d: number): void;
}

/** The decode-attention loops (see `attention-wat.ts`); pointers are heap byte offsets, strides in floats. */
export interface AttentionLoops {
  /** Attention of one query row per (row, head) over the first `len` of `cap` cached slots; `sc`: ⌈len/4⌉·4 floats. */
  decode(
    q: number,
    kc: number,
    vc: number,
    bias: number,
    out: number,
    sc: number,
    rows: number,
    heads: number,
    kvHeads: number,
    cap: number,
    len: number,
    hd: number,
    scale: number,
  ): void;
  /** RoPE of packed heads `[rows, heads, hd]` plus a bias `[heads, hd]`, head (b, h) written at `dst` + (b·heads + h)·stride floats. */
  rope(
    src: number,
    pbias: number,
    dst: number,
    cos: number,
    sin: number,
    rows: number,
    heads: number,
    hd: number,
    stride: number,
  ): void;
  /** The same without the rotation: `src + pbias` per head. */
  biasHeads(src: number, pbias: number, dst: number, rows: number, heads: number, hd: number, stride: number): void;
}

/**
 * The fused training attention's loops (see `attention-train-wat.ts`); pointers are heap byte offsets. Layouts of a
 * `[B, T, heads, hd]` tensor: token-major `[B·T, heads·hd]`, head-major `[B, heads, T, hd]`.
 */
export interface AttentionTrainLoops {
  /** RoPE (sign 1) or its transpose (−1), reading one layout and writing the other (toHeadMajor 1: tm → hm). */
  rope(
    src: number,
    dst: number,
    cos: number,
    sin: number,
    batch: number,
    time: number,
    heads: number,
    hd: number,
    angleHeads: number,
    toHeadMajor: 0 | 1,
    sign: 1 | -1,
  ): void;
  /** The same relayout without the rotation. */
  headsCopy(src: number, dst: number, batch: number, time: number, heads: number, hd: number, toHeadMajor: 0 | 1): void;
  /** In place: rows (b, h, t) of stride ld ← softmax(p·scale + bias[b, t]) over s columns, padding columns 0. */
  softmaxForward(
    p: number,
    bias: number,
    batch: number,
    heads: number,
    time: number,
    s: number,
    ld: number,
    scale: number,
  ): void;
  /** In place: ds ← scale·p ⊙ (ds − Σ ds ⊙ p) per row of ld floats. */
  softmaxBackward(p: number, ds: number, rows: number, ld: number, scale: number): void;
}

interface Exports {
  gemm: Gemm;
  attention: AttentionLoops;
  attentionTrain: AttentionTrainLoops;
  norm: NormLoops;
  adamw: AdamWLanes;
  moe: MoeLoops;
  lmHead: LmHeadLoops;
  /** What other threads need to instantiate the same kernels on the same heap (`pool.ts`). */
  module: object;
  memory: object;
  shared: boolean;
  /** Whether the matmul blocks use relaxed-SIMD multiply-adds. */
  relaxed: boolean;
}

const instances = new WeakMap<WasmModule, Exports>();

/** The heap's WebAssembly.Memory: imported (threaded build, `wasmMemory`) or exported (single-threaded, `asm.memory`). */
function heapMemory(wasm: WasmModule): { buffer: ArrayBuffer | SharedArrayBuffer } {
  const m = wasm as unknown as { wasmMemory?: { buffer: ArrayBuffer }; asm?: { memory?: { buffer: ArrayBuffer } } };
  const memory = m.wasmMemory ?? m.asm?.memory;
  if (memory === undefined)
    throw new Error('gemm: cannot find the tfjs wasm heap (tfjs-backend-wasm version changed?)');
  return memory;
}

function exportsFor(wasm: WasmModule): Exports {
  let found = instances.get(wasm);
  if (found === undefined) {
    const memory = heapMemory(wasm);
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const relaxed = useRelaxedSimd();
    const bytes = Buffer.from(
      GEMM_WASM_BASE64[`${shared ? 'shared' : 'plain'}${relaxed ? 'Relaxed' : ''}` as const],
      'base64',
    );
    const module = new webAssembly.Module(bytes);
    const instance = new webAssembly.Instance(module, { env: { memory } });
    const fn = (name: string) => instance.exports[name] as (...args: number[]) => void;
    found = {
      gemm: instance.exports.gemm as Gemm,
      adamw: instance.exports.adamw as AdamWLanes,
      moe: {
        swigluForward: fn('swiglu_fwd'),
        swigluBackward: fn('swiglu_bwd'),
        gatherRows: fn('gather_rows'),
        scatterRows: fn('scatter_rows'),
        dyRows: fn('dy_rows'),
        transpose: fn('transpose'),
      },
      lmHead: { blockStats: fn('lm_block_stats'), blockDz: fn('lm_block_dz') },
      norm: { rmsForward: fn('rms_fwd'), rmsBackward: fn('rms_bwd') },
      attention: { decode: fn('attn_decode'), rope: fn('rope_heads'), biasHeads: fn('bias_heads') },
      attentionTrain: {
        rope: fn('rope_train'),
        headsCopy: fn('heads_copy'),
        softmaxForward: fn('softmax_fwd'),
        softmaxBackward: fn('softmax_bwd'),
      },
      module,
      memory,
      shared,
      relaxed,
    };
    instances.set(wasm, found);
  }
  return found;
}

/** Whether this heap's kernels use relaxed-SIMD multiply-adds (`useRelaxedSimd`, decided at first use). */
export function gemmRelaxedFor(wasm: WasmModule): boolean {
  return exportsFor(wasm).relaxed;
}

/** Our SIMD matmul on this heap. */
export function gemmFor(wasm: WasmModule): Gemm {
  return exportsFor(wasm).gemm;
}

/** The compiled module and the heap it imports, and whether that heap is shared between threads. */
export function gemmModuleFor(wasm: WasmModule): { module: object; memory: object; shared: boolean } {
  const { module, memory, shared } = exportsFor(wasm);
  return { module, memory, shared };
}

/** The MoE layer's row and element-wise loops on this heap. */
export function moeLoopsFor(wasm: WasmModule): MoeLoops {
  return exportsFor(wasm).moe;
}

/** RMSNorm's SIMD row loops on this heap. */
export function normLoopsFor(wasm: WasmModule): NormLoops {
  return exportsFor(wasm).norm;
}

/** The decode-attention loops on this heap. */
export function attentionLoopsFor(wasm: WasmModule): AttentionLoops {
  return exportsFor(wasm).attention;
}

/** The fused training attention's loops on this heap. */
export function attentionTrainLoopsFor(wasm: WasmModule): AttentionTrainLoops {
  return exportsFor(wasm).attentionTrain;
}

/** Our SIMD AdamW update on this heap. */
export function adamwLanesFor(wasm: WasmModule): AdamWLanes {
  return exportsFor(wasm).adamw;
}

/** The fused LM head's SIMD loops on this heap. */
export function lmHeadLoopsFor(wasm: WasmModule): LmHeadLoops {
  return exportsFor(wasm).lmHead;
}

/**
 * A float view of the whole heap as it is now. Taken from the `WebAssembly.Memory` itself: in the threaded build the
 * module's `HEAPU8` is refreshed lazily, so after the heap grows it can be a view of the old, shorter buffer.
 */
export function heapFloats(wasm: WasmModule): Float32Array {
  return new Float32Array(heapMemory(wasm).buffer);
}
