/**
 * A small seeded PRNG for weight init: mulberry32 streams, one per parameter, keyed by (seed, parameter name), so a
 * parameter's initial values do not depend on which other parameters exist or the order they are made in.
 * Host-side (plain JS numbers), so the same seed gives bit-identical weights on every tfjs backend.
 * Not for sampling tokens (the sampler has its own PRNG) and not cryptographic.
 */

/** FNV-1a 32-bit hash of a string. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a uniform [0, 1) generator from a 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` samples of N(0, std²) from the stream keyed by (seed, key), by Box–Muller. */
export function normalArray(n: number, std: number, seed: number, key: string): Float32Array {
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  const next = mulberry32(hashString(key) ^ Math.imul(seed | 0, 0x9e3779b1));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = 1 - next(); // (0, 1]: log is finite
    const u2 = next();
    const r = Math.sqrt(-2 * Math.log(u1)) * std;
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}
