/**
 * Reading safetensors files: open a file, validate its header, then read tensors one at a time from their byte
 * ranges, so a multi-gigabyte checkpoint is never held in memory twice. Floats come back as float32 (F16 and BF16
 * widen exactly; F64 rounds), integers as int32 (wider values are range-checked, never wrapped).
 *
 * Deliberately knows nothing about checkpoints, configs or tensor names: see checkpoint.ts.
 */
import { open } from 'node:fs/promises';
import { decodeBF16, decodeF16 } from './half-float';
import {
  parseHeaderLength,
  parseSafetensorsHeader,
  type SafetensorsEntry,
  type SafetensorsHeader,
} from './safetensors-header';
import type { TensorData } from './tensor-data';

/** An open safetensors file whose header has been validated. Call `close()` when done. */
export interface SafetensorsFile {
  readonly path: string;
  readonly header: SafetensorsHeader;
  /** Reads and decodes one tensor; throws naming the file and tensor if it is absent or its dtype unsupported. */
  read(name: string): Promise<TensorData>;
  close(): Promise<void>;
}

/**
 * Opens `path` and validates its header (only the first 8 + N bytes are read).
 * @example
 * const f = await openSafetensors('ckpt/model.safetensors');
 * try { const w = await f.read('model.norm.weight'); } finally { await f.close(); }
 */
export async function openSafetensors(path: string): Promise<SafetensorsFile> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const prefix = await readExactly(handle, 0, Math.min(8, size), path);
    const headerLength = parseHeaderLength(prefix, size, path);
    const headerBytes = await readExactly(handle, 8, headerLength, path);
    const header = parseSafetensorsHeader(headerBytes, size - 8 - headerLength, path);
    return {
      path,
      header,
      async read(name) {
        const entry = lookup(header, name, path);
        const [begin, end] = entry.dataOffsets;
        const bytes = await readExactly(handle, header.dataStart + begin, end - begin, path);
        return decodeTensorBytes(entry, bytes, `${path}: tensor "${name}"`);
      },
      close: () => handle.close(),
    };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/** Reads every tensor of a file. Prefer `openSafetensors` for large files you only need part of. */
export async function readSafetensors(
  path: string,
): Promise<{ tensors: Map<string, TensorData>; metadata: Record<string, string> }> {
  const file = await openSafetensors(path);
  try {
    const tensors = new Map<string, TensorData>();
    for (const name of file.header.tensors.keys()) tensors.set(name, await file.read(name));
    return { tensors, metadata: file.header.metadata };
  } finally {
    await file.close();
  }
}

/** Parses a whole safetensors file already in memory. `label` names it in errors. */
export function parseSafetensors(
  bytes: Uint8Array,
  label = '<safetensors buffer>',
): { tensors: Map<string, TensorData>; metadata: Record<string, string> } {
  const headerLength = parseHeaderLength(bytes.subarray(0, 8), bytes.length, label);
  const header = parseSafetensorsHeader(bytes.subarray(8, 8 + headerLength), bytes.length - 8 - headerLength, label);
  const tensors = new Map<string, TensorData>();
  for (const [name, entry] of header.tensors) {
    const [begin, end] = entry.dataOffsets;
    const range = bytes.subarray(header.dataStart + begin, header.dataStart + end);
    tensors.set(name, decodeTensorBytes(entry, range, `${label}: tensor "${name}"`));
  }
  return { tensors, metadata: header.metadata };
}

/**
 * Decodes one tensor's raw little-endian bytes (exactly `entry`'s byte range) into float32 or int32 data.
 * The result never aliases `bytes` unless `bytes` spans its whole, aligned ArrayBuffer (a buffer read for it alone).
 * @param where "file: tensor "name"", the prefix of every error message
 */
export function decodeTensorBytes(entry: SafetensorsEntry, bytes: Uint8Array, where: string): TensorData {
  const shape = [...entry.shape];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dtype = entry.dtype;
  switch (dtype) {
    case 'F32':
      return { dtype: 'float32', shape, data: littleEndianF32(bytes) };
    case 'F16':
      return { dtype: 'float32', shape, data: decodeF16(bytes) };
    case 'BF16':
      return { dtype: 'float32', shape, data: decodeBF16(bytes) };
    case 'F64': {
      const out = new Float32Array(bytes.length / 8);
      for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
      return { dtype: 'float32', shape, data: out };
    }
    case 'I32':
      return { dtype: 'int32', shape, data: littleEndianI32(bytes) };
    case 'BOOL':
    case 'U8':
      return { dtype: 'int32', shape, data: Int32Array.from(bytes) };
    case 'I8':
      return {
        dtype: 'int32',
        shape,
        data: Int32Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length)),
      };
    case 'I16':
    case 'U16': {
      const out = new Int32Array(bytes.length / 2);
      for (let i = 0; i < out.length; i++)
        out[i] = dtype === 'I16' ? view.getInt16(i * 2, true) : view.getUint16(i * 2, true);
      return { dtype: 'int32', shape, data: out };
    }
    case 'U32':
    case 'I64':
    case 'U64':
      return { dtype: 'int32', shape, data: narrowToInt32(view, dtype, where) };
    case 'F8_E4M3':
    case 'F8_E5M2':
    case 'F8_E8M0':
    case 'C64':
      throw new Error(
        `${where}: dtype ${dtype} is not supported (tfjs has no such type); convert the checkpoint to F32, F16 or BF16 first`,
      );
    default: {
      const unreachable: never = dtype;
      throw new Error(`${where}: unhandled dtype ${String(unreachable)}`);
    }
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function ownsWholeAlignedBuffer(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
}

function littleEndianF32(bytes: Uint8Array): Float32Array {
  if (LITTLE_ENDIAN) {
    if (ownsWholeAlignedBuffer(bytes)) return new Float32Array(bytes.buffer, 0, bytes.length / 4);
    return new Float32Array(bytes.slice().buffer);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

function littleEndianI32(bytes: Uint8Array): Int32Array {
  if (LITTLE_ENDIAN) {
    if (ownsWholeAlignedBuffer(bytes)) return new Int32Array(bytes.buffer, 0, bytes.length / 4);
    return new Int32Array(bytes.slice().buffer);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt32(i * 4, true);
  return out;
}

function narrowToInt32(view: DataView, dtype: 'U32' | 'I64' | 'U64', where: string): Int32Array {
  const size = dtype === 'U32' ? 4 : 8;
  const out = new Int32Array(view.byteLength / size);
  for (let i = 0; i < out.length; i++) {
    const v =
      dtype === 'U32'
        ? view.getUint32(i * size, true)
        : Number(dtype === 'I64' ? view.getBigInt64(i * size, true) : view.getBigUint64(i * size, true));
    if (v > 2147483647 || v < -2147483648) {
      throw new Error(
        `${where}: element ${i} = ${v} does not fit in int32 (tfjs's only integer type); this ${dtype} tensor cannot be loaded`,
      );
    }
    out[i] = v;
  }
  return out;
}

function lookup(header: SafetensorsHeader, name: string, path: string): SafetensorsEntry {
  const entry = header.tensors.get(name);
  if (entry === undefined) {
    const names = [...header.tensors.keys()];
    throw new Error(
      `${path}: no tensor named "${name}" (the file has ${names.length}: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''})`,
    );
  }
  return entry;
}

async function readExactly(
  handle: Awaited<ReturnType<typeof open>>,
  position: number,
  length: number,
  path: string,
): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(out, done, length - done, position + done);
    if (bytesRead === 0) {
      throw new Error(
        `${path}: file ended at byte ${position + done} while reading ${length} bytes from ${position} (was it truncated while open?)`,
      );
    }
    done += bytesRead;
  }
  return out;
}
