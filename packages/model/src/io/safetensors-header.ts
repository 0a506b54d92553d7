/**
 * The safetensors header: the dtype table, and parsing + validation of the 8-byte length prefix and the JSON header
 * that names every tensor's dtype, shape and byte range.
 *
 * Layout (https://github.com/huggingface/safetensors): little-endian u64 N, then N bytes of UTF-8 JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}`, then the data buffer.
 * Offsets are relative to the start of the data buffer. Validation follows the format's own rules: every tensor's
 * byte range lies inside the buffer, equals elements × dtype size, ranges do not overlap, and together they cover the
 * buffer with no holes (so a truncated or padded file is caught before any tensor is trusted).
 *
 * Deliberately does no I/O and decodes no tensor data: see safetensors-read.ts / safetensors-write.ts.
 */

/** Every dtype the format defines with a whole-byte element size, and that size in bytes. */
export const SAFETENSORS_DTYPE_BYTES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
  C64: 8,
} as const;

export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPE_BYTES;

/** One tensor's header entry. `dataOffsets` are relative to the start of the data buffer, end exclusive. */
export interface SafetensorsEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  dataOffsets: [number, number];
}

export interface SafetensorsHeader {
  /** Tensors in the order their bytes appear in the file. */
  tensors: Map<string, SafetensorsEntry>;
  /** The optional `__metadata__` string map (`{}` when absent). */
  metadata: Record<string, string>;
  /** Absolute file offset of the data buffer: 8 + header length. */
  dataStart: number;
}

/** The reference implementation's cap; a larger "header" is a corrupt length prefix, not a real header. */
export const MAX_HEADER_BYTES = 100_000_000;

/**
 * Reads the little-endian u64 header length from the first 8 bytes and checks it against the file size.
 * @param prefix the first 8 bytes of the file (fewer means the file is too short)
 * @param fileSize total size of the file in bytes
 * @param file path or label used in error messages
 */
export function parseHeaderLength(prefix: Uint8Array, fileSize: number, file: string): number {
  if (prefix.length < 8 || fileSize < 8) {
    throw new Error(
      `${file}: not a safetensors file: it has ${fileSize} bytes, fewer than the 8-byte header length prefix (truncated or empty file?)`,
    );
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER_BYTES, fileSize - 8))) {
    throw new Error(
      `${file}: header length prefix says ${n} bytes but ${n > BigInt(MAX_HEADER_BYTES) ? `the limit is ${MAX_HEADER_BYTES}` : `only ${fileSize - 8} bytes follow it`} (truncated file, or not a safetensors file)`,
    );
  }
  return Number(n);
}

/**
 * Parses and validates the JSON header.
 * @param headerBytes the N header bytes (UTF-8 JSON, possibly padded with trailing spaces)
 * @param dataByteLength size of the data buffer: file size − 8 − N
 * @param file path or label used in error messages
 */
export function parseSafetensorsHeader(
  headerBytes: Uint8Array,
  dataByteLength: number,
  file: string,
): SafetensorsHeader {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw new Error(`${file}: header is not valid UTF-8 (corrupt file, or not a safetensors file)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(
      `${file}: header is not valid JSON (${(e as Error).message}); the file is corrupt or not safetensors`,
    );
  }
  if (!isPlainObject(json)) throw new Error(`${file}: header must be a JSON object of tensors, got ${describe(json)}`);

  const metadata = parseMetadata(json.__metadata__, file);
  const entries: [string, SafetensorsEntry][] = [];
  for (const [name, raw] of Object.entries(json)) {
    if (name === '__metadata__') continue;
    entries.push([name, parseEntry(name, raw, dataByteLength, file)]);
  }
  entries.sort((a, b) => a[1].dataOffsets[0] - b[1].dataOffsets[0] || a[1].dataOffsets[1] - b[1].dataOffsets[1]);

  let cursor = 0;
  let previous = '';
  for (const [name, { dataOffsets }] of entries) {
    const [begin, end] = dataOffsets;
    if (begin < cursor) {
      throw new Error(
        `${file}: tensor "${name}" bytes [${begin}, ${end}) overlap tensor "${previous}" (which ends at ${cursor}); the header is corrupt`,
      );
    }
    if (begin > cursor) {
      throw new Error(
        `${file}: bytes [${cursor}, ${begin}) of the data buffer belong to no tensor (hole before "${name}"); the header is corrupt`,
      );
    }
    cursor = end;
    previous = name;
  }
  if (cursor !== dataByteLength) {
    throw new Error(
      `${file}: tensors cover ${cursor} bytes of data but the file holds ${dataByteLength} after the header (${cursor > dataByteLength ? 'truncated file' : 'trailing bytes'})`,
    );
  }
  return { tensors: new Map(entries), metadata, dataStart: 8 + headerBytes.length };
}

function parseEntry(name: string, raw: unknown, dataByteLength: number, file: string): SafetensorsEntry {
  const where = `${file}: tensor "${name}"`;
  if (!isPlainObject(raw))
    throw new Error(`${where}: entry must be an object {dtype, shape, data_offsets}, got ${describe(raw)}`);
  const { dtype, shape, data_offsets: offsets } = raw;
  if (typeof dtype !== 'string' || !Object.hasOwn(SAFETENSORS_DTYPE_BYTES, dtype)) {
    throw new Error(
      `${where}: unknown dtype ${JSON.stringify(dtype)}; expected one of ${Object.keys(SAFETENSORS_DTYPE_BYTES).join(', ')}`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(`${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[0] > offsets[1]
  ) {
    throw new Error(`${where}: data_offsets must be [begin, end] with 0 ≤ begin ≤ end, got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end > dataByteLength) {
    throw new Error(
      `${where}: data_offsets [${begin}, ${end}) run past the end of the data buffer (${dataByteLength} bytes); the file is truncated or corrupt`,
    );
  }
  const typed = dtype as SafetensorsDtype;
  const expected = (shape as number[]).reduce((a, d) => a * d, 1) * SAFETENSORS_DTYPE_BYTES[typed];
  if (expected !== end - begin) {
    throw new Error(
      `${where}: shape [${shape.join(', ')}] × ${dtype} (${SAFETENSORS_DTYPE_BYTES[typed]} bytes) needs ${expected} bytes but data_offsets [${begin}, ${end}) hold ${end - begin}`,
    );
  }
  return { dtype: typed, shape: [...(shape as number[])], dataOffsets: [begin, end] };
}

function parseMetadata(raw: unknown, file: string): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (!isPlainObject(raw)) throw new Error(`${file}: __metadata__ must be an object of strings, got ${describe(raw)}`);
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string') {
      throw new Error(
        `${file}: __metadata__.${key} must be a string (the format allows only strings), got ${describe(value)}`,
      );
    }
  }
  return { ...(raw as Record<string, string>) };
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  return typeof x === 'object' ? 'an object' : `${typeof x} ${JSON.stringify(x)}`;
}
