/**
 * The wasm kernel pack: kernels tfjs-backend-wasm 4.22 lacks or runs slowly, registered for backend 'wasm' by
 * `initBackend` right after the wasm backend has initialised (so the stock kernels' setup has run and a replaced
 * kernel can still delegate to its stock version). Registering twice is a no-op.
 *
 * - `UnsortedSegmentSum` (missing): the gradient of `gather`, i.e. of every embedding lookup.
 * - `BatchMatMul` (slow outside one case): transposed and batched operands on XNNPACK.
 * It does not touch other backends, and adds no ops: models keep calling plain tfjs ops.
 */
import * as tf from '@tensorflow/tfjs';
import { batchMatMulConfig } from './kernels/batch-mat-mul';
import { unsortedSegmentSumConfig } from './kernels/unsorted-segment-sum';

/** Kernels of the pack, by name, as `tf.getKernel(name, 'wasm')` holds them after registration. */
export const WASM_KERNEL_PACK = ['UnsortedSegmentSum', 'BatchMatMul'] as const;

const installed = new Set<tf.KernelFunc>();

export function registerWasmKernelPack(): void {
  const current = tf.getKernel('BatchMatMul', 'wasm');
  if (current !== undefined && installed.has(current.kernelFunc)) return;
  if (current === undefined) {
    throw new Error('registerWasmKernelPack: no stock wasm BatchMatMul; import @tensorflow/tfjs-backend-wasm first');
  }
  const matmul = batchMatMulConfig(current.kernelFunc);
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel(matmul);
  installed.add(matmul.kernelFunc);
  if (tf.getKernel('UnsortedSegmentSum', 'wasm') === undefined) tf.registerKernel(unsortedSegmentSumConfig);
}
