import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { softOverlongPunishment } from './soft-overlong';

const o = { maxCompletionLength: 100, softPunishCache: 20 };

describe('softOverlongPunishment', () => {
  test.each([
    [0, 0],
    [80, 0],
    [81, -0.05],
    [90, -0.5],
    [100, -1],
    [101, -1],
    [5000, -1],
  ])('length %i → %f', (length, want) => {
    expect(softOverlongPunishment(length, o)).toBeCloseTo(want, 12);
  });

  test('softPunishCache 0 turns it off', () => {
    expect(softOverlongPunishment(1000, { maxCompletionLength: 100, softPunishCache: 0 })).toBe(0);
  });

  test.each([
    [-1, o, /completionLength must be a token count ≥ 0/],
    [1.5, o, /completionLength must be a token count/],
    [1, { maxCompletionLength: 10, softPunishCache: 10 }, /0 ≤ softPunishCache < maxCompletionLength/],
    [1, { maxCompletionLength: 0, softPunishCache: 0 }, /0 ≤ softPunishCache < maxCompletionLength/],
  ])('rejects length %f with %o', (length, options, message) => {
    expect(() => softOverlongPunishment(length, options)).toThrow(message);
  });

  test('stays in [−1, 0] and never rises with length', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 4096 })
          .chain((max) =>
            fc.record({ max: fc.constant(max), cache: fc.integer({ min: 0, max: max - 1 }), length: fc.nat(5000) }),
          ),
        ({ max, cache, length }) => {
          const options = { maxCompletionLength: max, softPunishCache: cache };
          const r = softOverlongPunishment(length, options);
          expect(r).toBeGreaterThanOrEqual(-1);
          expect(r).toBeLessThanOrEqual(0);
          expect(softOverlongPunishment(length + 1, options)).toBeLessThanOrEqual(r);
        },
      ),
    );
  });
});
