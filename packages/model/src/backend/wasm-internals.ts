/**
 * Typed views of the parts of tfjs-backend-wasm 4.22 that our loader and kernel pack reach into: the Emscripten
 * module (heap, malloc, the exported C kernels) and `BackendWasm` (its `dataIdMap` and `makeOutput`).
 * These are internals of a pinned version (package.json pins 4.22.0); every use goes through this file so an upgrade
 * has one place to check. Nothing here allocates or runs kernels.
 */
import type { DataType, TensorInfo } from '@tensorflow/tfjs';

/** The Emscripten module object of tfjs-backend-wasm (what `BackendWasm.wasm` holds). */
export interface WasmModule {
  HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  // biome-ignore lint/suspicious/noExplicitAny: Emscripten's cwrap is untyped.
  cwrap(name: string, ret: string | null, args: string[]): (...args: any[]) => any;
  tfjs: {
    init(): void;
    initWithThreadsCount(n: number): void;
    getThreadsCount(): number;
    registerTensor(id: number, size: number, memoryOffset: number): void;
    disposeData(id: number): void;
    dispose(): void;
  };
  /** C kernels, called with tensor ids and pointers into the heap. */
  _BatchMatMul(
    aId: number,
    aShapePtr: number,
    aShapeLen: number,
    bId: number,
    bShapePtr: number,
    bShapeLen: number,
    transposeA: number,
    transposeB: number,
    outId: number,
  ): void;
  _Transpose(
    xId: number,
    xShapePtr: number,
    xShapeLen: number,
    dtype: number,
    outId: number,
    permPtr: number,
    permLen: number,
  ): void;
  /** Present in the threaded build only. */
  PThread?: {
    runningWorkers: Array<{ unref(): void }>;
    unusedWorkers: Array<{ terminate(): unknown }>;
    terminateAllThreads(): void;
  };
}

/** One entry of `BackendWasm.dataIdMap`. */
export interface WasmTensorData {
  /** The C side's tensor id (unique per allocation, never reused). */
  id: number;
  /** Byte offset of the data in the heap. */
  memoryOffset: number;
  shape: number[];
  dtype: DataType;
  refCount: number;
}

/** The slice of `BackendWasm` our kernels use. */
export interface WasmBackend {
  wasm: WasmModule;
  dataIdMap: { get(dataId: object): WasmTensorData | undefined; has(dataId: object): boolean };
  /** Allocates an output on the heap (or adopts `memoryOffset`) and returns its TensorInfo with refCount 1. */
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  /** Private counter of tensor ids; we take ids from it for heap views so they never collide with real tensors. */
  dataIdNextNumber: number;
}

/** `CppDType` of tfjs-backend-wasm (cc/backend.h). */
export const CPP_DTYPE = { float32: 0, int32: 1, bool: 2 } as const;

/** The data record of a tensor, or a clear error if the tensor does not live on this backend. */
export function tensorData(backend: WasmBackend, t: TensorInfo): WasmTensorData {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error('wasm kernel pack: input tensor is not on the wasm backend (disposed?)');
  return data;
}

/** Byte offset of a tensor's data on the heap (what the SIMD kernels take as a pointer). */
export function ptrOf(backend: WasmBackend, t: TensorInfo): number {
  return tensorData(backend, t).memoryOffset;
}

/** A Float32Array over a float32 tensor's heap bytes. Re-create after any allocation: the heap may have grown. */
export function f32View(backend: WasmBackend, t: TensorInfo): Float32Array {
  const { memoryOffset } = tensorData(backend, t);
  return new Float32Array(backend.wasm.HEAPU8.buffer, memoryOffset, sizeOf(t.shape));
}

/** An Int32Array over an int32 tensor's heap bytes. */
export function i32View(backend: WasmBackend, t: TensorInfo): Int32Array {
  const { memoryOffset } = tensorData(backend, t);
  return new Int32Array(backend.wasm.HEAPU8.buffer, memoryOffset, sizeOf(t.shape));
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
