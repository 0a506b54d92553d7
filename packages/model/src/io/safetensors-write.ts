/**
 * Writing safetensors files: float32 (F32) and int32 (I32) tensors, header padded with spaces to a multiple of 8 so
 * the data buffer starts 8-byte aligned, as the reference writer does. Tensor data may be given lazily (a function),
 * so a model's weights are copied off the backend one tensor at a time while the file is written.
 *
 * Deliberately writes no 16-bit floats (training state must round-trip bit-exactly) and knows nothing about
 * checkpoint directories or atomic replacement: see atomic-dir.ts and checkpoint.ts.
 */
import { open } from 'node:fs/promises';
import { formatShape, numElements } from './tensor-data';

/** A tensor to write. `data` may be a function called once, when the writer reaches this tensor. */
export interface WritableTensor {
  shape: readonly number[];
  /** Default 'float32' (written as F32); 'int32' is written as I32. */
  dtype?: 'float32' | 'int32';
  data: Float32Array | Int32Array | (() => Float32Array | Int32Array | Promise<Float32Array | Int32Array>);
}

export type WritableTensors = ReadonlyMap<string, WritableTensor>;

export interface WriteSafetensorsOptions {
  /** String-only `__metadata__` (e.g. `{ format: 'pt' }`, which transformers expects). Default `{ format: 'pt' }`. */
  metadata?: Record<string, string>;
  /** fsync the file before closing, so a later rename publishes complete data. Default true. */
  fsync?: boolean;
}

/** Writes `tensors` to `path` (created or truncated), in the map's order. */
export async function writeSafetensors(
  path: string,
  tensors: WritableTensors,
  options: WriteSafetensorsOptions = {},
): Promise<void> {
  const head = buildHead(tensors, options.metadata ?? { format: 'pt' }, path);
  const handle = await open(path, 'w');
  try {
    await writeAll(handle, head);
    for (const [name, tensor] of tensors) {
      const data = await resolveData(name, tensor, path);
      await writeAll(handle, littleEndianBytes(data));
    }
    if (options.fsync ?? true) await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The whole file in memory. Lazy `data` must then be synchronous. Handy for tests and small tensors. */
export function encodeSafetensors(
  tensors: WritableTensors,
  metadata: Record<string, string> = { format: 'pt' },
): Uint8Array {
  const label = '<safetensors buffer>';
  const head = buildHead(tensors, metadata, label);
  const parts: Uint8Array[] = [head];
  for (const [name, tensor] of tensors) {
    const data = typeof tensor.data === 'function' ? tensor.data() : tensor.data;
    if (data instanceof Promise)
      throw new Error(
        `${label}: tensor "${name}": encodeSafetensors needs synchronous data; use writeSafetensors for async sources`,
      );
    parts.push(littleEndianBytes(checkData(name, tensor, data, label)));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Length prefix + padded JSON header. Validates names, shapes and metadata before anything is written. */
function buildHead(tensors: WritableTensors, metadata: Record<string, string>, file: string): Uint8Array {
  const header: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string')
      throw new Error(`${file}: metadata.${key} must be a string (safetensors allows only strings)`);
  }
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, tensor] of tensors) {
    if (name === '__metadata__' || name === '') throw new Error(`${file}: "${name}" is not a valid tensor name`);
    if (!tensor.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new Error(`${file}: tensor "${name}": shape ${JSON.stringify(tensor.shape)} must be non-negative integers`);
    }
    const bytes = numElements(tensor.shape) * 4;
    header[name] = {
      dtype: (tensor.dtype ?? 'float32') === 'float32' ? 'F32' : 'I32',
      shape: [...tensor.shape],
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const head = new Uint8Array(8 + padded).fill(0x20);
  new DataView(head.buffer).setBigUint64(0, BigInt(padded), true);
  head.set(json, 8);
  return head;
}

async function resolveData(name: string, tensor: WritableTensor, file: string): Promise<Float32Array | Int32Array> {
  const data = typeof tensor.data === 'function' ? await tensor.data() : tensor.data;
  return checkData(name, tensor, data, file);
}

function checkData(name: string, tensor: WritableTensor, data: unknown, file: string): Float32Array | Int32Array {
  const dtype = tensor.dtype ?? 'float32';
  const ok = dtype === 'float32' ? data instanceof Float32Array : data instanceof Int32Array;
  if (!ok) {
    throw new Error(
      `${file}: tensor "${name}": data must be a ${dtype === 'float32' ? 'Float32Array' : 'Int32Array'} for dtype ${dtype}`,
    );
  }
  const typed = data as Float32Array | Int32Array;
  const expected = numElements(tensor.shape);
  if (typed.length !== expected) {
    throw new Error(
      `${file}: tensor "${name}": shape ${formatShape(tensor.shape)} needs ${expected} values, got ${typed.length}`,
    );
  }
  return typed;
}

// One write() call may write less than asked (Linux caps a call at ~2 GiB, and a large embedding can exceed that).
async function writeAll(handle: Awaited<ReturnType<typeof open>>, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
    done += bytesWritten;
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function littleEndianBytes(data: Float32Array | Int32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float32Array) view.setFloat32(i * 4, data[i]!, true);
    else view.setInt32(i * 4, data[i]!, true);
  }
  return out;
}
