/**
 * The closed set of things that can be wrong with the structure of a completion, and their messages.
 *
 * Problems are aggregated: one entry per (code, block) with how many times it happened and where it first did, so a
 * hostile completion with 100,000 stray tags yields a handful of problems, not 100,000. This module only names and
 * words problems; finding them is parse-completion.ts's job.
 */

/** What went wrong. */
export type CompletionProblemCode =
  /** A required block is absent (no `<think>`, no `<answer>`, no reasoning tokens). */
  | 'missing-block'
  /** A closing tag appears with no opening tag before it; the block is taken to start where the previous one ended. */
  | 'missing-open'
  /** An opening tag is never closed; the block runs to the next block's opening tag or to the end of the text. */
  | 'unclosed-block'
  /** A closing tag that closes nothing (its block is not open, and was already seen). */
  | 'stray-close'
  /** An opening tag inside an open block of the same kind (`<think> a <think> b </think>`). */
  | 'nested-open'
  /** The block appears more than once; `count` says how many extra times. */
  | 'repeated-block'
  /** The answer block comes before the think block. */
  | 'wrong-order'
  /** Non-whitespace text before the first block. */
  | 'text-before'
  /** Non-whitespace text between two blocks. */
  | 'text-between'
  /** Non-whitespace text after the last block (the answer must end the completion). */
  | 'text-after'
  /** A block whose content is empty or only whitespace. */
  | 'empty-block';

/** Which part of the completion a problem is about. `think`/`answer` for 'r1-zero', `reasoning`/`summary` otherwise. */
export type CompletionBlock = 'think' | 'answer' | 'reasoning' | 'summary';

export interface CompletionProblem {
  code: CompletionProblemCode;
  block: CompletionBlock;
  /** How many times this (code, block) happened (for `repeated-block`: extra occurrences). */
  count: number;
  /** UTF-16 offset in the completion of the first occurrence. */
  at: number;
  /** One sentence for a human: what is wrong, naming the tags. */
  message: string;
}

/** How each block is written in the format at hand, for messages. */
export interface BlockNames {
  open: string;
  close: string;
}

/** Words one problem. Exhaustive over the codes: adding a code without a message is a type error. */
export function problemMessage(
  code: CompletionProblemCode,
  block: CompletionBlock,
  names: BlockNames,
  count: number,
): string {
  const { open, close } = names;
  const what = block === 'summary' ? `the summary after '${close}'` : `the ${open} … ${close} block`;
  switch (code) {
    case 'missing-block':
      return block === 'summary' ? `${what} is missing` : `no ${open} … ${close} block was found`;
    case 'missing-open':
      return `'${close}' appears without an opening '${open}' before it`;
    case 'unclosed-block':
      return `'${open}' is opened but never closed with '${close}'`;
    case 'stray-close':
      return `'${close}' closes nothing (${count} time${count === 1 ? '' : 's'})`;
    case 'nested-open':
      return `'${open}' appears inside a block it already opened (nested tags, ${count} time${count === 1 ? '' : 's'})`;
    case 'repeated-block':
      return `${what} appears ${count + 1} times; exactly one is expected`;
    case 'wrong-order':
      return `${what} comes before the block that should precede it`;
    case 'text-before':
      return `there is text before ${what}; only whitespace may precede it`;
    case 'text-between':
      return `there is text before ${what}, after the previous block; only whitespace may separate blocks`;
    case 'text-after':
      return `there is text after ${what}; only whitespace may follow it`;
    case 'empty-block':
      return `${what} is empty`;
    default: {
      const unreachable: never = code;
      throw new Error(`unknown completion problem code ${String(unreachable)}`);
    }
  }
}

/** Collects problems, one per (code, block), counting repeats. */
export class ProblemList {
  // At most one entry per (code, block): a few dozen at worst, so a linear search beats building string keys.
  private readonly found: CompletionProblem[] = [];

  constructor(private readonly names: (block: CompletionBlock) => BlockNames) {}

  add(code: CompletionProblemCode, block: CompletionBlock, at: number, count = 1): void {
    for (const p of this.found) {
      if (p.code === code && p.block === block) {
        p.count += count;
        return;
      }
    }
    this.found.push({ code, block, count, at, message: '' });
  }

  /** The problems in the order they were first found, with their messages. */
  list(): CompletionProblem[] {
    return this.found.map((p) => ({ ...p, message: problemMessage(p.code, p.block, this.names(p.block), p.count) }));
  }
}
