import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { accuracyReward, createAccuracyReward } from './accuracy';

const sample = (answer?: string) => ({ prompt: 'p', ...(answer === undefined ? {} : { answer }) });

describe('accuracyReward', () => {
  test.each([
    ['\\frac{1}{2}', 'So the answer is $\\boxed{0.5}$.', 1],
    ['18', '<think>16 - 3 - 4 = 9, 9 * 2 = 18</think>\nThe answer is 18.', 1],
    ['18', 'The answer is \\boxed{17}.', 0],
    ['18', 'I am not sure.', 0],
    ['(3, \\frac{\\pi}{2})', '<answer>\\left(3, \\frac{\\pi}{2}\\right)</answer>', 1],
  ])('gold %j, completion %j → %j', (gold, completion, expected) => {
    expect(accuracyReward(completion, sample(gold))).toBe(expected);
  });

  test('null (not a fake 0) when the gold answer is missing or unparsable', () => {
    expect(accuracyReward('\\boxed{1}', sample())).toBeNull();
    expect(accuracyReward('\\boxed{1}', sample('   '))).toBeNull();
    expect(accuracyReward('\\boxed{1}', sample('\\frac{'))).toBeNull();
  });

  test('bad completions score 0 without throwing', () => {
    expect(accuracyReward(undefined as unknown as string, sample('1'))).toBe(0);
    expect(accuracyReward('\\boxed{'.repeat(10000), sample('1'))).toBe(0);
  });

  test('options are validated once, at creation', () => {
    expect(() => createAccuracyReward({ nope: 1 } as never)).toThrow(/unknown option 'nope'/);
    const loose = createAccuracyReward({ precision: 2 });
    expect(loose('\\boxed{0.33}', sample('\\frac{1}{3}'))).toBe(1);
  });

  test('range: always 0, 1 or null', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 40 }), (completion, answer) => {
        const r = accuracyReward(completion, sample(answer));
        expect(r === null || r === 0 || r === 1).toBe(true);
      }),
    );
  });
});
