/**
 * A faster `BatchMatMul` for the wasm backend. The stock kernel sends only one case to XNNPACK (rank-2 after
 * reshaping, batch 1, neither operand transposed); every other case — transposed operands (all the backward matmuls,
 * `x · Wᵀ` with HF's `[out, in]` weights), batched operands (attention), even `[B, T, D] · [D, N]` — falls to a
 * scalar loop at ~1 GFLOP/s.
 *
 * This kernel runs every float32 case on our SIMD gemm (`gemm/`) and its thread pool, in place on the heap:
 * - a transposed A is read through strides (`gᵀ · x`, every weight gradient): no transpose pass;
 * - a transposed 2-D B (a weight in `x · Wᵀ`) comes from the transpose cache (`transpose-cache.ts`), so a weight is
 *   transposed once, not at every call; a transposed batched B is transposed here by the native `Transpose` kernel —
 *   except against a single row of A (decode attention: one query, the cached keys), computed as `B · aᵀ` instead;
 * - when B has batch 1 and A is not transposed, A's batch is folded into its rows: one product;
 * - the slices of a batched product go out as one batch, which the gemm pool splits over its threads.
 * It used to send large 2-D products to XNNPACK after transposing operands; measured on the train step's shapes, the
 * gemm without the transposes was faster on every one (BENCHMARKS.md, engine section).
 * Batch dimensions broadcast by numpy rules — correctly, unlike the stock kernels, which index a broadcast operand by
 * `i % batch` and so get `[2, 1, …] · [2, 3, …]` wrong. Non-float32 operands and invalid shapes (for tfjs's own error
 * messages) go to the stock kernel.
 */
import type { BatchMatMulAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { CPP_DTYPE, sizeOf, tensorData, type WasmBackend } from '../wasm-internals';
import { type GemmBatch, gemmBatch } from './gemm/pool';
import { cachedTranspose } from './transpose-cache';

/**
 * Products at least this deep (k) run as passes of `K_BLOCK` over k, the later passes accumulating into C: a 4-row
 * strip of A and an 8-column panel of B then stay in L1 across the blocks that reuse them. The kernel adds in k order
 * either way, so the sums are the same, bit for bit. Measured on the weight gradient `g[1024, 512]ᵀ · x[1024, 128]`
 * (A strided): 29 → 46 GFLOP/s on one thread, 62 → 90 on two.
 */
export const K_BLOCK_FROM = 256;
export const K_BLOCK = 64;

/** Pushes `C[m, n] = A · B` (arguments as `Gemm`'s, overwriting C) in passes of `K_BLOCK` when k is deep. */
function pushBlocked(
  batch: GemmBatch,
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
): void {
  if (k < K_BLOCK_FROM) {
    batch.push(a, b, c, m, n, k, rsa, csa, ldb, ldc, 0);
    return;
  }
  for (let p0 = 0; p0 < k; p0 += K_BLOCK)
    batch.push(
      a + 4 * p0 * csa,
      b + 4 * p0 * ldb,
      c,
      m,
      n,
      Math.min(K_BLOCK, k - p0),
      rsa,
      csa,
      ldb,
      ldc,
      p0 > 0 ? 1 : 0,
    );
}

/** A scratch area on the heap for the shape and perm arguments of direct C calls (one per backend instance). */
const scratch = new WeakMap<WasmBackend, number>();

function scratchPtr(backend: WasmBackend): number {
  let ptr = scratch.get(backend);
  if (ptr === undefined) {
    ptr = backend.wasm._malloc(64);
    scratch.set(backend, ptr);
  }
  return ptr;
}

/** Writes int32s at `ptr` (byte offset). */
function writeInts(backend: WasmBackend, ptr: number, values: readonly number[]): void {
  new Int32Array(backend.wasm.HEAPU8.buffer, ptr, values.length).set(values);
}

/** `[batch, rows, cols]` → a new `[batch, cols, rows]` tensor, by the native Transpose kernel. */
function transposeLast2(backend: WasmBackend, x: TensorInfo, batch: number, rows: number, cols: number): TensorInfo {
  const out = backend.makeOutput(batch === 1 ? [cols, rows] : [batch, cols, rows], 'float32');
  const ptr = scratchPtr(backend);
  const shape = batch === 1 ? [rows, cols] : [batch, rows, cols];
  const perm = batch === 1 ? [1, 0] : [0, 2, 1];
  writeInts(backend, ptr, shape);
  writeInts(backend, ptr + 32, perm);
  backend.wasm._Transpose(
    tensorData(backend, x).id,
    ptr,
    shape.length,
    CPP_DTYPE.float32,
    tensorData(backend, out).id,
    ptr + 32,
    perm.length,
  );
  return out;
}

/** The broadcast of two batch shapes (numpy rules), or null if they do not broadcast. */
function broadcastShape(aBatch: readonly number[], bBatch: readonly number[]): number[] | null {
  const rank = Math.max(aBatch.length, bBatch.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = aBatch[aBatch.length - rank + i] ?? 1;
    const db = bBatch[bBatch.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(Math.max(da, db));
  }
  return out;
}

/**
 * For each output batch index, the batch index of the operand with batch shape `batch` (right-aligned against
 * `outBatch`, size-1 dims broadcast). tfjs's own kernels use `i % batchSize`, which is wrong whenever a broadcast
 * dimension is not leading (e.g. `[2, 1]` against `[2, 3]`).
 */
export function broadcastIndices(batch: readonly number[], outBatch: readonly number[]): Int32Array {
  const total = sizeOf(outBatch);
  const indices = new Int32Array(total);
  const offset = outBatch.length - batch.length;
  for (let i = 0; i < total; i++) {
    let rest = i;
    let index = 0;
    let stride = 1;
    for (let d = outBatch.length - 1; d >= 0; d--) {
      const size = outBatch[d]!;
      const coord = rest % size;
      rest = (rest - coord) / size;
      if (d >= offset) {
        const own = batch[d - offset]!;
        index += (own === 1 ? 0 : coord) * stride;
        stride *= own;
      }
    }
    indices[i] = index;
  }
  return indices;
}

export function makeBatchMatMul(stock: KernelFunc): KernelFunc {
  return (args) => {
    const backend = args.backend as unknown as WasmBackend;
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return stock(args);
    const ra = a.shape.length;
    const rb = b.shape.length;
    const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
    const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    const outBatch = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    if (k !== kb || outBatch === null) return stock(args); // the stock kernel throws tfjs's own messages
    const outShape = [...outBatch, m, n];
    if (k === 0) {
      // An empty sum: zeros (the stock kernel returns uninitialised memory here).
      const zeros = backend.makeOutput(outShape, 'float32');
      new Float32Array(backend.wasm.HEAPU8.buffer, tensorData(backend, zeros).memoryOffset, sizeOf(outShape)).fill(0);
      return zeros;
    }
    const batchA = sizeOf(a.shape.slice(0, -2));
    const batchB = sizeOf(b.shape.slice(0, -2));
    const out = backend.makeOutput(outShape, 'float32');
    let bTemp: TensorInfo | undefined;
    let bT: TensorInfo | undefined;
    let ok = false;
    try {
      // A is read in place, row-major or transposed (strides); B must be row-major [K, N]: a transposed 2-D B (a
      // weight, in `x · Wᵀ`) comes from the transpose cache, a batched one is transposed here.
      const [rsa, csa] = transposeA ? [1, m] : [k, 1];
      if (transposeB && m === 1 && batchB > 1) {
        // A row vector against a transposed batched B (decode attention: one query against the cached keys):
        // c = a · Bᵀ is B · aᵀ, a product with B row-major as the left operand and a read as a [K, 1] column — the
        // same bytes — so the keys are never transposed.
        const aPtr = tensorData(backend, a).memoryOffset;
        const bPtr = tensorData(backend, b).memoryOffset;
        const cPtr = tensorData(backend, out).memoryOffset;
        const aIndex = broadcastIndices(a.shape.slice(0, -2), outBatch);
        const bIndex = broadcastIndices(b.shape.slice(0, -2), outBatch);
        const batch = gemmBatch(backend.wasm);
        for (let i = 0; i < aIndex.length; i++)
          batch.push(
            bPtr + 4 * bIndex[i]! * n * k,
            aPtr + 4 * aIndex[i]! * k,
            cPtr + 4 * i * n,
            n,
            1,
            k,
            k,
            1,
            1,
            1,
            0,
          );
        batch.run();
        ok = true;
        return out;
      }
      if (transposeB && batchB === 1) {
        const { twin, owned } = cachedTranspose(backend, b, n, k, () => transposeLast2(backend, b, 1, n, k));
        bT = twin;
        if (owned) bTemp = twin;
      } else if (transposeB) bTemp = transposeLast2(backend, b, batchB, n, k);
      const aPtr = tensorData(backend, a).memoryOffset;
      const bPtr = tensorData(backend, bT ?? bTemp ?? b).memoryOffset;
      const cPtr = tensorData(backend, out).memoryOffset;
      const batch = gemmBatch(backend.wasm);
      if (batchB === 1 && !transposeA) {
        // One product with a's batch folded into its rows.
        pushBlocked(batch, aPtr, bPtr, cPtr, batchA * m, n, k, k, 1, n, n);
      } else {
        const aIndex = broadcastIndices(a.shape.slice(0, -2), outBatch);
        const bIndex = broadcastIndices(b.shape.slice(0, -2), outBatch);
        // Independent slices: one batch, split over the gemm pool's threads when it is large enough. A single slice
        // (a 2-D transposed A: every weight gradient) is deep and goes in k passes.
        if (aIndex.length === 1) pushBlocked(batch, aPtr, bPtr, cPtr, m, n, k, rsa, csa, n, n);
        else
          for (let i = 0; i < aIndex.length; i++) {
            batch.push(
              aPtr + 4 * aIndex[i]! * m * k,
              bPtr + 4 * bIndex[i]! * k * n,
              cPtr + 4 * i * m * n,
              m,
              n,
              k,
              rsa,
              csa,
              n,
              n,
              0,
            );
          }
      }
      batch.run();
      ok = true;
      return out;
    } finally {
      if (bTemp !== undefined) backend.disposeData(bTemp.dataId);
      if (!ok) backend.disposeData(out.dataId);
    }
  };
}

/** The config `registerWasmKernelPack` installs; `stock` is the kernel it replaces (kept for the cases above). */
export function batchMatMulConfig(stock: KernelFunc): KernelConfig {
  return { kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: makeBatchMatMul(stock) };
}
