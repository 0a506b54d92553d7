/**
 * Instantiates our SIMD matmul kernel (`gemm-wat.ts`, shipped as `gemm-binary.ts`) against a tfjs wasm heap, once
 * per Emscripten module, so it reads and writes tensors in place. Synchronous (kernels must be); the module is
 * ~2 KB, so compiling it on first use costs well under a millisecond.
 */
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
}
const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

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

interface Exports {
  gemm: Gemm;
  adamw: AdamWLanes;
  moe: MoeLoops;
  lmHead: LmHeadLoops;
  /** What other threads need to instantiate the same kernels on the same heap (`pool.ts`). */
  module: object;
  memory: object;
  shared: boolean;
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
    const bytes = Buffer.from(shared ? GEMM_WASM_BASE64.shared : GEMM_WASM_BASE64.plain, 'base64');
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
      module,
      memory,
      shared,
    };
    instances.set(wasm, found);
  }
  return found;
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
