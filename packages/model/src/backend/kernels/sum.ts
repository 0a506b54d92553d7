/**
 * `Sum` over leading axes for the wasm backend. Every bias and norm-weight gradient reduces `[B·T, D]` over its rows
 * (tfjs-core's broadcast gradient), and the stock kernel first transposes the reduced axes to the end (~7× the cost
 * of a last-axis sum). Here a float32 sum over a leading block of axes is one product `1[1, R] · X[R, C]` on our
 * SIMD gemm kernel (float32 accumulation in row order, like the stock kernel).
 * Every other case (trailing or scattered axes, other dtypes) goes to the stock kernel.
 */
import type { KernelConfig, KernelFunc, SumAttrs, TensorInfo } from '@tensorflow/tfjs';
import { util } from '@tensorflow/tfjs';
import { sizeOf, tensorData, type WasmBackend } from '../wasm-internals';
import { gemmFor } from './gemm/gemm';

/** A heap buffer of at least `n` float32 ones, per backend, grown on demand. */
const ones = new WeakMap<WasmBackend, { ptr: number; length: number }>();

function onesFor(backend: WasmBackend, n: number): number {
  let buffer = ones.get(backend);
  if (buffer === undefined || buffer.length < n) {
    if (buffer !== undefined) backend.wasm._free(buffer.ptr);
    const length = Math.max(n, 1024);
    const ptr = backend.wasm._malloc(4 * length);
    new Float32Array(backend.wasm.HEAPU8.buffer, ptr, length).fill(1);
    buffer = { ptr, length };
    ones.set(backend, buffer);
  }
  return buffer.ptr;
}

export function makeSum(stock: KernelFunc): KernelFunc {
  return (args) => {
    const backend = args.backend as unknown as WasmBackend;
    const x = (args.inputs as { x: TensorInfo }).x;
    const { axis, keepDims } = args.attrs as unknown as SumAttrs;
    if (x.dtype !== 'float32' || x.shape.length < 2) return stock(args);
    const axes = [...new Set(util.parseAxisParam(axis, x.shape))].sort((p, q) => p - q);
    const lead = axes.length;
    if (lead === 0 || lead === x.shape.length || !axes.every((a, i) => a === i)) return stock(args);
    const rows = sizeOf(x.shape.slice(0, lead));
    const cols = sizeOf(x.shape.slice(lead));
    const outShape = keepDims ? x.shape.map((d, i) => (i < lead ? 1 : d)) : x.shape.slice(lead);
    const out = backend.makeOutput(outShape, 'float32');
    const onesPtr = onesFor(backend, rows);
    gemmFor(backend.wasm)(
      onesPtr,
      tensorData(backend, x).memoryOffset,
      tensorData(backend, out).memoryOffset,
      1,
      cols,
      rows,
      rows,
      1,
      cols,
      cols,
      0,
    );
    return out;
  };
}

export function sumConfig(stock: KernelFunc): KernelConfig {
  return { kernelName: 'Sum', backendName: 'wasm', kernelFunc: makeSum(stock) };
}
