import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createRng, rngFromState } from './rng';

describe('xoshiro128**', () => {
  test('matches the reference implementation from state [1, 2, 3, 4]', () => {
    // Outputs of Blackman & Vigna's xoshiro128starstar.c from s = {1, 2, 3, 4}.
    const rng = rngFromState([1, 2, 3, 4]);
    expect(Array.from({ length: 6 }, () => rng.nextU32())).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492,
    ]);
  });

  test('rejects the all-zero state', () => {
    expect(() => rngFromState([0, 0, 0, 0])).toThrow(/all zeros/);
  });
});

describe('createRng', () => {
  test.each([[0], [1], [-1], [2 ** 32 + 1], [Number.MAX_SAFE_INTEGER]])(
    'seed %d gives the same sequence twice',
    (seed) => {
      const a = createRng(seed);
      const b = createRng(seed);
      expect(Array.from({ length: 20 }, () => a.nextU32())).toEqual(Array.from({ length: 20 }, () => b.nextU32()));
    },
  );

  test('seeds differing only in the high 32 bits give different sequences', () => {
    expect(createRng(1).nextU32()).not.toBe(createRng(2 ** 32 + 1).nextU32());
  });

  test.each([[1.5], [Number.NaN], [2 ** 60], [Number.POSITIVE_INFINITY]])('seed %s is rejected', (seed) => {
    expect(() => createRng(seed)).toThrow(/seed must be a safe integer/);
  });

  test('int rejects bad ranges', () => {
    const rng = createRng(0);
    expect(() => rng.int(3, 2)).toThrow(/min <= max/);
    expect(() => rng.int(0, 2 ** 33)).toThrow(/too wide/);
    expect(() => rng.int(0.5, 2)).toThrow(/integers/);
  });

  test('pick rejects an empty array', () => {
    expect(() => createRng(0).pick([])).toThrow(/non-empty/);
  });

  test('int is close to uniform on a small range (chi-square, fixed seed)', () => {
    const rng = createRng(123);
    const counts = new Array(6).fill(0);
    const n = 60_000;
    for (let i = 0; i < n; i++) counts[rng.int(1, 6) - 1]++;
    const expected = n / 6;
    const chi2 = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    // 5 degrees of freedom: P(chi2 > 20.5) ≈ 0.001.
    expect(chi2).toBeLessThan(20.5);
  });

  test('float is in [0, 1) and has mean near 1/2', () => {
    const rng = createRng(9);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = rng.float();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
    }
    expect(Math.abs(sum / 10_000 - 0.5)).toBeLessThan(0.02);
  });

  test('property: int stays in [min, max]', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: -1e9, max: 1e9 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        (seed, min, span) => {
          const rng = createRng(seed);
          for (let i = 0; i < 10; i++) {
            const x = rng.int(min, min + span);
            if (!(Number.isInteger(x) && x >= min && x <= min + span)) return false;
          }
          return true;
        },
      ),
    );
  });

  test('property: shuffled is a permutation and leaves its input alone', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.integer()), (seed, items) => {
        const copy = [...items];
        const out = createRng(seed).shuffled(items);
        expect(items).toEqual(copy);
        expect([...out].sort((a, b) => a - b)).toEqual([...items].sort((a, b) => a - b));
      }),
    );
  });

  test('property: bool(0) is never true and bool(1) always', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const rng = createRng(seed);
        return !rng.bool(0) && rng.bool(1);
      }),
    );
  });
});
