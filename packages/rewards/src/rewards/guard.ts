/**
 * The never-throw, never-hang wrapper every built-in reward goes through.
 *
 * Each reward's own work is linear in its input; the guard adds the outer bound (completions longer than `maxChars`
 * are not scored) and turns anything unexpected — a non-string completion, an exception from an injected function —
 * into `null` ("cannot be scored"), which the trainer turns into zero advantage. It does not time anything: a
 * timeout cannot interrupt synchronous work, so the bound has to be on the input.
 */

import type { RewardFn, Sample, Verifier } from '../types';

/**
 * Default input bound: one million UTF-16 units (≈ 250k tokens), far above any completion a trainer samples, small
 * enough that every linear-time reward finishes in milliseconds.
 */
export const DEFAULT_MAX_CHARS = 1_000_000;

/** Wraps `score` so it returns null instead of throwing, and for non-strings or texts over `maxChars`. */
export function guardReward(score: (completion: string, sample: Sample) => number | null, maxChars: number): RewardFn {
  return (completion, sample) => {
    if (typeof completion !== 'string' || completion.length > maxChars) return null;
    try {
      const value = score(completion, sample);
      return value === null || Number.isFinite(value) ? value : null;
    } catch {
      return null;
    }
  };
}

/**
 * Runs an injected verifier and reads its verdict: true/false, or null when it cannot decide (it returned null,
 * something else than a boolean or finite number, or threw). A number counts as correct when ≥ 0.5.
 */
export function verdict(verify: Verifier, completion: string, sample: Sample): boolean | null {
  let v: unknown;
  try {
    v = verify(completion, sample);
  } catch {
    return null;
  }
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return v >= 0.5;
  return null;
}

/** Reads a length through a user function; null when it throws or returns something that is not a length. */
export function measure(lengthOf: (completion: string) => number, completion: string): number | null {
  try {
    const n = lengthOf(completion);
    return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : null;
  } catch {
    return null;
  }
}
