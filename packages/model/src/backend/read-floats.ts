/**
 * Downloading a float32 tensor without tfjs's `dataSync` copy. On the threaded wasm build the heap is a
 * SharedArrayBuffer, and `dataSync` returns `HEAPU8.slice(…)`: V8 copies a shared buffer's slice element by element
 * and then page-faults in a fresh buffer of the same size — measured here ~6 ms for every 2 MiB (a decode step's
 * logits at Qwen's vocabulary, 16 rows × 151,936, are 9.7 MB). `readFloats` copies the heap bytes with `set` (a
 * memcpy, ~0.1 ms for 2 MiB) into a buffer the caller keeps and passes back. Other backends: `dataSync`.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmBackend } from './wasm-internals';

/**
 * The tensor's values: in `into` (its first `t.size` entries, returned as a subarray) when it is large enough,
 * else in a new array. Float32 only.
 */
export function readFloats(t: tf.Tensor, into?: Float32Array): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`readFloats: float32 only, got a ${t.dtype} tensor of shape [${t.shape}]`);
  if (t.isDisposed) throw new Error(`readFloats: the tensor of shape [${t.shape}] is disposed`);
  const n = t.size;
  const out = into !== undefined && into.length >= n ? into.subarray(0, n) : new Float32Array(n);
  if (tf.getBackend() === 'wasm') {
    const backend = tf.backend() as unknown as WasmBackend;
    const data = backend.dataIdMap.get(t.dataId);
    if (data !== undefined) {
      out.set(new Float32Array(backend.wasm.HEAPU8.buffer, data.memoryOffset, n));
      return out;
    }
  }
  out.set(t.dataSync() as Float32Array);
  return out;
}
