/**
 * Format reward: 1 when the completion has the structure of its template, else 0.
 *
 * 'r1-zero' follows Table 1 of the DeepSeek-R1 paper: exactly one `<think>` block, then exactly one `<answer>`
 * block, with only whitespace around and between them and nothing after the answer. 'r1' and 'think' check the
 * readable / R1-Distill formats (reasoning, closing token, non-empty summary). The structure comes from
 * `parseCompletion` (@r1/templates), a linear hand scanner, so this reward cannot be made to hang.
 *
 * It closes the known hacks: several think/answer blocks (repeated-block), tags nested or left open, text after the
 * answer, and `<think></think>x` — an empty reasoning block earns `emptyReasoningScore`, 0 by default, because
 * paying for the structure without the reasoning teaches the model to skip reasoning. An empty answer earns 0.
 * It does not look at what is inside the blocks: the score is the same for any text there (tested).
 */

import { type CompletionFormat, type ParseCompletionOptions, parseCompletion, type R1Tokens } from '@r1/templates';
import type { RewardFn } from '../types';
import { DEFAULT_MAX_CHARS, guardReward } from './guard';
import { checkInteger, checkNumber, resolveOptions } from './options';

export interface FormatRewardOptions {
  /** Which structure to require. Default 'r1-zero' (DeepSeek-R1 Table 1). */
  format: CompletionFormat;
  /** Reasoning tokens for 'r1' and 'think'; null means `<think>` / `</think>`. Default null. */
  tokens: Partial<R1Tokens> | null;
  /** Score of a completion whose only problem is an empty (or whitespace-only) reasoning block. Default 0. */
  emptyReasoningScore: number;
  /**
   * 'r1' and 'think': also require the summary to be readable — a word of two or more letters outside markup and
   * LaTeX commands, at most 300 characters — as `isReadable` (@r1/templates) does, so that a bare number or R1-Zero's `<answer>` markup
   * after the reasoning earns 0 (R1 §2.3.1: "a summary at the end of each response"). Default false.
   */
  readableSummary: boolean;
  /** Completions longer than this many UTF-16 units are not scored (null). Default 1,000,000. */
  maxChars: number;
}

export const DEFAULT_FORMAT_REWARD_OPTIONS: Readonly<FormatRewardOptions> = Object.freeze({
  format: 'r1-zero',
  tokens: null,
  emptyReasoningScore: 0,
  readableSummary: false,
  maxChars: DEFAULT_MAX_CHARS,
});

export function resolveFormatRewardOptions(partial?: Partial<FormatRewardOptions>): FormatRewardOptions {
  const o = resolveOptions('formatReward', DEFAULT_FORMAT_REWARD_OPTIONS, partial);
  checkNumber('formatReward', 'emptyReasoningScore', o.emptyReasoningScore, 0, 1);
  checkInteger('formatReward', 'maxChars', o.maxChars, 1, Number.MAX_SAFE_INTEGER);
  // Fails here, at setup, on a bad format or tokens, rather than on every call.
  parseCompletion('', o.format, parseOptions(o));
  if (typeof o.readableSummary !== 'boolean') {
    throw new Error(
      `formatReward: option 'readableSummary' must be true or false, got ${JSON.stringify(o.readableSummary)}`,
    );
  }
  if (o.readableSummary && o.format === 'r1-zero') {
    throw new Error("formatReward: 'readableSummary' applies to the 'r1' and 'think' formats, which end in a summary");
  }
  return o;
}

/**
 * Makes a format reward with the given options. Range: {0, emptyReasoningScore, 1}; null only for inputs over
 * `maxChars` or that are not strings.
 *
 * @example createFormatReward({ format: 'think' })('Add them.</think>4', sample) // 1
 */
export function createFormatReward(options?: Partial<FormatRewardOptions>): RewardFn {
  const o = resolveFormatRewardOptions(options);
  const parse = parseOptions(o);
  const reasoningBlock = o.format === 'r1-zero' ? 'think' : 'reasoning';
  return guardReward((completion) => {
    const { wellFormed, problems, summary } = parseCompletion(completion, o.format, parse);
    if (wellFormed) return !o.readableSummary || readable(summary) ? 1 : 0;
    const onlyEmptyReasoning =
      problems.length === 1 && problems[0]!.code === 'empty-block' && problems[0]!.block === reasoningBlock;
    return onlyEmptyReasoning ? o.emptyReasoningScore : 0;
  }, o.maxChars);
}

/** The R1-Zero format reward with default options: 1 for `<think> … </think> <answer> … </answer>`, else 0. */
export const formatReward: RewardFn = createFormatReward();

/**
 * A summary a reader can read: at most 300 characters with a run of two or more letters outside `<…>` markup and
 * LaTeX commands (a bare `\boxed{2}` states a result, it does not summarise).
 */
function readable(summary: string | null): boolean {
  if (summary === null || summary.length > 300) return false;
  return /\p{L}{2,}/u.test(summary.replace(/<[^<>]*>/g, ' ').replace(/\\[A-Za-z]+/g, ' '));
}

function parseOptions(o: FormatRewardOptions): ParseCompletionOptions {
  return o.tokens === null ? {} : { tokens: o.tokens };
}
