/**
 * Train/test splits by hashing the canonical problem. A problem's split depends only on its canonical text (and the
 * task name and test fraction), never on the seed or the order of generation, so the same problem can never appear
 * in both splits — whatever seeds or difficulty knobs produced it.
 *
 * Deliberately not here: random splits of a fixed list (use a seeded shuffle for that) or any I/O.
 */

/** Which side of a task's train/test division a problem falls on. */
export type Split = 'train' | 'test';

export const SPLITS: readonly Split[] = ['train', 'test'];

const TWO_POW_32 = 4294967296;
/** 2^53: the hash below has 53 bits, the most a double holds exactly. */
const TWO_POW_53 = 9007199254740992;

/**
 * A 53-bit string hash (cyrb53 construction: two 32-bit multiply-xor lanes, cross-mixed at the end). Stable across
 * platforms and runs; not cryptographic. Returns an integer in [0, 2^53).
 */
export function hash53(text: string, salt = 0): number {
  let h1 = 0xdeadbeef ^ salt;
  let h2 = 0x41c6ce57 ^ salt;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return TWO_POW_32 * (h2 & 0x1fffff) + (h1 >>> 0);
}

/** The hash as a fixed-width 14-digit hex string; used in generated problem ids. */
export function hashHex(text: string): string {
  return hash53(text).toString(16).padStart(14, '0');
}

/**
 * The split of a problem. `key` must be the problem's canonical form (for example the expression text, or the sorted
 * numbers and target of a countdown problem) prefixed by the task name, so tasks do not share split boundaries.
 * Problems whose hash falls in the lowest `testFraction` of the range are `test`.
 */
export function splitOf(key: string, testFraction: number): Split {
  if (!(testFraction >= 0 && testFraction <= 1)) {
    throw new RangeError(`testFraction must be in [0, 1] (got ${String(testFraction)})`);
  }
  return hash53(key) / TWO_POW_53 < testFraction ? 'test' : 'train';
}
