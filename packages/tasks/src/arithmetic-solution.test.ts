import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { arithmeticTask } from './arithmetic';
import { arithmeticSolution, formatSteps } from './arithmetic-solution';

/** Checks each "a op b = c." sentence of a solution on its own terms; returns the indices of wrong steps. */
function wrongSteps(text: string): number[] {
  const sentences = text.split('. ').map((s) => s.replace(/\.$/, ''));
  const wrong: number[] = [];
  sentences.forEach((sentence, i) => {
    const m = /^(-?\d+) ([-+*/]) (-?\d+) = (-?\d+)$/.exec(sentence);
    if (m === null) throw new Error(`not a step: ${sentence}`);
    const [a, b, c] = [Number(m[1]), Number(m[3]), Number(m[4])];
    const value = m[2] === '+' ? a + b : m[2] === '-' ? a - b : m[2] === '*' ? a * b : a / b;
    if (value !== c) wrong.push(i);
  });
  return wrong;
}

describe('arithmeticSolution', () => {
  test.each([
    ['7 + 5 * 3', '5 * 3 = 15. 7 + 15 = 22.', '22'],
    ['(7 + 5) * 3', '7 + 5 = 12. 12 * 3 = 36.', '36'],
    ['8 / 2 - 1', '8 / 2 = 4. 4 - 1 = 3.', '3'],
    ['2 * 3 + 4 * 5', '2 * 3 = 6. 4 * 5 = 20. 6 + 20 = 26.', '26'],
    ['3 - 5', '3 - 5 = -2.', '-2'],
  ])('%s → %s', (expression, text, answer) => {
    const solution = arithmeticSolution(expression, { seed: 0 });
    expect(solution).toMatchObject({ text, answer, correct: true });
    expect(solution.errorStep).toBeUndefined();
  });

  test.each<[string, unknown, RegExp]>([
    ['7 / 2', { seed: 0 }, /not exact/],
    ['7', { seed: 0 }, /no operation/],
    ['7 +', { seed: 0 }, /cannot parse expression/],
    ['7 + 1', { seed: 0, errorRate: 2 }, /errorRate must be a number in \[0, 1\]/],
    ['7 + 1', { errorRate: 0.5 }, /needs a safe-integer seed/],
    ['7 + 1', { seed: 0, rate: 0.5 }, /Unknown arithmeticSolution option 'rate'/],
  ])('%s with %j is rejected', (expression, options, message) => {
    expect(() => arithmeticSolution(expression, options as never)).toThrow(message);
  });

  test('errorRate 1 always has exactly one wrong step, carried into the answer', () => {
    const solution = arithmeticSolution('7 + 5 * 3', { seed: 4, errorRate: 1 });
    expect(solution.correct).toBe(false);
    expect(wrongSteps(solution.text)).toEqual([solution.errorStep]);
    expect(solution.answer).not.toBe('22');
  });

  test('formatSteps of no steps is empty', () => {
    expect(formatSteps([])).toBe('');
  });

  test('the error share follows errorRate', () => {
    const items = arithmeticTask('medium').generate({ split: 'train', count: 2000, seed: 1 });
    const wrong = items.filter(
      (item, i) => !arithmeticSolution(item.meta.expression, { seed: i, errorRate: 0.3 }).correct,
    );
    expect(wrong.length / items.length).toBeGreaterThan(0.26);
    expect(wrong.length / items.length).toBeLessThan(0.34);
  });

  test('property: a correct solution checks out step by step and ends at the gold answer', () => {
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom('easy', 'medium', 'hard'), (seed, preset) => {
        for (const item of arithmeticTask(preset).generate({ split: 'train', count: 5, seed })) {
          const solution = arithmeticSolution(item.meta.expression, { seed });
          expect(solution.correct).toBe(true);
          expect(wrongSteps(solution.text)).toEqual([]);
          expect(solution.answer).toBe(item.answer);
          expect(solution.text.endsWith(`= ${item.answer}.`)).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });

  test('property: an erroneous solution has exactly one wrong step, at errorStep, and is deterministic', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        for (const item of arithmeticTask('hard').generate({ split: 'test', count: 3, seed })) {
          const solution = arithmeticSolution(item.meta.expression, { seed, errorRate: 1 });
          expect(solution.correct).toBe(false);
          // Later steps use the wrong value correctly, except a division made inexact by it (truncated).
          const wrong = wrongSteps(solution.text);
          expect(wrong[0]).toBe(solution.errorStep);
          for (const i of wrong.slice(1)) expect(solution.steps[i]!.op).toBe('/');
          expect(arithmeticSolution(item.meta.expression, { seed, errorRate: 1 })).toEqual(solution);
        }
      }),
      { numRuns: 60 },
    );
  });
});
