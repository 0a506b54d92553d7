/**
 * Writes completions the way a policy does, in one of the three layouts the rewards read (the formats of
 * `parseCompletion` in @r1/templates): R1-Zero's `<think> … </think> <answer> … </answer>`, the R1 readable format
 * `<think> … </think> summary`, and R1-Distill's `… </think> summary` (the chat template opened `<think>`).
 * In the readable layouts the answer is boxed in the summary. The whitespace around the tags is a parameter, so the
 * laws can vary it while keeping the content.
 */

import fc from 'fast-check';

export type CompletionLayout = 'r1-zero' | 'r1' | 'think';

export const COMPLETION_LAYOUTS: readonly CompletionLayout[] = ['r1-zero', 'r1', 'think'];

/** The whitespace a completion has around and inside its tags. Every field is whitespace only. */
export interface Spacing {
  /** Before the completion. */
  lead: string;
  /** After the opening think tag (or at the start of the reasoning in 'think'). */
  reasoningStart: string;
  /** Before `</think>`. */
  reasoningEnd: string;
  /** Between `</think>` and the answer block or summary (and between answer blocks). */
  between: string;
  /** Inside the answer block or box, before the answer. */
  answerStart: string;
  /** Inside the answer block or box, after the answer. */
  answerEnd: string;
  /** After the completion. */
  trail: string;
}

/** No whitespace anywhere. */
export const TIGHT_SPACING: Readonly<Spacing> = Object.freeze({
  lead: '',
  reasoningStart: '',
  reasoningEnd: '',
  between: '',
  answerStart: '',
  answerEnd: '',
  trail: '',
});

const blank = fc.constantFrom('', ' ', '\n', '\n\n', ' \n', '\t');

/** Any whitespace layout: spaces, newlines and tabs around and inside the tags. */
export const spacing: fc.Arbitrary<Spacing> = fc.record({
  lead: blank,
  reasoningStart: blank,
  reasoningEnd: blank,
  between: blank,
  answerStart: blank,
  answerEnd: blank,
  trail: blank,
});

/**
 * A completion with `reasoning` and one answer block (or boxed answer) per entry of `answers`; no answers gives
 * no answer block (or an empty summary).
 *
 * @example writeCompletion('r1-zero', 'Add them.', ['4']) // '<think>Add them.</think><answer>4</answer>'
 */
export function writeCompletion(
  layout: CompletionLayout,
  reasoning: string,
  answers: readonly string[],
  s: Spacing = TIGHT_SPACING,
): string {
  const think = `${s.reasoningStart}${reasoning}${s.reasoningEnd}</think>`;
  const inner = (a: string) => `${s.answerStart}${a}${s.answerEnd}`;
  switch (layout) {
    case 'r1-zero':
      return `${s.lead}<think>${think}${answers.map((a) => `${s.between}<answer>${inner(a)}</answer>`).join('')}${s.trail}`;
    case 'r1':
      return `${s.lead}<think>${think}${s.between}${summary(answers, inner)}${s.trail}`;
    case 'think':
      return `${s.lead}${think}${s.between}${summary(answers, inner)}${s.trail}`;
    default: {
      const never: never = layout;
      throw new Error(`writeCompletion: unknown layout ${JSON.stringify(never)}; use one of ${COMPLETION_LAYOUTS}`);
    }
  }
}

function summary(answers: readonly string[], inner: (a: string) => string): string {
  if (answers.length === 0) return '';
  return `The answer is ${answers.map((a) => `$\\boxed{${inner(a)}}$`).join('. Or maybe ')}.`;
}
