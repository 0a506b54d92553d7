/**
 * The one seeded pseudo-random generator of this package: xoshiro128** (Blackman & Vigna), seeded through SplitMix32.
 * Every generator in @r1/tasks draws from an `Rng` made here from an explicit seed, so the same seed always gives the
 * same problems on every platform (only 32-bit integer arithmetic via Math.imul and >>> is used).
 *
 * Deliberately not here: cryptographic randomness, and any global or implicit state (no Math.random, no default seed).
 */

/** A seeded source of randomness. All methods advance the same internal state. */
export interface Rng {
  /** A uniform unsigned 32-bit integer. */
  nextU32(): number;
  /** A uniform float in [0, 1) with 32 bits of randomness. */
  float(): number;
  /** A uniform integer in [min, max], both inclusive. Needs integers with max - min < 2^32. */
  int(min: number, max: number): number;
  /** True with probability `p` (clamped to [0, 1]). */
  bool(p: number): boolean;
  /** A uniform element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** A new array with the items in uniformly random order (Fisher–Yates); the input is not changed. */
  shuffled<T>(items: readonly T[]): T[];
}

const TWO_POW_32 = 4294967296;

/** SplitMix32 step: returns [output, nextState]. Used only to expand a seed into xoshiro's 128-bit state. */
function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [(z ^ (z >>> 16)) >>> 0, next];
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * Creates a generator from a seed. Any safe integer is a valid seed (negative ones too); both 32-bit halves of it
 * feed the state, so seeds 1 and 2^32 + 1 differ.
 *
 * @example
 * const rng = createRng(42);
 * rng.int(1, 6); // the same die roll on every run
 */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) {
    throw new TypeError(`seed must be a safe integer (got ${String(seed)}); pass e.g. { seed: 0 }`);
  }
  const lo = seed >>> 0;
  const hi = Math.floor(seed / TWO_POW_32) >>> 0;
  let sm = lo ^ Math.imul(hi ^ 0x5bd1e995, 0x27d4eb2d);
  const state: number[] = [];
  for (let i = 0; i < 4; i++) {
    const [out, next] = splitmix32(sm);
    state.push(out);
    sm = next;
  }
  // xoshiro's only bad state is all zeros; SplitMix32 outputs make that practically impossible, but guard anyway.
  if (!state.some((word) => word !== 0)) state[0] = 1;
  return rngFromState(state as [number, number, number, number]);
}

/**
 * A generator started from an explicit xoshiro128** state (four 32-bit words, not all zero). Exposed so tests can
 * compare against the reference implementation's published outputs; use `createRng(seed)` everywhere else.
 */
export function rngFromState(initial: readonly [number, number, number, number]): Rng {
  const s = Uint32Array.from(initial);
  if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) throw new RangeError('xoshiro128** state must not be all zeros');

  const nextU32 = (): number => {
    const s0 = s[0]!;
    const s1 = s[1]!;
    const s2 = s[2]!;
    const s3 = s[3]!;
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    const n2 = (s2 ^ s0) >>> 0;
    const n3 = (s3 ^ s1) >>> 0;
    s[1] = s1 ^ n2;
    s[0] = s0 ^ n3;
    s[2] = n2 ^ t;
    s[3] = rotl(n3, 11);
    return result;
  };

  const int = (min: number, max: number): number => {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min > max) {
      throw new RangeError(`rng.int needs integers min <= max (got ${min}, ${max})`);
    }
    const span = max - min + 1;
    if (span > TWO_POW_32) throw new RangeError(`rng.int range too wide (${span} values; at most 2^32)`);
    if (span === TWO_POW_32) return min + nextU32();
    // Rejection sampling keeps the result exactly uniform: drop the top partial block of the 2^32 outputs.
    const limit = TWO_POW_32 - (TWO_POW_32 % span);
    let x = nextU32();
    while (x >= limit) x = nextU32();
    return min + (x % span);
  };

  return {
    nextU32,
    float: () => nextU32() / TWO_POW_32,
    int,
    bool: (p) => nextU32() / TWO_POW_32 < p,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('rng.pick needs a non-empty array');
      return items[int(0, items.length - 1)]!;
    },
    shuffled: <T>(items: readonly T[]): T[] => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(0, i);
        const tmp = out[i]!;
        out[i] = out[j]!;
        out[j] = tmp;
      }
      return out;
    },
  };
}
