/**
 * Length reward of Kimi k1.5 (Kimi Team, 2025, §2.3.3 "Length Penalty"), group-relative: among the completions of
 * one prompt, with min_len / max_len the shortest and longest,
 *
 *   λ = 0.5 − (len − min_len) / (max_len − min_len)
 *   correct → λ,   wrong → min(0, λ)
 *
 * so the shortest correct answer earns +0.5, the longest −0.5, and wrong answers are never rewarded for being short.
 * When all lengths are equal every score is 0 (the formula is 0/0; open-r1's `len_reward` does the same).
 *
 * Correctness comes from an injected verifier, by default `accuracyReward` (answer vs `sample.answer`; pass
 * `verify` for other tasks, e.g. the Countdown reward); lengths from `lengthOf`, UTF-16 units by default as open-r1
 * (Kimi uses tokens: pass a token counter). A completion the verifier cannot decide (null, or it
 * threw) scores null, but its length still counts for the group's min and max. Range [−0.5, 0.5].
 */

import type { GroupRewardFn, Verifier } from '../types';
import { accuracyReward } from './accuracy';
import { measure, verdict } from './guard';
import { checkFunction, resolveOptions } from './options';

export interface LengthRewardOptions {
  /** Decides correctness. Default {@link accuracyReward} (Math-Verify-class check against `sample.answer`). */
  verify: Verifier;
  /** Length of a completion. Default: its length in UTF-16 units. */
  lengthOf: (completion: string) => number;
}

const charLength = (completion: string) => completion.length;

export const DEFAULT_LENGTH_REWARD_OPTIONS: Readonly<LengthRewardOptions> = Object.freeze({
  verify: accuracyReward,
  lengthOf: charLength,
});

export function resolveLengthRewardOptions(partial?: Partial<LengthRewardOptions>): LengthRewardOptions {
  const o = resolveOptions<LengthRewardOptions>('lengthReward', DEFAULT_LENGTH_REWARD_OPTIONS, partial);
  checkFunction('lengthReward', 'verify', o.verify, 'pass a correctness check such as accuracyReward');
  checkFunction('lengthReward', 'lengthOf', o.lengthOf, 'completion => length, e.g. a token counter');
  return o;
}

/**
 * Kimi 1.5 scores for one group. `lengths[i]` null means unknown (that completion scores null and does not count
 * for min/max); `correct[i]` null means undecided (scores null).
 */
export function kimiLengthScores(
  lengths: readonly (number | null)[],
  correct: readonly (boolean | null)[],
): (number | null)[] {
  if (lengths.length !== correct.length) {
    throw new Error(`kimiLengthScores: ${lengths.length} lengths but ${correct.length} correctness values`);
  }
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const n of lengths) {
    if (n === null) continue;
    if (n < min) min = n;
    if (n > max) max = n;
  }
  return lengths.map((n, i) => {
    const ok = correct[i];
    if (n === null || ok === null || ok === undefined) return null;
    if (max === min) return 0;
    const lambda = 0.5 - (n - min) / (max - min);
    return ok ? lambda : Math.min(0, lambda);
  });
}

/**
 * Makes the group length reward.
 *
 * @example
 * const reward = lengthReward(); // correctness from accuracyReward
 * reward(['<think>…</think><answer>4</answer>', …], sample) // one score per completion
 */
export function lengthReward(options?: Partial<LengthRewardOptions>): GroupRewardFn {
  const { verify, lengthOf } = resolveLengthRewardOptions(options);
  return (completions, sample) => {
    if (!Array.isArray(completions)) return [];
    const lengths = completions.map((c) => (typeof c === 'string' ? measure(lengthOf, c) : null));
    const correct = completions.map((c) => (typeof c === 'string' ? verdict(verify, c, sample) : null));
    return kimiLengthScores(lengths, correct);
  };
}
