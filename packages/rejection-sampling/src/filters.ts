/**
 * The trace filters of rejection sampling, each a pure function, and the reason codes they count under.
 *
 * DeepSeek-R1 (§2.3.3) keeps only correct traces and drops chains of thought with mixed languages, long paragraphs
 * and code blocks. A trace failing several filters is counted under the first reason in {@link REASONS}' order, so
 * the counts add up to the traces removed. Problem-level decisions (decontamination, duplicates, selection) live in
 * decontaminate.ts, dedup.ts and select.ts; this module looks at one trace at a time.
 *
 * Everything here is linear in the trace length and never throws on any string.
 */
import { createLanguageConsistencyReward } from '@r1/rewards';
import type { FinishReason } from '@r1/sampler';
import { type CompletionFormat, type CompletionProblemCode, parseCompletion } from '@r1/templates';
import type { TargetLanguage } from './options';

/** Why a trace was removed, in the order reasons are checked. */
export const REASONS = [
  'contaminated',
  'truncated',
  'format',
  'incorrect',
  'unscorable',
  'mixed_language',
  'long_paragraph',
  'code_block',
  'too_long',
  'duplicate',
  'selection',
] as const;
export type Reason = (typeof REASONS)[number];

/** A zero count for every reason, in order. */
export function emptyReasonCounts(): Record<Reason, number> {
  return Object.fromEntries(REASONS.map((r) => [r, 0])) as Record<Reason, number>;
}

/** `truncated`: the engine stopped at the token limit, so the trace is cut (finish_reason "length"). */
export function isTruncated(finishReason: FinishReason | null): boolean {
  return finishReason === 'length';
}

/** Structural problems that make a trace unfit to train on (text before or after the blocks is tolerated). */
const FATAL_FORMAT: ReadonlySet<CompletionProblemCode> = new Set<CompletionProblemCode>([
  'missing-block',
  'missing-open',
  'unclosed-block',
  'stray-close',
  'nested-open',
  'repeated-block',
  'wrong-order',
  'empty-block',
]);

export interface FormatCheck {
  /** The first fatal problem, as a sentence, or null when the trace is well formed enough. */
  problem: string | null;
  reasoning: string | null;
  answer: string | null;
}

/**
 * `format`: reasoning markers (`<think>`/`</think>`, or the readable format's) missing or repeated, tags nested or
 * out of order, and empty reasoning or an empty answer/summary. Text before or after the blocks is allowed.
 */
export function checkFormat(completion: string, format: CompletionFormat): FormatCheck {
  const parsed = parseCompletion(completion, format);
  const fatal = parsed.problems.find((p) => FATAL_FORMAT.has(p.code));
  let problem = fatal === undefined ? null : fatal.message;
  if (problem === null && (parsed.reasoning === null || parsed.reasoning.trim() === '')) problem = 'empty reasoning';
  if (problem === null && (parsed.answer === null || parsed.answer.trim() === '')) {
    problem = format === 'r1-zero' ? 'empty answer' : 'empty summary';
  }
  return { problem, reasoning: parsed.reasoning, answer: parsed.answer };
}

const shareScorers = new Map<TargetLanguage, (text: string) => number | null>();

/**
 * The share of target-language words in `reasoning`, words classified exactly as by `languageConsistencyReward`
 * (by script; math and code spans, digits and single letters neutral). 1 for a text with no words; null for a text
 * too long to score (over 1,000,000 characters), which the `mixed_language` filter treats as failing.
 */
export function languageShare(reasoning: string, target: TargetLanguage): number | null {
  let score = shareScorers.get(target);
  if (score === undefined) {
    const reward = createLanguageConsistencyReward({ target, format: null });
    score = (text) => reward(text, { prompt: '' });
    shareScorers.set(target, score);
  }
  return score(reasoning);
}

function isBlankLine(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 11 && c !== 12 && c !== 0xa0 && c !== 0x3000 && c !== 0xfeff) {
      return false;
    }
  }
  return true;
}

/** Characters (code points) of `text` in [start, end). */
function codePoints(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++; // a low surrogate completes a pair already counted
  }
  return n;
}

/**
 * The length in characters of the longest paragraph: a maximal run of non-blank lines, measured from the start of
 * its first line to the end of its last (the newlines inside count). A blank line holds only whitespace. 0 for a
 * text with no paragraph.
 */
export function longestParagraph(text: string): number {
  let longest = 0;
  let paragraphStart = -1;
  let lineStart = 0;
  let lastNonBlankEnd = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    if (isBlankLine(text, lineStart, lineEnd)) {
      if (paragraphStart >= 0) longest = Math.max(longest, codePoints(text, paragraphStart, lastNonBlankEnd));
      paragraphStart = -1;
    } else {
      if (paragraphStart < 0) paragraphStart = lineStart;
      lastNonBlankEnd = lineEnd;
    }
    lineStart = lineEnd + 1;
  }
  if (paragraphStart >= 0) longest = Math.max(longest, codePoints(text, paragraphStart, lastNonBlankEnd));
  return longest;
}

/**
 * `code_block`: a fenced code block — a line that starts (after at most three spaces) with three or more backticks
 * or tildes, as CommonMark defines a fence. An unclosed fence still opens a block. Inline backticks are not one.
 */
export function hasCodeBlock(text: string): boolean {
  let lineStart = 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    let i = lineStart;
    while (i < lineEnd && i - lineStart < 3 && text.charCodeAt(i) === 32) i++;
    const c = text.charCodeAt(i);
    if (c === 96 /* ` */ || c === 126 /* ~ */) {
      let run = 0;
      while (text.charCodeAt(i + run) === c) run++;
      if (run >= 3) return true;
    }
    lineStart = lineEnd + 1;
  }
  return false;
}
