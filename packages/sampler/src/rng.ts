/**
 * Seeded randomness for sampling. Every completion draws from its own stream, keyed by (seed, sample index), so the
 * tokens of a completion do not depend on what else was in the batch, on compaction of finished rows, or on whether
 * a run was resumed — the property resumable evaluation relies on.
 */

/** 32-bit finaliser of MurmurHash3: a bijective mix, so distinct inputs give distinct, well-spread outputs. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Combines a seed with further integers (indices, ids) into a new 32-bit seed. */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = fmix32((seed >>> 0) ^ 0x9e3779b9);
  for (const p of parts) h = fmix32((h ^ fmix32((p >>> 0) + 0x7f4a7c15)) >>> 0);
  return h;
}

/** Hashes a string (e.g. a problem id) to a 32-bit integer (FNV-1a then mixed). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h >>> 0);
}

/** A uniform [0, 1) generator (SplitMix32). */
export type Uniform = () => number;

export function createRng(seed: number): Uniform {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    return fmix32(state) / 4294967296;
  };
}
