import { describe, expect, test } from 'vitest';
import { createAnswerEquivalence } from './answer-equivalence';

describe('createAnswerEquivalence', () => {
  const same = createAnswerEquivalence();
  test.each([
    ['0.5', '\\frac12', true],
    ['1/2', '\\dfrac{1}{2}', true],
    ['(1, 2)', '(1,2)', true],
    ['2', '3', false],
    ['x = 4', '4', true],
    ['@@', '@@', true],
    ['@@', '##', false],
  ])('%s ~ %s is %s', (a, b, expected) => {
    expect(same(a, b)).toBe(expected);
    expect(same(b, a)).toBe(expected);
  });
});
