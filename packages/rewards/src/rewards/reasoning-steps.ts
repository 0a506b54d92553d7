/**
 * Reasoning-steps reward (open-r1 `reasoning_steps_reward`): counts step markers and returns min(1, count / 3), so
 * three or more explicit steps earn full marks.
 *
 * Markers, as open-r1's pattern `Step \d+:|^\d+\.|\n-|\n\*|First,|Second,|Next,|Finally,`, matched left to right
 * without overlap: "Step 12:", a numbered item "3." at the start of a line, a line starting with "-" or "*", and
 * the words "First,", "Second,", "Next,", "Finally," (case-sensitive, with the comma). One deliberate difference:
 * open-r1 compiles the pattern without MULTILINE, so its `^\d+\.` only matches at the very start of the completion
 * and a numbered list counts at most once; here every line-start "N." counts, which is what the pattern means.
 * Implemented as a hand scanner (each digit run is read once), so it is linear on any input. It scores the whole
 * completion, as open-r1 does, and does not judge whether the steps are any good.
 */

import type { RewardFn } from '../types';
import { DEFAULT_MAX_CHARS, guardReward } from './guard';
import { checkInteger, resolveOptions } from './options';

export interface ReasoningStepsRewardOptions {
  /** Number of markers that earns the full score of 1. Default 3 (open-r1). */
  target: number;
  /** Completions longer than this many UTF-16 units are not scored (null). Default 1,000,000. */
  maxChars: number;
}

export const DEFAULT_REASONING_STEPS_REWARD_OPTIONS: Readonly<ReasoningStepsRewardOptions> = Object.freeze({
  target: 3,
  maxChars: DEFAULT_MAX_CHARS,
});

export function resolveReasoningStepsRewardOptions(
  partial?: Partial<ReasoningStepsRewardOptions>,
): ReasoningStepsRewardOptions {
  const o = resolveOptions('reasoningStepsReward', DEFAULT_REASONING_STEPS_REWARD_OPTIONS, partial);
  checkInteger('reasoningStepsReward', 'target', o.target, 1, 1_000_000);
  checkInteger('reasoningStepsReward', 'maxChars', o.maxChars, 1, Number.MAX_SAFE_INTEGER);
  return o;
}

const WORDS = ['First,', 'Second,', 'Next,', 'Finally,'];
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const NEWLINE = 10;

const isDigit = (c: number) => c >= DIGIT_0 && c <= DIGIT_9;

/** End of the digit run starting at `i` (i itself when there is none). */
function digitsEnd(text: string, i: number): number {
  let j = i;
  while (j < text.length && isDigit(text.charCodeAt(j))) j++;
  return j;
}

/** Counts step markers (see the module comment) in one left-to-right pass. */
export function countReasoningSteps(text: string): number {
  let count = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    let end = -1;
    if (c === 83 /* S */ && text.startsWith('Step ', i)) {
      const d = digitsEnd(text, i + 5);
      if (d > i + 5 && text.charCodeAt(d) === 58 /* : */) end = d + 1;
      else if (d > i + 5) i = d - 1; // the digits cannot start a marker of their own (not at a line start)
    } else if (c === NEWLINE) {
      const next = text.charCodeAt(i + 1);
      if (next === 45 /* - */ || next === 42 /* * */) end = i + 2;
    } else if (isDigit(c) && (i === 0 || text.charCodeAt(i - 1) === NEWLINE)) {
      const d = digitsEnd(text, i);
      if (text.charCodeAt(d) === 46 /* . */) end = d + 1;
      else i = d - 1;
    } else {
      for (const w of WORDS) {
        if (text.startsWith(w, i)) {
          end = i + w.length;
          break;
        }
      }
    }
    if (end === -1) i++;
    else {
      count++;
      i = end;
    }
  }
  return count;
}

/** Makes a reasoning-steps reward. Range: [0, 1]. */
export function createReasoningStepsReward(options?: Partial<ReasoningStepsRewardOptions>): RewardFn {
  const { target, maxChars } = resolveReasoningStepsRewardOptions(options);
  return guardReward((completion) => Math.min(1, countReasoningSteps(completion) / target), maxChars);
}

/** min(1, markers / 3), as open-r1. */
export const reasoningStepsReward: RewardFn = createReasoningStepsReward();
