/**
 * Test helper: builds safetensors bytes from a literal header object and literal data bytes, with no validation, so
 * tests can hand-craft both valid fixtures (exact bytes worked out by hand) and corrupt ones.
 */
export function rawSafetensors(header: Record<string, unknown>, data: readonly number[], pad = true): Uint8Array {
  let json = JSON.stringify(header);
  if (pad) json = json.padEnd(Math.ceil(json.length / 8) * 8, ' ');
  const jsonBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + jsonBytes.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(jsonBytes.length), true);
  out.set(jsonBytes, 8);
  out.set(data, 8 + jsonBytes.length);
  return out;
}

/** Little-endian bytes of 16-bit patterns: `[0x3fc0]` → `[0xc0, 0x3f]`. */
export function u16le(bits: readonly number[]): number[] {
  return bits.flatMap((b) => [b & 0xff, (b >> 8) & 0xff]);
}
