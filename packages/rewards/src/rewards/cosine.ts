/**
 * Cosine length-scaled reward (Yeo et al. 2025, "Demystifying Long Chain-of-Thought Reasoning in LLMs"; defaults
 * of open-r1's `get_cosine_scaled_reward`). With progress p = min(len, maxLen) / maxLen and c = cos(p·π):
 *
 *   correct: minValueCorrect + ½·(maxValueCorrect − minValueCorrect)·(1 + c)   — 1.0 at length 0, 0.5 at maxLen
 *   wrong:   maxValueWrong  + ½·(minValueWrong − maxValueWrong)·(1 + c)        — −1.0 at length 0, −0.5 at maxLen
 *
 * Short correct answers earn most; short wrong answers lose most (the model should think longer when it is wrong).
 * One deliberate difference from open-r1: the length is clamped at maxLen. open-r1 does not clamp, so past maxLen
 * the cosine turns back up and a correct answer 2×maxLen long scores the full 1.0 again; Yeo et al. treat lengths
 * beyond the limit separately (their exceed-length penalty — combine with softOverlongPunishment for that).
 *
 * Correctness comes from an injected verifier, by default `accuracyReward`; an undecided verdict scores null. Length: UTF-16 units by default
 * (open-r1), or pass a token counter. Range [minValueWrong, maxValueCorrect] ([−1, 1] by default).
 */

import type { RewardFn, Verifier } from '../types';
import { accuracyReward } from './accuracy';
import { DEFAULT_MAX_CHARS, guardReward, measure, verdict } from './guard';
import { checkFunction, checkInteger, checkNumber, resolveOptions } from './options';

export interface CosineScaledRewardOptions {
  /** Decides correctness. Default {@link accuracyReward} (Math-Verify-class check against `sample.answer`). */
  verify: Verifier;
  /** Reward of a wrong answer of length 0 (the most negative). Default −1.0 (open-r1). */
  minValueWrong: number;
  /** Reward of a wrong answer at maxLen. Default −0.5. */
  maxValueWrong: number;
  /** Reward of a correct answer at maxLen. Default 0.5. */
  minValueCorrect: number;
  /** Reward of a correct answer of length 0 (the best). Default 1.0. */
  maxValueCorrect: number;
  /** Length at which the schedule ends. Default 1000 (open-r1, in characters). */
  maxLen: number;
  /** Length of a completion. Default: its length in UTF-16 units. */
  lengthOf: (completion: string) => number;
  /** Completions longer than this many UTF-16 units are not scored (null). Default 1,000,000. */
  maxChars: number;
}

export const DEFAULT_COSINE_SCALED_REWARD_OPTIONS: Readonly<CosineScaledRewardOptions> = Object.freeze({
  verify: accuracyReward,
  minValueWrong: -1.0,
  maxValueWrong: -0.5,
  minValueCorrect: 0.5,
  maxValueCorrect: 1.0,
  maxLen: 1000,
  lengthOf: (completion: string) => completion.length,
  maxChars: DEFAULT_MAX_CHARS,
});

export function resolveCosineScaledRewardOptions(
  partial?: Partial<CosineScaledRewardOptions>,
): CosineScaledRewardOptions {
  const name = 'cosineScaledReward';
  const o = resolveOptions<CosineScaledRewardOptions>(name, DEFAULT_COSINE_SCALED_REWARD_OPTIONS, partial);
  checkFunction(name, 'verify', o.verify, 'pass a correctness check such as accuracyReward');
  checkFunction(name, 'lengthOf', o.lengthOf, 'completion => length, e.g. a token counter');
  for (const key of ['minValueWrong', 'maxValueWrong', 'minValueCorrect', 'maxValueCorrect'] as const) {
    checkNumber(name, key, o[key], -1e9, 1e9);
  }
  if (o.minValueWrong > o.maxValueWrong || o.minValueCorrect > o.maxValueCorrect) {
    throw new Error(
      `${name}: need minValueWrong ≤ maxValueWrong and minValueCorrect ≤ maxValueCorrect ` +
        `(open-r1 defaults −1, −0.5, 0.5, 1); got ${o.minValueWrong}, ${o.maxValueWrong}, ${o.minValueCorrect}, ${o.maxValueCorrect}`,
    );
  }
  checkNumber(name, 'maxLen', o.maxLen, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER);
  checkInteger(name, 'maxChars', o.maxChars, 1, Number.MAX_SAFE_INTEGER);
  return o;
}

/** The cosine schedule for one completion (see the module comment). */
export function cosineScaled(
  length: number,
  correct: boolean,
  o: Pick<
    CosineScaledRewardOptions,
    'minValueWrong' | 'maxValueWrong' | 'minValueCorrect' | 'maxValueCorrect' | 'maxLen'
  >,
): number {
  const progress = Math.min(Math.max(length, 0), o.maxLen) / o.maxLen;
  const c = Math.cos(progress * Math.PI);
  // open-r1 swaps the wrong-answer bounds so that longer wrong answers are penalised less.
  const [from, to] = correct ? [o.minValueCorrect, o.maxValueCorrect] : [o.maxValueWrong, o.minValueWrong];
  const value = from + 0.5 * (to - from) * (1 + c);
  // Rounding in cos can step a hair outside the bounds; keep the documented range exact.
  const lo = correct ? o.minValueCorrect : o.minValueWrong;
  const hi = correct ? o.maxValueCorrect : o.maxValueWrong;
  return Math.min(hi, Math.max(lo, value));
}

/**
 * Makes the cosine-scaled reward.
 *
 * @example cosineScaledReward({ maxLen: 4096, lengthOf: countTokens }) // correctness from accuracyReward
 */
export function cosineScaledReward(options?: Partial<CosineScaledRewardOptions>): RewardFn {
  const o = resolveCosineScaledRewardOptions(options);
  return guardReward((completion, sample) => {
    const length = measure(o.lengthOf, completion);
    const correct = verdict(o.verify, completion, sample);
    if (length === null || correct === null) return null;
    return cosineScaled(length, correct, o);
  }, o.maxChars);
}
