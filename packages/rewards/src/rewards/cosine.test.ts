import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { HOSTILE, EXAMPLE_SAMPLE as sample } from '../testing/index';
import { cosineScaled, cosineScaledReward, DEFAULT_COSINE_SCALED_REWARD_OPTIONS as D } from './cosine';

describe('cosineScaled (open-r1 defaults)', () => {
  test.each<[number, boolean, number]>([
    [0, true, 1.0],
    [500, true, 0.75],
    [1000, true, 0.5],
    [250, true, 0.5 + 0.25 * (1 + Math.SQRT1_2)],
    [0, false, -1.0],
    [500, false, -0.75],
    [1000, false, -0.5],
    // clamped beyond maxLen (open-r1 would wrap the cosine back up)
    [2000, true, 0.5],
    [1e9, false, -0.5],
    [-5, true, 1.0],
  ])('length %d, correct %s → %d', (length, correct, expected) => {
    expect(cosineScaled(length, correct, D)).toBeCloseTo(expected, 12);
  });

  test('property: correct in [0.5, 1] decreasing with length; wrong in [−1, −0.5] increasing', () => {
    fc.assert(
      fc.property(fc.nat({ max: 5000 }), fc.nat({ max: 5000 }), (a, b) => {
        const [short, long] = a <= b ? [a, b] : [b, a];
        const c1 = cosineScaled(short, true, D);
        const c2 = cosineScaled(long, true, D);
        const w1 = cosineScaled(short, false, D);
        const w2 = cosineScaled(long, false, D);
        for (const c of [c1, c2]) expect(c >= 0.5 && c <= 1).toBe(true);
        for (const w of [w1, w2]) expect(w >= -1 && w <= -0.5).toBe(true);
        expect(c1).toBeGreaterThanOrEqual(c2);
        expect(w1).toBeLessThanOrEqual(w2);
      }),
    );
  });

  test('property: any valid bounds hold for any length', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 4, maxLength: 4 }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.boolean(),
        fc.integer({ min: 1, max: 10_000 }),
        ([a, b, c, d], length, correct, maxLen) => {
          const [minValueWrong, maxValueWrong] = [Math.min(a!, b!), Math.max(a!, b!)];
          const [minValueCorrect, maxValueCorrect] = [Math.min(c!, d!), Math.max(c!, d!)];
          const o = { minValueWrong, maxValueWrong, minValueCorrect, maxValueCorrect, maxLen };
          const v = cosineScaled(length, correct, o);
          const [lo, hi] = correct ? [minValueCorrect, maxValueCorrect] : [minValueWrong, maxValueWrong];
          expect(v).toBeGreaterThanOrEqual(lo);
          expect(v).toBeLessThanOrEqual(hi);
        },
      ),
    );
  });
});

describe('cosineScaledReward', () => {
  const reward = cosineScaledReward({ verify: (c) => c.endsWith('4'), maxLen: 10 });

  test.each<[string, number | null]>([
    ['4', 0.5 + 0.25 * (1 + Math.cos(Math.PI / 10))],
    ['xxxxxxxxx4', 0.5],
    ['5', -0.5 - 0.25 * (1 + Math.cos(Math.PI / 10))],
    ['xxxxxxxxxxxxxxxxxxx5', -0.5],
  ])('%j → %d', (completion, expected) => {
    expect(reward(completion, sample)).toBeCloseTo(expected!, 12);
  });

  test('by default correctness comes from accuracyReward', () => {
    const reward = cosineScaledReward();
    expect(reward('\\boxed{4}', sample)).toBeCloseTo(cosineScaled(9, true, D), 12);
    expect(reward('\\boxed{5}', sample)).toBeCloseTo(cosineScaled(9, false, D), 12);
    expect(reward('\\boxed{4}', { prompt: 'no gold' })).toBeNull();
  });

  test('undecided verdicts and failing length functions give null', () => {
    expect(cosineScaledReward({ verify: () => null })('x', sample)).toBeNull();
    expect(
      cosineScaledReward({
        verify: () => {
          throw new Error('boom');
        },
      })('x', sample),
    ).toBeNull();
    expect(cosineScaledReward({ verify: () => true, lengthOf: () => Number.NaN })('x', sample)).toBeNull();
  });

  test.each<[object, RegExp]>([
    [{ verify: 'accuracy' }, /cosineScaledReward: option 'verify' must be a function/],
    [
      { verify: () => true, minValueCorrect: 2 },
      /need minValueWrong ≤ maxValueWrong and minValueCorrect ≤ maxValueCorrect/,
    ],
    [{ verify: () => true, maxLen: 0 }, /'maxLen' must be a number/],
    [{ verify: () => true, max_len: 10 }, /unknown option 'max_len'/],
  ])('bad options %j', (options, message) => {
    expect(() => cosineScaledReward(options)).toThrow(message);
  });

  test.each(HOSTILE)('hostile input (%s, 100 KB) with the default verifier gives a score in range', (_name, text) => {
    const v = cosineScaledReward()(text, sample);
    expect(v === null || (v >= -1 && v <= 1)).toBe(true);
  });
});
