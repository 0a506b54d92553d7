/** Heap scratch for the pack's kernels: `_malloc`ed floats freed together, and zero-filling. */
import type { TensorInfo } from '@tensorflow/tfjs';
import type { WasmBackend } from '../wasm-internals';

/** Heap scratch from `_malloc`, freed together. Pointers are byte offsets. */
export class Scratch {
  private readonly ptrs: number[] = [];
  private readonly cleanups: Array<() => void> = [];
  constructor(private readonly backend: WasmBackend) {}
  /** Runs `cleanup` at `free()` too. */
  onFree(cleanup: () => void): void {
    this.cleanups.push(cleanup);
  }
  floats(count: number): number {
    const ptr = this.backend.wasm._malloc(Math.max(4, 4 * count));
    this.ptrs.push(ptr);
    return ptr;
  }
  /** A heap copy of `values`. */
  ints(values: Int32Array): number {
    const ptr = this.floats(values.length);
    new Int32Array(this.backend.wasm.HEAPU8.buffer, ptr, values.length).set(values);
    return ptr;
  }
  free(): void {
    for (const p of this.ptrs) this.backend.wasm._free(p);
    for (const cleanup of this.cleanups) cleanup();
  }
}

/** Zeroes `count` floats at byte offset `ptr`. */
export const zero = (backend: WasmBackend, ptr: number, count: number) =>
  backend.wasm.HEAPU8.fill(0, ptr, ptr + 4 * count);

/**
 * Runs `fill(scratch)` to compute `outputs` (already made), frees the scratch, and returns them; if `fill` throws,
 * disposes the outputs too and rethrows.
 */
export function fillOutputs(
  backend: WasmBackend,
  outputs: TensorInfo[],
  fill: (scratch: Scratch) => void,
): TensorInfo[] {
  const scratch = new Scratch(backend);
  try {
    fill(scratch);
  } catch (error) {
    for (const t of outputs) backend.disposeData(t.dataId);
    throw error;
  } finally {
    scratch.free();
  }
  return outputs;
}
