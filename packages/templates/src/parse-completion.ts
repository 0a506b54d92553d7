/**
 * Splits a sampled completion into reasoning and answer, and says exactly what is wrong with its structure.
 *
 * Three formats (a closed union):
 * - 'r1-zero': the R1-Zero template's `<think> … </think> <answer> … </answer>`. The prompt ends with "Assistant:",
 *   so the completion is expected to start with `<think>` (leading whitespace is fine).
 * - 'r1': the R1 readable format `START reasoning END summary` (tokens configurable, see r1-readable.ts).
 * - 'think': R1-Distill, where the chat template already opened `<think>\n`, so the completion starts inside the
 *   reasoning and `</think>` ends it; the summary (which holds the final answer) follows. A leading `<think>` is
 *   tolerated for setups that do not force it.
 *
 * Guarantee: linear time in the text length whatever the input (one tag scan, then one pass over the tag hits and
 * one over the gaps between blocks) — no regular expressions. Recovery rules for broken text, so callers still get
 * the best available reasoning and answer: an unclosed block runs to the next block's opening tag or the end; a
 * closing tag without an opening one starts its block where the previous block ended; of repeated blocks,
 * `reasoning` is the first think block and `answer` the last answer block (the model's final word, as TinyZero's
 * `extract_solution`). Each recovery is reported as a problem and makes `wellFormed` false.
 *
 * It does not judge the content (that is what rewards and the verifier do) and never throws on any string.
 */

import { type BlockNames, type CompletionProblem, ProblemList } from './completion-problems';
import { DEFAULT_R1_TOKENS, type R1Tokens, resolveR1Tokens } from './r1-readable';
import { firstNonBlank, isBlank, scanTags } from './tag-scanner';

export type CompletionFormat = 'r1-zero' | 'r1' | 'think';

export const COMPLETION_FORMATS: readonly CompletionFormat[] = ['r1-zero', 'r1', 'think'];

export interface ParseCompletionOptions {
  /** Trim whitespace around `reasoning`, `answer` and `summary`. Default true. */
  trim?: boolean;
  /** Reasoning tokens for 'r1' and 'think' (default `<think>` / `</think>`). Not allowed with 'r1-zero'. */
  tokens?: Partial<R1Tokens>;
}

export interface ParsedCompletion {
  /** The chain of thought, or null when there is none. */
  reasoning: string | null;
  /** Where the final answer is: the `<answer>` block ('r1-zero') or the summary ('r1', 'think'); null if absent. */
  answer: string | null;
  /** Text after the reasoning ('r1', 'think'); always null for 'r1-zero', which has no summary. */
  summary: string | null;
  /** True exactly when `problems` is empty. */
  wellFormed: boolean;
  problems: CompletionProblem[];
}

const OPTION_KEYS = ['trim', 'tokens'];

/**
 * Parses `text` in `format`.
 *
 * @example
 * parseCompletion('<think> 2+2 is 4 </think> <answer> 4 </answer>', 'r1-zero')
 * // { reasoning: '2+2 is 4', answer: '4', summary: null, wellFormed: true, problems: [] }
 */
export function parseCompletion(
  text: string,
  format: CompletionFormat,
  options: ParseCompletionOptions = {},
): ParsedCompletion {
  if (typeof text !== 'string') throw new TypeError(`parseCompletion: text must be a string, got ${typeof text}`);
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) {
      throw new Error(`parseCompletion: unknown option '${key}'; the options are ${OPTION_KEYS.join(', ')}`);
    }
  }
  const trim = options.trim ?? true;
  switch (format) {
    case 'r1-zero':
      if (options.tokens !== undefined) {
        throw new Error(
          "parseCompletion: 'tokens' applies to the 'r1' and 'think' formats; 'r1-zero' always uses <think> and <answer>",
        );
      }
      return parseR1Zero(text, trim);
    case 'r1':
      return parseReasoningThenSummary(text, tokensOf(options), false, trim);
    case 'think':
      return parseReasoningThenSummary(text, tokensOf(options), true, trim);
    default: {
      const unknown: never = format;
      throw new Error(
        `parseCompletion: unknown format '${String(unknown)}'; use one of ${COMPLETION_FORMATS.join(', ')}`,
      );
    }
  }
}

function tokensOf(options: ParseCompletionOptions): R1Tokens {
  return options.tokens === undefined ? DEFAULT_R1_TOKENS : resolveR1Tokens(options.tokens);
}

// ---------------------------------------------------------------------------------------------------- 'r1-zero'

const ZERO_TAGS = ['<think>', '</think>', '<answer>', '</answer>'];
const ZERO_NAMES: Record<'think' | 'answer', BlockNames> = {
  think: { open: '<think>', close: '</think>' },
  answer: { open: '<answer>', close: '</answer>' },
};

interface Block {
  kind: 'think' | 'answer';
  /** Where the opening tag starts (or the block's inferred start). */
  start: number;
  contentStart: number;
  contentEnd: number;
  /** Just past the closing tag (or where the unclosed block was cut). */
  end: number;
}

function parseR1Zero(text: string, trim: boolean): ParsedCompletion {
  const problems = new ProblemList((b) => (b === 'answer' ? ZERO_NAMES.answer : ZERO_NAMES.think));
  const blocks: Block[] = [];
  let open: Block | null = null;
  const seen = { think: false, answer: false };

  for (const hit of scanTags(text, ZERO_TAGS)) {
    const kind = hit.tag < 2 ? 'think' : 'answer';
    if (hit.tag % 2 === 0) {
      // An opening tag.
      if (open !== null) {
        if (open.kind === kind) {
          problems.add('nested-open', kind, hit.start);
          continue;
        }
        problems.add('unclosed-block', open.kind, open.start);
        open.contentEnd = hit.start;
        open.end = hit.start;
        blocks.push(open);
      }
      open = { kind, start: hit.start, contentStart: hit.end, contentEnd: -1, end: -1 };
      seen[kind] = true;
    } else if (open !== null && open.kind === kind) {
      open.contentEnd = hit.start;
      open.end = hit.end;
      blocks.push(open);
      open = null;
    } else if (open === null && !seen[kind]) {
      // `reasoning </think>`: the block starts where the previous one ended.
      const from = blocks.length === 0 ? 0 : blocks[blocks.length - 1]!.end;
      problems.add('missing-open', kind, hit.start);
      blocks.push({ kind, start: from, contentStart: from, contentEnd: hit.start, end: hit.end });
      seen[kind] = true;
    } else {
      problems.add('stray-close', kind, hit.start);
    }
  }
  if (open !== null) {
    problems.add('unclosed-block', open.kind, open.start);
    open.contentEnd = text.length;
    open.end = text.length;
    blocks.push(open);
  }

  const thinks = blocks.filter((b) => b.kind === 'think');
  const answers = blocks.filter((b) => b.kind === 'answer');
  for (const [kind, list] of [
    ['think', thinks],
    ['answer', answers],
  ] as const) {
    if (list.length === 0) problems.add('missing-block', kind, text.length);
    else if (list.length > 1) problems.add('repeated-block', kind, list[1]!.start, list.length - 1);
  }
  if (thinks.length > 0 && answers.length > 0 && answers[0]!.start < thinks[0]!.start) {
    problems.add('wrong-order', 'answer', answers[0]!.start);
  }
  checkGaps(text, blocks, problems);

  const reasoning = thinks.length === 0 ? null : slice(text, thinks[0]!, trim);
  const lastAnswer = answers[answers.length - 1];
  const answer = lastAnswer === undefined ? null : slice(text, lastAnswer, trim);
  if (thinks.length > 0 && isBlank(text, thinks[0]!.contentStart, thinks[0]!.contentEnd)) {
    problems.add('empty-block', 'think', thinks[0]!.contentStart);
  }
  if (lastAnswer !== undefined && isBlank(text, lastAnswer.contentStart, lastAnswer.contentEnd)) {
    problems.add('empty-block', 'answer', lastAnswer.contentStart);
  }
  return done(reasoning, answer, null, problems);
}

/** Only whitespace may surround and separate blocks. Blocks are disjoint and in order, so this is one pass. */
function checkGaps(text: string, blocks: readonly Block[], problems: ProblemList): void {
  if (blocks.length === 0) return;
  let from = 0;
  for (const [i, block] of blocks.entries()) {
    const at = firstNonBlank(text, from, block.start);
    if (at < block.start) problems.add(i === 0 ? 'text-before' : 'text-between', block.kind, at);
    from = block.end;
  }
  const at = firstNonBlank(text, from, text.length);
  if (at < text.length) problems.add('text-after', blocks[blocks.length - 1]!.kind, at);
}

function slice(text: string, block: Block, trim: boolean): string {
  const s = text.slice(block.contentStart, block.contentEnd);
  return trim ? s.trim() : s;
}

// ---------------------------------------------------------------------------------------------- 'r1' and 'think'

/**
 * `START reasoning END summary`. With `startOptional` ('think') the text begins inside the reasoning, and a START
 * preceded only by whitespace is accepted as a redundant opener. When START and END are the same token, a token
 * opens before the reasoning and closes inside it.
 */
function parseReasoningThenSummary(
  text: string,
  tokens: R1Tokens,
  startOptional: boolean,
  trim: boolean,
): ParsedCompletion {
  const { reasoningStart: start, reasoningEnd: end } = tokens;
  const reasoningNames: BlockNames = { open: start, close: end };
  const problems = new ProblemList(() => reasoningNames);
  const same = start === end;
  const hits = scanTags(text, same ? [start] : [start, end]);

  let state: 'before' | 'reasoning' | 'after' = startOptional ? 'reasoning' : 'before';
  let openedAt = 0;
  let reasoningFrom = 0;
  let reasoningTo = -1;
  let summaryFrom = -1;
  for (const [i, hit] of hits.entries()) {
    const leadingOpener = startOptional && i === 0 && isBlank(text, 0, hit.start);
    const isStart = same ? state !== 'reasoning' || leadingOpener : hit.tag === 0;
    switch (state) {
      case 'before':
        if (isStart) {
          const at = firstNonBlank(text, 0, hit.start);
          if (at < hit.start) problems.add('text-before', 'reasoning', at);
          openedAt = hit.start;
          reasoningFrom = hit.end;
          state = 'reasoning';
        } else {
          problems.add('missing-open', 'reasoning', hit.start);
          reasoningTo = hit.start;
          summaryFrom = hit.end;
          state = 'after';
        }
        break;
      case 'reasoning':
        if (!isStart) {
          reasoningTo = hit.start;
          summaryFrom = hit.end;
          state = 'after';
        } else if (leadingOpener) {
          openedAt = hit.start;
          reasoningFrom = hit.end;
        } else {
          problems.add('nested-open', 'reasoning', hit.start);
        }
        break;
      case 'after':
        problems.add(isStart ? 'repeated-block' : 'stray-close', 'reasoning', hit.start);
        break;
      default: {
        const unreachable: never = state;
        throw new Error(`unreachable state ${String(unreachable)}`);
      }
    }
  }

  let reasoning: string | null = null;
  let summary: string | null = null;
  switch (state) {
    case 'before':
      problems.add('missing-block', 'reasoning', text.length);
      break;
    case 'reasoning':
      problems.add('unclosed-block', 'reasoning', openedAt);
      reasoning = text.slice(reasoningFrom);
      if (isBlank(text, reasoningFrom, text.length)) problems.add('empty-block', 'reasoning', reasoningFrom);
      break;
    case 'after':
      reasoning = text.slice(reasoningFrom, reasoningTo);
      summary = text.slice(summaryFrom);
      if (isBlank(text, reasoningFrom, reasoningTo)) problems.add('empty-block', 'reasoning', reasoningFrom);
      if (isBlank(text, summaryFrom, text.length)) problems.add('empty-block', 'summary', summaryFrom);
      break;
    default: {
      const unreachable: never = state;
      throw new Error(`unreachable state ${String(unreachable)}`);
    }
  }
  if (trim) {
    reasoning = reasoning?.trim() ?? null;
    summary = summary?.trim() ?? null;
  }
  return done(reasoning, summary, summary, problems);
}

function done(
  reasoning: string | null,
  answer: string | null,
  summary: string | null,
  problems: ProblemList,
): ParsedCompletion {
  const list = problems.list();
  return { reasoning, answer, summary, wellFormed: list.length === 0, problems: list };
}
