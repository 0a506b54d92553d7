/**
 * Transposed copies of matmul operands that are used again and again — the weights: every HF-layout projection is
 * `x · Wᵀ`, and our gemm wants B row-major, so without a cache each call (each layer, each decoded token) transposes
 * W again. At a real vocabulary the tied LM head alone is `[151936, D]`, a 20–40 MB memory pass per decoded token.
 *
 * The cache maps a tensor's `dataId` to its transpose and is safe because a tensor's data never changes: kernels
 * write only their outputs, and `Variable.assign` gives a variable a new `dataId`. A copy is freed with its source:
 * the backend's `disposeData` is wrapped to drop it when the source's memory goes. A byte budget bounds the cache
 * (oldest first out), so one-off operands cannot make it grow; a single operand over half the budget is not cached.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import type { WasmBackend } from '../wasm-internals';

/** Bytes of transposed copies kept per backend. */
export const TRANSPOSE_CACHE_BYTES = 256 * 1024 * 1024;
/** Operands smaller than this many floats are transposed every time (it takes microseconds). */
export const TRANSPOSE_CACHE_MIN_FLOATS = 16 * 1024;

interface Entry {
  twin: TensorInfo;
  rows: number;
  cols: number;
  bytes: number;
}

interface Cache {
  entries: Map<object, Entry>;
  bytes: number;
  /** The backend's own disposeData, for freeing copies without re-entering the hook. */
  dispose: (dataId: object, force?: boolean) => boolean;
}

const caches = new WeakMap<WasmBackend, Cache>();

function cacheFor(backend: WasmBackend): Cache {
  let cache = caches.get(backend);
  if (cache === undefined) {
    const dispose = backend.disposeData.bind(backend);
    const made: Cache = { entries: new Map(), bytes: 0, dispose };
    backend.disposeData = (dataId: object, force?: boolean): boolean => {
      const freed = dispose(dataId, force);
      if (freed) drop(made, dataId);
      return freed;
    };
    caches.set(backend, made);
    cache = made;
  }
  return cache;
}

function drop(cache: Cache, dataId: object): void {
  const entry = cache.entries.get(dataId);
  if (entry === undefined) return;
  cache.entries.delete(dataId);
  cache.bytes -= entry.bytes;
  cache.dispose(entry.twin.dataId, true);
}

/**
 * The row-major `[cols, rows]` transpose of the 2-D `[rows, cols]` float32 tensor `x`, made by `make` on a miss.
 * The result belongs to the cache when `owned` is false; otherwise the caller disposes it.
 */
export function cachedTranspose(
  backend: WasmBackend,
  x: TensorInfo,
  rows: number,
  cols: number,
  make: () => TensorInfo,
): { twin: TensorInfo; owned: boolean } {
  const floats = rows * cols;
  const bytes = 4 * floats;
  if (floats < TRANSPOSE_CACHE_MIN_FLOATS || bytes > TRANSPOSE_CACHE_BYTES / 2) return { twin: make(), owned: true };
  const cache = cacheFor(backend);
  const hit = cache.entries.get(x.dataId);
  if (hit !== undefined && hit.rows === rows && hit.cols === cols) {
    // Most recently used last.
    cache.entries.delete(x.dataId);
    cache.entries.set(x.dataId, hit);
    return { twin: hit.twin, owned: false };
  }
  if (hit !== undefined) drop(cache, x.dataId); // the same data seen under another shape
  const twin = make();
  for (const [id] of cache.entries) {
    if (cache.bytes + bytes <= TRANSPOSE_CACHE_BYTES) break;
    drop(cache, id);
  }
  cache.entries.set(x.dataId, { twin, rows, cols, bytes });
  cache.bytes += bytes;
  return { twin, owned: false };
}

/** Copies held for `backend` (for tests): count and bytes. */
export function transposeCacheStats(backend: WasmBackend): { entries: number; bytes: number } {
  const cache = caches.get(backend);
  return { entries: cache?.entries.size ?? 0, bytes: cache?.bytes ?? 0 };
}
