import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { anyCompletion, HOSTILE, EXAMPLE_SAMPLE as sample } from '../testing/index';
import { countReasoningSteps, createReasoningStepsReward, reasoningStepsReward } from './reasoning-steps';

describe('countReasoningSteps', () => {
  test.each<[string, number]>([
    ['', 0],
    ['Step 1: add. Step 2: multiply. Step 10: done.', 3],
    ['Step : no digits. Step one: words. Step 3 no colon', 0],
    ['1. first\n2. second\n3. third', 3],
    ['x 1. not at a line start', 0],
    ['intro\n- a\n- b\n* c', 3],
    ['First, add. Second, multiply. Next, check. Finally, answer.', 4],
    ['first, lowercase does not count', 0],
    ['First without comma', 0],
    ['Step 12:\n3. and\n- all', 3],
    ['-leading dash is not after a newline', 0],
    ['\n-\n-\n-', 3],
    ['12345', 0],
    ['Step 123456789', 0],
  ])('%j → %d', (text, expected) => {
    expect(countReasoningSteps(text)).toBe(expected);
  });
});

describe('reasoningStepsReward', () => {
  test.each<[string, number]>([
    ['no steps', 0],
    ['Step 1: a', 1 / 3],
    ['Step 1: a Step 2: b', 2 / 3],
    ['First, a. Next, b. Finally, c.', 1],
    ['Step 1: Step 2: Step 3: Step 4: Step 5:', 1],
  ])('%j → %d', (completion, expected) => {
    expect(reasoningStepsReward(completion, sample)).toBeCloseTo(expected, 12);
  });

  test('target changes how many markers earn 1', () => {
    expect(createReasoningStepsReward({ target: 1 })('Step 1: a', sample)).toBe(1);
    expect(() => createReasoningStepsReward({ target: 0 })).toThrow(/'target' must be a number in \[1, /);
    expect(() => createReasoningStepsReward({ target: 1.5 })).toThrow(/'target' must be an integer/);
  });

  test.each(HOSTILE)('hostile input (%s, 100 KB) returns a score', (_name, text) => {
    const v = reasoningStepsReward(text, sample)!;
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThanOrEqual(1);
  });

  test('property: in [0, 1], and appending a marker never lowers the score', () => {
    fc.assert(
      fc.property(
        anyCompletion,
        fc.constantFrom('\nStep 7: x', '\n- x', '\n9. x', ' Finally, x'),
        (completion, marker) => {
          const v = reasoningStepsReward(completion, sample)!;
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
          expect(reasoningStepsReward(completion + marker, sample)!).toBeGreaterThanOrEqual(v);
        },
      ),
    );
  });

  test('property: agrees with the open-r1 pattern (made multiline) on marker soup', () => {
    const reference = /Step \d+:|^\d+\.|\n-|\n\*|First,|Second,|Next,|Finally,/gm;
    const piece = fc.constantFrom('Step ', '1', '23', ':', '.', '\n', '-', '*', 'First,', 'Next', ',', ' ', 'x');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const text = pieces.join('');
        expect(countReasoningSteps(text)).toBe(text.match(reference)?.length ?? 0);
      }),
    );
  });
});
