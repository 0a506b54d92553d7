/**
 * N-gram repetition penalty (open-r1 `get_repetition_penalty_reward`, after Yeo et al. 2025): with the completion
 * lower-cased and split on whitespace into words, and its word n-grams counted,
 *
 *   penalty = −maxPenalty · (1 − unique n-grams / total n-grams)
 *
 * 0 for text with no repeated n-gram, approaching −maxPenalty as the text becomes one phrase on a loop. Completions
 * with fewer than n words (including the empty one) score 0, as open-r1. `maxPenalty` is the magnitude (open-r1
 * writes it as a negative `max_penalty = -1.0`; here it is 1). Text without spaces (Chinese) has few "words", so
 * this penalty says little about it. Linear time and memory in the text length. Range [−maxPenalty, 0].
 */

import type { RewardFn } from '../types';
import { DEFAULT_MAX_CHARS, guardReward } from './guard';
import { checkInteger, checkNumber, resolveOptions } from './options';

export interface RepetitionPenaltyOptions {
  /** Words per n-gram, 1–16 (work grows with it). Default 3 (open-r1's repetition_n_grams). */
  ngramSize: number;
  /** Magnitude of the largest penalty (positive; the reward is its negation). Default 1. */
  maxPenalty: number;
  /** Completions longer than this many UTF-16 units are not scored (null). Default 1,000,000. */
  maxChars: number;
}

export const DEFAULT_REPETITION_PENALTY_OPTIONS: Readonly<RepetitionPenaltyOptions> = Object.freeze({
  ngramSize: 3,
  maxPenalty: 1,
  maxChars: DEFAULT_MAX_CHARS,
});

export function resolveRepetitionPenaltyOptions(partial?: Partial<RepetitionPenaltyOptions>): RepetitionPenaltyOptions {
  const name = 'repetitionPenalty';
  const o = resolveOptions(name, DEFAULT_REPETITION_PENALTY_OPTIONS, partial);
  if (typeof o.maxPenalty === 'number' && o.maxPenalty < 0) {
    throw new Error(
      `${name}: option 'maxPenalty' is the magnitude and must be ≥ 0 (open-r1's max_penalty=-1.0 is maxPenalty: 1)`,
    );
  }
  checkNumber(name, 'maxPenalty', o.maxPenalty, 0, 1e9);
  checkInteger(name, 'ngramSize', o.ngramSize, 1, 16);
  checkInteger(name, 'maxChars', o.maxChars, 1, Number.MAX_SAFE_INTEGER);
  return o;
}

/** Lower-cased whitespace-separated words (Python's `text.lower().split()`). */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w.length > 0);
}

/** 1 − unique/total over the word n-grams of `text`; 0 when there are fewer than n words. */
export function repetitionRatio(text: string, n: number): number {
  const ws = words(text);
  const total = ws.length - n + 1;
  if (total <= 0) return 0;
  const seen = new Set<string>();
  for (let i = 0; i < total; i++) seen.add(ws.slice(i, i + n).join('\u0000'));
  return 1 - seen.size / total;
}

/** Makes the repetition penalty. Range [−maxPenalty, 0]. */
export function createRepetitionPenalty(options?: Partial<RepetitionPenaltyOptions>): RewardFn {
  const { ngramSize, maxPenalty, maxChars } = resolveRepetitionPenaltyOptions(options);
  // `0 * −x` is −0; report a clean 0 for text without repeats.
  return guardReward((completion) => {
    const penalty = -maxPenalty * repetitionRatio(completion, ngramSize);
    return penalty === 0 ? 0 : penalty;
  }, maxChars);
}

/** open-r1 defaults: 3-grams, penalty up to −1. */
export const repetitionPenalty: RewardFn = createRepetitionPenalty();
