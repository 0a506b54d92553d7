/**
 * Decoding of the 16-bit float formats found in Hugging Face checkpoints (IEEE half `F16` and bfloat16 `BF16`) into
 * float32, one value or a whole little-endian byte range at a time.
 *
 * Both formats widen to float32 exactly (every f16 and bf16 value is representable in f32), so decoding never rounds.
 * Deliberately no encoders: checkpoints are written as F32 (see safetensors-write.ts), so nothing here narrows.
 */

/** The float32 value of an IEEE 754 binary16 bit pattern (the low 16 bits of `bits`). */
export function f16BitsToF32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero or subnormal: fraction × 2^-14 × 2^-10
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** The float32 value of a bfloat16 bit pattern (the low 16 bits of `bits`): bf16 is the top half of an f32. */
export function bf16BitsToF32(bits: number): number {
  scratchU32[0] = (bits & 0xffff) << 16;
  return scratchF32[0]!;
}

const scratchU32 = new Uint32Array(1);
const scratchF32 = new Float32Array(scratchU32.buffer);

// 65,536 entries (256 KiB) built on first use: a table lookup decodes large F16 tensors ~10× faster than the
// branchy per-value function above.
let f16Table: Float32Array | undefined;
function getF16Table(): Float32Array {
  if (f16Table === undefined) {
    f16Table = new Float32Array(65536);
    for (let i = 0; i < 65536; i++) f16Table[i] = f16BitsToF32(i);
  }
  return f16Table;
}

/** Decodes `bytes` (little-endian F16, even length) into a new Float32Array of `bytes.length / 2` values. */
export function decodeF16(bytes: Uint8Array): Float32Array {
  assertEvenLength(bytes, 'F16');
  const table = getF16Table();
  const out = new Float32Array(bytes.length / 2);
  for (let i = 0, j = 0; i < out.length; i++, j += 2) out[i] = table[bytes[j]! | (bytes[j + 1]! << 8)]!;
  return out;
}

/** Decodes `bytes` (little-endian BF16, even length) into a new Float32Array of `bytes.length / 2` values. */
export function decodeBF16(bytes: Uint8Array): Float32Array {
  assertEvenLength(bytes, 'BF16');
  const out = new Float32Array(bytes.length / 2);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0, j = 0; i < out.length; i++, j += 2) outBits[i] = ((bytes[j]! | (bytes[j + 1]! << 8)) << 16) >>> 0;
  return out;
}

function assertEvenLength(bytes: Uint8Array, dtype: string): void {
  if (bytes.length % 2 !== 0) {
    throw new Error(`${dtype} data must have an even number of bytes, got ${bytes.length}`);
  }
}
