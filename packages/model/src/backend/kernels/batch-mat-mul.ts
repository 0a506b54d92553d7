/**
 * A faster `BatchMatMul` for the wasm backend. The stock kernel sends only one case to XNNPACK (rank-2 after
 * reshaping, batch 1, neither operand transposed, ~10–40 GFLOP/s); every other case — transposed operands (all the
 * backward matmuls, `x · Wᵀ` with HF's `[out, in]` weights), batched operands (attention), even `[B, T, D] · [D, N]` —
 * falls to a scalar loop at ~1 GFLOP/s.
 *
 * This kernel brings every case to row-major `[M, K] · [K, N]` products and runs them on the faster engine:
 * - a transposed operand is first transposed with the native `Transpose` kernel (a memory pass, cheap next to the
 *   matmul);
 * - when `b` has batch 1 the batch of `a` is folded into its rows, and a large product goes to XNNPACK (packed
 *   weights, the thread pool);
 * - everything else — each slice of a batched product, small 2-D products — runs on our SIMD kernel (`gemm/`), in
 *   place on the heap: waking XNNPACK's thread pool per attention head costs more than the work. The slices of a
 *   batched product go out as one batch, which our gemm pool splits over its threads.
 * Batch dimensions broadcast by numpy rules — correctly, unlike the stock kernels, which index a broadcast operand by
 * `i % batch` and so get `[2, 1, …] · [2, 3, …]` wrong. Non-float32 operands and invalid shapes (for tfjs's own error
 * messages) go to the stock kernel.
 */
import type { BatchMatMulAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { CPP_DTYPE, sizeOf, tensorData, type WasmBackend } from '../wasm-internals';
import { gemmFor } from './gemm/gemm';
import { gemmBatch } from './gemm/pool';

/** From this many multiply-adds up, a 2-D (or folded) product goes to XNNPACK; below, to our SIMD kernel. */
export const XNNPACK_MIN_MACS = 1 << 20;

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

/** out[M, N] = a[M, K] · b[K, N] on XNNPACK, all three given as C tensor ids. */
function matmul2d(
  backend: WasmBackend,
  aId: number,
  bId: number,
  outId: number,
  m: number,
  k: number,
  n: number,
): void {
  const ptr = scratchPtr(backend);
  writeInts(backend, ptr, [1, m, k, 1, k, n]);
  backend.wasm._BatchMatMul(aId, ptr, 3, bId, ptr + 12, 3, 0, 0, outId);
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
    const temps: TensorInfo[] = [];
    let ok = false;
    try {
      // Both operands in row-major [batch, M, K] and [batch, K, N].
      const aa = transposeA ? transposeLast2(backend, a, batchA, k, m) : a;
      if (aa !== a) temps.push(aa);
      const bb = transposeB ? transposeLast2(backend, b, batchB, n, k) : b;
      if (bb !== b) temps.push(bb);
      const aData = tensorData(backend, aa);
      const bData = tensorData(backend, bb);
      const outData = tensorData(backend, out);
      if (batchB === 1 && batchA * m * n * k >= XNNPACK_MIN_MACS) {
        matmul2d(backend, aData.id, bData.id, outData.id, batchA * m, k, n);
        ok = true;
        return out;
      }
      const gemm = gemmFor(backend.wasm);
      if (batchB === 1) {
        gemm(aData.memoryOffset, bData.memoryOffset, outData.memoryOffset, batchA * m, n, k, k, 1, n, n, 0);
        ok = true;
        return out;
      }
      const aIndex = broadcastIndices(a.shape.slice(0, -2), outBatch);
      const bIndex = broadcastIndices(b.shape.slice(0, -2), outBatch);
      // Independent slices: one batch, split over the gemm pool's threads when it is large enough.
      const batch = gemmBatch(backend.wasm);
      for (let i = 0; i < aIndex.length; i++) {
        const aPtr = aData.memoryOffset + 4 * aIndex[i]! * m * k;
        const bPtr = bData.memoryOffset + 4 * bIndex[i]! * k * n;
        batch.push(aPtr, bPtr, outData.memoryOffset + 4 * i * m * n, m, n, k, k, 1, n, n, 0);
      }
      batch.run();
      ok = true;
      return out;
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
      if (!ok) backend.disposeData(out.dataId);
    }
  };
}

/** The config `registerWasmKernelPack` installs; `stock` is the kernel it replaces (kept for the cases above). */
export function batchMatMulConfig(stock: KernelFunc): KernelConfig {
  return { kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: makeBatchMatMul(stock) };
}
