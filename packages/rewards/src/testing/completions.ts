/**
 * Completions as a policy writes them: well-formed ones with a known answer (R1-Zero and the readable layouts),
 * malformed ones with a named defect, free text, and soups of the pieces rewards look for (tags, step markers, math
 * delimiters, CJK text). Built on the layouts of layout.ts and the cases of math-answers.ts.
 */

import fc from 'fast-check';
import type { Sample } from '../types';
import { type CompletionLayout, spacing, writeCompletion } from './layout';
import { type LawCase, mathCases } from './math-answers';

const PIECES = [
  '<think>',
  '</think>',
  '<answer>',
  '</answer>',
  '<think>\n',
  '\n</think>\n',
  '\n<answer>\n',
  '\n</answer>',
  'Step 1:',
  'First,',
  '\n- ',
  '\n2. ',
  '$x$',
  '$$',
  '`',
  '\\frac{1}{2}',
  '\\boxed{',
  '}',
  '我们',
  '思考',
  'the answer',
  ' ',
  '\n',
  '(1 + 2) * 3',
  '<',
  '>',
];

/** Completions made of reward-relevant pieces and arbitrary text: mostly broken, sometimes accidentally valid. */
export const anyCompletion: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 4 })),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

/** Text that contains none of the R1-Zero tags (it may contain `<`, `>` and tag-like fragments). */
export const tagFreeText: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('<', '>', '/', 'think', 'answer', '<thi', 'nk>', '\n')),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''))
  .filter((s) => !/<\/?(think|answer)>/.test(s));

/** A sample for rewards that do not look at it. */
export const EXAMPLE_SAMPLE: Sample = Object.freeze({ prompt: 'What is 2+2?', answer: '4' });

const SENTENCES = [
  'Let me work through this step by step.',
  'First, I write down what is given.',
  'Step 1: simplify the expression.',
  'Next, I combine the terms.',
  'Wait, let me double-check that.',
  'Finally, I compare with the question.',
  'So the result follows.',
];

/** Reasoning text: non-blank, tag-free English sentences. */
export const reasoningText: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...SENTENCES), { minLength: 1, maxLength: 5 })
  .map((s) => s.join(' '));

/**
 * Reasoning about a case that mentions both its right and its wrong answer, as real reasoning does ("could it be
 * 180? no, 18"): a reward that looks for the answer anywhere in the text, instead of in the answer, is caught.
 */
export function reasoningAbout(c: LawCase): fc.Arbitrary<string> {
  return fc
    .tuple(reasoningText, fc.boolean())
    .map(([text, order]) =>
      order
        ? `${text} Could it be $${c.wrong}$? No. It is $${c.correct}$.`
        : `${text} I get $${c.correct}$, or is it $${c.wrong}$?`,
    );
}

/** A well-formed completion of a case and whether its answer is the right one. */
export interface CompletionWithAnswer {
  completion: string;
  sample: Sample;
  /** The answer written in the completion. */
  answer: string;
  correct: boolean;
}

/**
 * Well-formed completions in `layout` (default 'r1-zero') with a known answer: right or wrong, any whitespace
 * around the tags. The format reward of that layout gives them 1; an accuracy reward gives 1 exactly when `correct`.
 */
export function wellFormedCompletion(
  layout: CompletionLayout = 'r1-zero',
  cases: fc.Arbitrary<LawCase> = mathCases,
): fc.Arbitrary<CompletionWithAnswer> {
  return cases.chain((c) =>
    fc.tuple(reasoningAbout(c), fc.boolean(), spacing).map(([reasoning, correct, s]) => {
      const answer = correct ? c.correct : c.wrong;
      return { completion: writeCompletion(layout, reasoning, [answer], s), sample: c.sample, answer, correct };
    }),
  );
}

/** What is wrong with a {@link malformedCompletion}. */
export type CompletionDefect =
  | 'missing-open-tag'
  | 'missing-close-tag'
  | 'doubled-answer'
  | 'doubled-reasoning'
  | 'nested-tags'
  | 'empty-reasoning'
  | 'empty-answer'
  | 'text-after-answer'
  | 'answer-first';

export const COMPLETION_DEFECTS: readonly CompletionDefect[] = [
  'missing-open-tag',
  'missing-close-tag',
  'doubled-answer',
  'doubled-reasoning',
  'nested-tags',
  'empty-reasoning',
  'empty-answer',
  'text-after-answer',
  'answer-first',
];

/** The defects that exist in the readable layouts ('r1', 'think'), where the answer is a summary, not a block. */
const READABLE_DEFECTS: readonly CompletionDefect[] = [
  'missing-close-tag',
  'doubled-reasoning',
  'empty-reasoning',
  'empty-answer',
];

function breakR1Zero(defect: CompletionDefect, r: string, a: string): string {
  switch (defect) {
    case 'missing-open-tag':
      return `${r}</think><answer>${a}</answer>`;
    case 'missing-close-tag':
      return `<think>${r}</think><answer>${a}`;
    case 'doubled-answer':
      return `<think>${r}</think><answer>${a}</answer><answer>${a}</answer>`;
    case 'doubled-reasoning':
      return `<think>${r}</think><think>${r}</think><answer>${a}</answer>`;
    case 'nested-tags':
      return `<think>${r}<think>${r}</think><answer>${a}</answer>`;
    case 'empty-reasoning':
      return `<think></think><answer>${a}</answer>`;
    case 'empty-answer':
      return `<think>${r}</think><answer> </answer>`;
    case 'text-after-answer':
      return `<think>${r}</think><answer>${a}</answer> Hope this helps.`;
    case 'answer-first':
      return `<answer>${a}</answer><think>${r}</think>`;
    default: {
      const never: never = defect;
      return never;
    }
  }
}

function breakReadable(layout: 'r1' | 'think', defect: CompletionDefect, r: string, a: string): string {
  const open = layout === 'r1' ? '<think>' : '';
  const summary = `The answer is $\\boxed{${a}}$.`;
  switch (defect) {
    case 'missing-close-tag':
      return `${open}${r} ${summary}`;
    case 'doubled-reasoning':
      return `${open}${r}</think>${summary}<think>${r}</think>${summary}`;
    case 'empty-reasoning':
      return `<think></think>${summary}`;
    case 'empty-answer':
      return `${open}${r}</think>  `;
    default:
      return breakR1Zero(defect, r, a);
  }
}

/** A malformed completion of a case, in `layout`, with its defect named. The layout's format reward gives it 0. */
export function malformedCompletion(
  layout: CompletionLayout = 'r1-zero',
  cases: fc.Arbitrary<LawCase> = mathCases,
): fc.Arbitrary<{ completion: string; sample: Sample; defect: CompletionDefect }> {
  const defects = layout === 'r1-zero' ? COMPLETION_DEFECTS : READABLE_DEFECTS;
  return fc.tuple(cases, fc.constantFrom(...defects)).chain(([c, defect]) =>
    reasoningAbout(c).map((r) => ({
      completion:
        layout === 'r1-zero' ? breakR1Zero(defect, r, c.correct) : breakReadable(layout, defect, r, c.correct),
      sample: c.sample,
      defect,
    })),
  );
}
