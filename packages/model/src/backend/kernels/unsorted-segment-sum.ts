/**
 * `UnsortedSegmentSum` for the wasm backend, which tfjs-backend-wasm 4.22 lacks. tfjs-core's gradient of `gather`
 * (every embedding lookup) calls it, so without it no model with an embedding can train on wasm.
 *
 * TensorFlow's semantics: `out[s, ...] = Σ_{i : ids[i] = s} x[i, ...]` over the leading `ids.rank` dimensions of `x`;
 * ids outside `[0, numSegments)` are dropped, empty segments are 0. A plain JS loop over the wasm heap: the work is
 * one add per input element, so there is nothing for SIMD to win at embedding sizes.
 */
import type { KernelConfig, KernelFunc, TensorInfo, UnsortedSegmentSumAttrs } from '@tensorflow/tfjs';
import { f32View, i32View, sizeOf, type WasmBackend } from '../wasm-internals';

function unsortedSegmentSum(args: {
  inputs: { x?: TensorInfo; segmentIds?: TensorInfo };
  backend: unknown;
  attrs: unknown;
}): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, segmentIds } = args.inputs;
  const { numSegments } = args.attrs as unknown as UnsortedSegmentSumAttrs;
  if (x === undefined || segmentIds === undefined) throw new Error('UnsortedSegmentSum: needs inputs x and segmentIds');
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum on wasm: x must be float32 or int32, got ${x.dtype}`);
  }
  if (segmentIds.dtype !== 'int32')
    throw new Error(`UnsortedSegmentSum: segmentIds must be int32, got ${segmentIds.dtype}`);
  const idRank = segmentIds.shape.length;
  for (let d = 0; d < idRank; d++) {
    if (x.shape[d] !== segmentIds.shape[d]) {
      throw new Error(
        `UnsortedSegmentSum: segmentIds shape [${segmentIds.shape}] must be a prefix of x shape [${x.shape}]`,
      );
    }
  }
  const rowShape = x.shape.slice(idRank);
  const inner = sizeOf(rowShape);
  const rows = sizeOf(segmentIds.shape);
  const out = backend.makeOutput([numSegments, ...rowShape], x.dtype);
  // Views only after makeOutput: its malloc may grow (and so detach) the heap.
  const ids = i32View(backend, segmentIds);
  const src = x.dtype === 'float32' ? f32View(backend, x) : i32View(backend, x);
  const dst = x.dtype === 'float32' ? f32View(backend, out) : i32View(backend, out);
  dst.fill(0);
  for (let r = 0; r < rows; r++) {
    const s = ids[r]!;
    if (s < 0 || s >= numSegments) continue;
    const from = r * inner;
    const to = s * inner;
    for (let j = 0; j < inner; j++) dst[to + j]! += src[from + j]!;
  }
  return out;
}

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as unknown as KernelFunc,
};
