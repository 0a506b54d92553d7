/**
 * Test inputs shared by the reward tests: completions built from the pieces rewards look for (tags, step markers,
 * math delimiters, CJK text), and ~100 KB hostile strings that would make a backtracking regex or a quadratic scan
 * hang. Test-only; excluded from the build.
 */

import fc from 'fast-check';
import type { Sample } from '../../types';

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
  '我们',
  '思考',
  'the answer',
  ' ',
  '\n',
  '(1 + 2) * 3',
  '<',
  '>',
];

/** Completions made of reward-relevant pieces and arbitrary text. */
export const anyCompletion: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 4 })),
    {
      maxLength: 40,
    },
  )
  .map((parts) => parts.join(''));

/** Text that contains none of the R1-Zero tags. */
export const tagFreeText: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('<', '>', '/', 'think', 'answer', '<thi', 'nk>', '\n')),
    {
      maxLength: 12,
    },
  )
  .map((parts) => parts.join(''))
  .filter((s) => !/<\/?(think|answer)>/.test(s));

export const sample: Sample = { prompt: 'What is 2+2?', answer: '4' };

const KB100 = 100 * 1024;
const fill = (unit: string) => unit.repeat(Math.ceil(KB100 / unit.length)).slice(0, KB100);

/** ~100 KB adversarial completions, by name. */
export const HOSTILE: readonly (readonly [string, string])[] = [
  ['nested think', fill('<think>')],
  ['repeated blocks', fill('<think>a</think><answer>b</answer>')],
  ['half tags', fill('<think</answer<answer</think')],
  ['open-r1 regex killer', `<think>\n${fill('\n</think>\n<answer>\n')}`],
  ['step digits', fill('Step 123456789')],
  ['line digits', fill('\n1234567890')],
  ['dollars', fill('$ ')],
  ['backslash parens', fill('\\( \\[ ')],
  ['backticks', fill('`` ')],
  ['one word', fill('a ')],
  ['han', fill('思')],
  ['nested parens answer', `<think>x</think><answer>${fill('(')}</answer>`],
  ['long equation', `<think>x</think><answer>${fill('1+')}1</answer>`],
];
