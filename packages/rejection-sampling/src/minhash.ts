/**
 * MinHash signatures over word n-grams (shingles), for near-duplicate detection.
 *
 * A text is lower-cased and split into words on whitespace; its shingles are the word n-grams (a text shorter than n
 * words is one shingle; a text with no words has none). Each shingle is hashed to 32 bits (its words' FNV-1a hashes,
 * mixed in order), and permutation i maps a hash x to (aᵢ·x + bᵢ) mod 2³² with aᵢ odd — a bijection of 32-bit integers. The
 * signature keeps each permutation's minimum; the share of equal positions in two signatures estimates the Jaccard
 * similarity of the shingle sets (Broder 1997). Equal texts have equal signatures, so a text's score with itself is
 * exactly 1.
 */

/** Words of `text`: lower-cased, split on whitespace. */
export function words(text: string): string[] {
  const out = text.toLowerCase().split(/\s+/u);
  return out.filter((w) => w !== '');
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes a 32-bit value into a running hash (murmur3's step), so an n-gram's hash is built from its words' hashes. */
function mix(h: number, k: number): number {
  let x = Math.imul(k, 0xcc9e2d51);
  x = (x << 15) | (x >>> 17);
  x = Math.imul(x, 0x1b873593);
  const y = h ^ x;
  return (Math.imul((y << 13) | (y >>> 19), 5) + 0xe6546b64) | 0;
}

/**
 * The distinct 32-bit hashes of the word n-grams of `text`: each word is hashed once, and an n-gram's hash mixes its
 * words' hashes in order (no n-gram strings are built).
 */
export function shingleHashes(text: string, n: number): Uint32Array {
  const w = words(text);
  if (w.length === 0) return new Uint32Array(0);
  const wordHashes = w.map(fnv1a);
  const count = Math.max(1, w.length - n + 1);
  const seen = new Set<number>();
  for (let i = 0; i < count; i++) {
    let h = n;
    const end = Math.min(w.length, i + n);
    for (let j = i; j < end; j++) h = mix(h, wordHashes[j]!);
    seen.add(h >>> 0);
  }
  return Uint32Array.from(seen);
}

/** The exact Jaccard similarity of two texts' shingle sets (1 for two texts with no words). */
export function jaccard(a: string, b: string, n: number): number {
  const sa = new Set(shingleHashes(a, n));
  const sb = new Set(shingleHashes(b, n));
  if (sa.size === 0 && sb.size === 0) return 1;
  let inter = 0;
  for (const x of sa) if (sb.has(x)) inter++;
  return inter / (sa.size + sb.size - inter);
}

export class MinHasher {
  readonly #a: Uint32Array;
  readonly #b: Uint32Array;

  /** `permutations` hash functions drawn from a fixed seed, so signatures are comparable across runs. */
  constructor(
    readonly permutations: number,
    readonly shingleSize: number,
    seed = 0x5eed,
  ) {
    this.#a = new Uint32Array(permutations);
    this.#b = new Uint32Array(permutations);
    let s = seed >>> 0;
    const next = () => {
      // splitmix32
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    for (let i = 0; i < permutations; i++) {
      this.#a[i] = next() | 1;
      this.#b[i] = next();
    }
  }

  signature(text: string): Uint32Array {
    const sig = new Uint32Array(this.permutations).fill(0xffffffff);
    const hashes = shingleHashes(text, this.shingleSize);
    const a = this.#a;
    const b = this.#b;
    for (let h = 0; h < hashes.length; h++) {
      const x = hashes[h]!;
      for (let i = 0; i < sig.length; i++) {
        const v = (Math.imul(a[i]!, x) + b[i]!) >>> 0;
        if (v < sig[i]!) sig[i] = v;
      }
    }
    return sig;
  }
}

/** The share of equal positions: the MinHash estimate of Jaccard similarity. */
export function similarity(a: Uint32Array, b: Uint32Array): number {
  if (a.length !== b.length) throw new Error(`similarity: signatures of ${a.length} and ${b.length} permutations`);
  let equal = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) equal++;
  return equal / a.length;
}
