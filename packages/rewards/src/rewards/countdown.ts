/**
 * Countdown reward (TinyZero, Pan et al. 2025, `countdown.compute_score`): the answer is an arithmetic equation
 * over the given numbers (`sample.meta.numbers`) that must equal `sample.meta.target`.
 *
 * Score: 1 when the equation in the (last) answer block uses only given numbers, each at most as often as it is
 * given — and, with `useAllNumbers` (default true, as TinyZero), every given number exactly once — and its exact
 * value equals the target (an optional "= N" suffix must then equal it too). A well-formed equation that breaks any
 * of this earns `formatScore` — 0 by default; TinyZero's 0.1 as an option. 0 when there is no answer, it is not an
 * equation (syntax error, too long, too deep), or it divides by zero. null when the sample has no valid
 * `meta.numbers` / `meta.target` (the task is broken, not the completion).
 *
 * Evaluated by the recursive-descent parser of countdown-equation.ts with exact rational arithmetic, never `eval`,
 * so 6 / 4 * 2 = 3 exactly and no float tolerance is needed. Range {0, formatScore, 1}.
 */

import { type CompletionFormat, parseCompletion } from '@r1/templates';
import type { RewardFn, Sample } from '../types';
import { evaluateEquation } from './countdown-equation';
import { equals, type Fraction, fromNumber, show } from './exact-rational';
import { DEFAULT_MAX_CHARS, guardReward } from './guard';
import { checkInteger, checkNumber, resolveOptions } from './options';

export interface CountdownRewardOptions {
  /** Every given number must be used exactly once (TinyZero). false: each at most once. Default true. */
  useAllNumbers: boolean;
  /** Score of a well-formed equation that is wrong (wrong value or numbers). TinyZero uses 0.1. Default 0. */
  formatScore: number;
  /** Where the answer is. Default 'r1-zero' (the `<answer>` block, as TinyZero's prompt). */
  format: CompletionFormat;
  /** Longest accepted equation in UTF-16 units. Default 500. */
  maxEquationChars: number;
  /** Completions longer than this many UTF-16 units are not scored (null). Default 1,000,000. */
  maxChars: number;
}

export const DEFAULT_COUNTDOWN_REWARD_OPTIONS: Readonly<CountdownRewardOptions> = Object.freeze({
  useAllNumbers: true,
  formatScore: 0,
  format: 'r1-zero',
  maxEquationChars: 500,
  maxChars: DEFAULT_MAX_CHARS,
});

export function resolveCountdownRewardOptions(partial?: Partial<CountdownRewardOptions>): CountdownRewardOptions {
  const name = 'countdownReward';
  const o = resolveOptions(name, DEFAULT_COUNTDOWN_REWARD_OPTIONS, partial);
  if (typeof o.useAllNumbers !== 'boolean') throw new Error(`${name}: option 'useAllNumbers' must be true or false`);
  checkNumber(name, 'formatScore', o.formatScore, 0, 1);
  parseCompletion('', o.format);
  checkInteger(name, 'maxEquationChars', o.maxEquationChars, 1, 100_000);
  checkInteger(name, 'maxChars', o.maxChars, 1, Number.MAX_SAFE_INTEGER);
  return o;
}

/** Why a Countdown answer scored what it did. */
export type CountdownVerdict =
  | 'correct'
  | 'no-answer'
  | 'syntax-error'
  | 'division-by-zero'
  | 'number-not-given'
  | 'number-unused'
  | 'wrong-value';

/** The task data of a Countdown sample, or null when it is missing or malformed. */
export function countdownTask(sample: Sample): { numbers: Fraction[]; target: Fraction } | null {
  const meta = sample?.meta;
  const numbers = meta?.numbers;
  const target = meta?.target;
  if (!Array.isArray(numbers) || typeof target !== 'number') return null;
  const exact = numbers.map((n) => (typeof n === 'number' ? fromNumber(n) : null));
  const t = fromNumber(target);
  if (t === null || exact.some((n) => n === null)) return null;
  return { numbers: exact as Fraction[], target: t };
}

/** Checks an equation against the task; the reason, not the score. */
export function judgeCountdown(
  equation: string | null,
  task: { numbers: readonly Fraction[]; target: Fraction },
  options: Pick<CountdownRewardOptions, 'useAllNumbers' | 'maxEquationChars'>,
): CountdownVerdict {
  if (equation === null || equation.trim() === '') return 'no-answer';
  const result = evaluateEquation(equation, { maxChars: options.maxEquationChars, maxDepth: 64 });
  if (result.kind === 'syntax-error') return 'syntax-error';
  if (result.value === null) return 'division-by-zero';
  // Multiset check: each literal consumes one matching given number.
  const remaining = new Map<string, number>();
  for (const n of task.numbers) remaining.set(show(n), (remaining.get(show(n)) ?? 0) + 1);
  for (const n of result.numbers) {
    const left = remaining.get(show(n)) ?? 0;
    if (left === 0) return 'number-not-given';
    remaining.set(show(n), left - 1);
  }
  if (options.useAllNumbers && [...remaining.values()].some((left) => left > 0)) return 'number-unused';
  if (!equals(result.value, task.target)) return 'wrong-value';
  if (result.rhs !== null && !equals(result.rhs, task.target)) return 'wrong-value';
  return 'correct';
}

/** Maps a verdict to a score (exhaustive over verdicts). */
export function countdownScore(verdict: CountdownVerdict, formatScore: number): number {
  switch (verdict) {
    case 'correct':
      return 1;
    case 'number-not-given':
    case 'number-unused':
    case 'wrong-value':
      return formatScore;
    case 'no-answer':
    case 'syntax-error':
    case 'division-by-zero':
      return 0;
    default: {
      const unreachable: never = verdict;
      throw new Error(`unknown countdown verdict ${String(unreachable)}`);
    }
  }
}

/**
 * Makes a Countdown reward.
 *
 * @example createCountdownReward({ formatScore: 0.1 })('<think>…</think><answer>(25 - 5) * 4</answer>',
 *   { prompt, meta: { numbers: [25, 5, 4], target: 80 } }) // 1
 */
export function createCountdownReward(options?: Partial<CountdownRewardOptions>): RewardFn {
  const o = resolveCountdownRewardOptions(options);
  return guardReward((completion, sample) => {
    const task = countdownTask(sample);
    if (task === null) return null;
    const { answer } = parseCompletion(completion, o.format);
    return countdownScore(judgeCountdown(answer, task, o), o.formatScore);
  }, o.maxChars);
}

/** TinyZero's rule (all numbers exactly once), no partial credit. */
export const countdownReward: RewardFn = createCountdownReward();
