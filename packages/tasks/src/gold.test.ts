import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { extractBoxedAnswer, extractGsm8kAnswer } from './gold';

describe('extractGsm8kAnswer', () => {
  test.each<[string, string | null]>([
    ['She makes 9 * 2 = $<<9*2=18>>18.\n#### 18', '18'],
    ['#### 1,450,000', '1450000'],
    ['#### -3', '-3'],
    ['#### 0.5', '0.5'],
    ['#### 12,5', '12,5'], // not a thousands separator: left alone
    ['#### 1,234.50', '1234.50'],
    ['#### 7\n', '7'],
    ['first #### 1\nthen #### 2', '2'],
    ['####   42   ', '42'],
    ['no marker here', null],
    ['#### ', null],
    ['', null],
  ])('%j → %j', (text, answer) => {
    expect(extractGsm8kAnswer(text)).toBe(answer);
  });
});

describe('extractBoxedAnswer', () => {
  test.each<[string, string | null]>([
    ['so $\\boxed{5}$.', '5'],
    ['\\boxed{\\frac{1}{2}}', '\\frac{1}{2}'],
    ['$\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}.$', '\\left( 3, \\frac{\\pi}{2} \\right)'],
    ['first \\boxed{1} then \\boxed{2}', '2'],
    ['\\fbox{7}', '7'],
    ['or $\\framebox{204}$ minutes', '204'],
    ['\\boxed {9}', '9'],
    ['\\boxed{\\{1, 2\\}}', '\\{1, 2\\}'],
    ['\\boxed{a \\} b}', 'a \\} b'],
    ['\\boxed{\\boxed{1}}', '1'],
    ['\\boxed{x} and \\boxed{unclosed', 'x'],
    ['\\boxed 5$ done', '5'],
    ['} stray \\boxed{3}', '3'],
    ['\\boxedx{1}', null],
    ['no box', null],
    ['\\boxed{', null],
    ['', null],
    ['\\\\{not a box}', null],
  ])('%j → %j', (text, answer) => {
    expect(extractBoxedAnswer(text)).toBe(answer);
  });

  test('is linear on adversarial input (200k unclosed boxes finish at once)', () => {
    // Quadratic scanners (re-scan from each \boxed) take minutes on this; a linear one takes milliseconds.
    const text = '\\boxed{'.repeat(200_000);
    expect(extractBoxedAnswer(text)).toBeNull();
    expect(extractBoxedAnswer(`${'{'.repeat(200_000)}\\boxed{1}`)).toBe('1');
  });

  test('property: boxing any brace-balanced text gives that text back', () => {
    const balanced = fc.letrec<{ t: string }>((tie) => ({
      t: fc.oneof(
        { depthSize: 'small' },
        fc.stringMatching(/^[a-z0-9 +\-=^_.,]*$/),
        tie('t').map((s) => `{${s}}`),
        fc.tuple(tie('t'), tie('t')).map(([a, b]) => `${a}\\frac{${b}}{2}`),
      ),
    })).t;
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z $]*$/),
        balanced,
        fc.stringMatching(/^[a-z .$]*$/),
        (before, inner, after) => {
          expect(extractBoxedAnswer(`${before}\\boxed{${inner}}${after}`)).toBe(inner);
        },
      ),
    );
  });
});
