import { consOfScored } from '@r1/eval';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { countdownEquivalence, createEquivalence, createScorer, mathEquivalence } from './scoring';

const problem = (answer: string) => ({ id: 'p', prompt: 'q', answer });
const countdown = { id: 'c', prompt: 'q', answer: '', meta: { numbers: [25, 5, 4], target: 80 } };

describe('math scorer', () => {
  const chat = createScorer('math');
  test.each([
    ['1/2', 'so the answer is $\\boxed{0.5}$.', true, '0.5'],
    ['1/2', '<think>maybe \\boxed{3}</think> The answer is \\boxed{\\frac{1}{2}}', true, '\\frac{1}{2}'],
    ['18', 'She makes 18 dollars.', true, '18'],
    ['18', '\\boxed{19}', false, '19'],
    ['18', '??', false, null],
  ])('gold %s, completion %j → correct %s, extracted %s', (gold, completion, correct, extracted) => {
    expect(chat.score(completion, problem(gold))).toEqual({ correct, extracted });
  });

  test('the last <answer> block outranks a boxed guess before it (r1-zero completions)', () => {
    const text = 'First guess \\boxed{7}. <answer> 9 </answer>';
    expect(chat.score(text, problem('9'))).toEqual({ correct: true, extracted: '9' });
    expect(chat.score('<think>x</think> <answer> 1 </answer> <answer> 9 </answer>', problem('9')).correct).toBe(true);
  });

  test('an unparsable gold scores as wrong and is reported', () => {
    const s = createScorer('math');
    expect(s.score('\\boxed{1}', { ...problem('\\frac{'), id: 'bad' })).toEqual({ correct: false, extracted: null });
    expect([...s.unparsableGold]).toEqual(['bad']);
  });
});

describe('countdown scorer', () => {
  const s = createScorer('countdown');
  test.each([
    ['<think>…</think><answer>(25 - 5) * 4</answer>', true, '(25 - 5) * 4'],
    ['<answer>4 * (25 - 5) = 80</answer>', true, '4 * (25 - 5) = 80'],
    ['<answer>25 * 4 - 20</answer>', false, '25 * 4 - 20'],
    ['<answer>(25 - 5) * 4</answer> then <answer>25 + 5 + 4</answer>', false, '25 + 5 + 4'],
    ['the answer is (25 - 5) * 4', false, null],
  ])('%j → correct %s, extracted %j', (completion, correct, extracted) => {
    expect(s.score(completion, countdown)).toEqual({ correct, extracted });
  });

  test('a problem without numbers and target cannot be judged', () => {
    const scorer = createScorer('countdown');
    expect(scorer.score('<answer>1</answer>', { id: 'x', prompt: 'q', answer: '' })).toEqual({
      correct: false,
      extracted: null,
    });
    expect([...scorer.unparsableGold]).toEqual(['x']);
  });
});

describe('cons@k equivalence', () => {
  test('0.5, \\frac12 and 1/2 are one vote (verifier equality in either direction)', () => {
    const eq = mathEquivalence();
    expect(eq('0.5', '\\frac12')).toBe(true);
    expect(eq('\\frac12', '1/2')).toBe(true);
    expect(eq('1/2', '0.5')).toBe(true);
    expect(eq('0.5', '3')).toBe(false);
    expect(eq('x+1', '1+x')).toBe(true);
    expect(eq('garbage ((', '0.5')).toBe(false);
    const cons = consOfScored(
      [
        { extracted: '0.5', correct: true },
        { extracted: '3', correct: false },
        { extracted: '\\frac12', correct: true },
        { extracted: '3', correct: false },
        { extracted: '1/2', correct: true },
      ],
      eq,
    );
    expect(cons).toMatchObject({ correct: true, votes: 3, answer: '0.5' });
  });

  test('countdown equations are one vote when they use the same numbers for the same value', () => {
    const eq = countdownEquivalence();
    expect(eq('(25 - 5) * 4', '4 * (25 - 5)')).toBe(true);
    expect(eq('(25 - 5) * 4', '4*(25-5) = 80')).toBe(true);
    expect(eq('(25 - 5) * 4', '75 + 5')).toBe(false); // same value, other numbers
    expect(eq('25 + 5', '5 + 25 + 0')).toBe(false);
    expect(eq('1 / 0', '1 / 0')).toBe(true); // identical text is trivially the same answer
    expect(eq('1 / 0', '2 / 0')).toBe(false);
    expect(eq('((', '(25 - 5) * 4')).toBe(false);
  });

  test('property: every integer and fraction is equivalent to itself and to its other spellings', () => {
    const eq = createEquivalence('math');
    fc.assert(
      fc.property(fc.integer({ min: -10_000, max: 10_000 }), fc.integer({ min: 1, max: 50 }), (n, d) => {
        const value = n / d;
        return (
          eq(String(n), String(n)) &&
          eq(`${n}/${d}`, `\\frac{${n}}{${d}}`) &&
          (!Number.isInteger(value) || eq(`${n}/${d}`, String(value)))
        );
      }),
      { numRuns: 200 },
    );
  });

  test('property: distinct integers are never one vote', () => {
    const eq = createEquivalence('math');
    fc.assert(
      fc.property(fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: -1e6, max: 1e6 }), (a, b) => {
        return a === b || !eq(String(a), String(b));
      }),
      { numRuns: 200 },
    );
  });
});
