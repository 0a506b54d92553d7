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

interface Exports {
  gemm: Gemm;
  adamw: AdamWLanes;
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
    const instance = new webAssembly.Instance(new webAssembly.Module(bytes), { env: { memory } });
    found = { gemm: instance.exports.gemm as Gemm, adamw: instance.exports.adamw as AdamWLanes };
    instances.set(wasm, found);
  }
  return found;
}

/** Our SIMD matmul on this heap. */
export function gemmFor(wasm: WasmModule): Gemm {
  return exportsFor(wasm).gemm;
}

/** Our SIMD AdamW update on this heap. */
export function adamwLanesFor(wasm: WasmModule): AdamWLanes {
  return exportsFor(wasm).adamw;
}
