import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { EXAMPLE_SAMPLE as sample } from '../testing/index';
import { overlongPenalty, softOverlongPunishment } from './overlong';

describe('overlongPenalty (DAPO eq. 13, L_max 20480, L_cache 4096)', () => {
  test.each<[number, number]>([
    [0, 0],
    [16_384, 0],
    [16_385, -1 / 4096],
    [18_432, -0.5],
    [20_480, -1],
    [20_481, -1],
    [1e9, -1],
  ])('%d tokens → %d', (length, expected) => {
    expect(overlongPenalty(length, 20_480, 4_096)).toBeCloseTo(expected, 12);
  });

  test('cacheLength 0 is a hard cut', () => {
    expect(overlongPenalty(100, 100, 0)).toBe(0);
    expect(overlongPenalty(101, 100, 0)).toBe(-1);
  });

  test('property: in [−1, 0], non-increasing in length', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 50_000 }),
        fc.nat({ max: 50_000 }),
        fc.integer({ min: 1, max: 30_000 }),
        fc.nat({ max: 30_000 }),
        (a, b, max, cache) => {
          const c = Math.min(cache, max);
          const [short, long] = a <= b ? [a, b] : [b, a];
          const p = overlongPenalty(short, max, c);
          const q = overlongPenalty(long, max, c);
          expect(p >= -1 && p <= 0).toBe(true);
          expect(q).toBeLessThanOrEqual(p);
        },
      ),
    );
  });
});

describe('softOverlongPunishment', () => {
  test('with a token counter', () => {
    const reward = softOverlongPunishment({ maxLength: 10, cacheLength: 4, countTokens: (c) => c.split(' ').length });
    expect(reward('a b c d e f', sample)).toBe(0);
    expect(reward('a b c d e f g h', sample)).toBe(-0.5);
    expect(reward('a b c d e f g h i j k', sample)).toBe(-1);
  });

  test('with the token count (or ids) in sample.meta', () => {
    const reward = softOverlongPunishment({ maxLength: 10, cacheLength: 4 });
    expect(reward('ignored', { ...sample, meta: { completionTokens: 8 } })).toBe(-0.5);
    expect(reward('ignored', { ...sample, meta: { completionTokens: [1, 2, 3, 4, 5, 6, 7, 8] } })).toBe(-0.5);
    expect(reward('ignored', { ...sample, meta: { completionTokens: new Int32Array(11) } })).toBe(-1);
    const keyed = softOverlongPunishment({ maxLength: 10, cacheLength: 4, tokenCountKey: 'n' });
    expect(keyed('x', { ...sample, meta: { n: 9 } })).toBe(-0.75);
  });

  test('without any token count it cannot score (null), never guesses from characters', () => {
    const reward = softOverlongPunishment();
    expect(reward('x'.repeat(100_000), sample)).toBeNull();
    expect(reward('x', { ...sample, meta: { completionTokens: 'many' } })).toBeNull();
    expect(reward('x', { ...sample, meta: { completionTokens: -1 } })).toBeNull();
    expect(softOverlongPunishment({ countTokens: () => Number.NaN })('x', sample)).toBeNull();
  });

  test.each<[object, RegExp]>([
    [{ maxLength: 10, cacheLength: 11 }, /cacheLength \(11\) must not exceed maxLength \(10\)/],
    [{ maxLength: 0 }, /'maxLength' must be a number in \[1, /],
    [{ countTokens: 'gpt' }, /'countTokens' must be a function/],
    [{ tokenCountKey: '' }, /'tokenCountKey' must be a non-empty string/],
    [{ L_max: 10 }, /unknown option 'L_max'/],
  ])('bad options %j', (options, message) => {
    expect(() => softOverlongPunishment(options)).toThrow(message);
  });
});
