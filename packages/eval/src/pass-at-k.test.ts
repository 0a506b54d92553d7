import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { meanAtK, passAtK, passAtKGrid } from './pass-at-k';

/** Brute force: the share of k-subsets of n samples (c correct) that contain at least one correct sample. */
function bruteForce(n: number, c: number, k: number): number {
  let hit = 0;
  let total = 0;
  const rec = (start: number, left: number, anyCorrect: boolean) => {
    if (left === 0) {
      total++;
      if (anyCorrect) hit++;
      return;
    }
    for (let i = start; i <= n - left; i++) rec(i + 1, left - 1, anyCorrect || i < c);
  };
  rec(0, k, false);
  return hit / total;
}

describe('passAtK', () => {
  test.each([
    [1, 1, 1, 1],
    [1, 0, 1, 0],
    [10, 3, 1, 0.3],
    [4, 1, 2, 0.5],
    [5, 0, 5, 0],
    [5, 1, 5, 1],
  ])('passAtK(%i, %i, %i) = %f', (n, c, k, expected) => {
    expect(passAtK(n, c, k)).toBeCloseTo(expected, 12);
  });

  test('equals brute-force enumeration over all k-subsets for small n', () => {
    for (let n = 1; n <= 10; n++)
      for (let c = 0; c <= n; c++)
        for (let k = 1; k <= n; k++) expect(passAtK(n, c, k)).toBeCloseTo(bruteForce(n, c, k), 12);
  });

  test('pass@1 is c / n; monotone in k and c; in [0, 1]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.nat(), fc.nat(), (n, cr, kr) => {
        const c = cr % (n + 1);
        const k = 1 + (kr % n);
        const p = passAtK(n, c, k);
        if (!(p >= 0 && p <= 1)) return false;
        if (Math.abs(passAtK(n, c, 1) - c / n) > 1e-12) return false;
        if (k < n && passAtK(n, c, k + 1) < p - 1e-12) return false;
        if (c < n && passAtK(n, c + 1, k) < p - 1e-12) return false;
        return true;
      }),
    );
  });

  test('stable for large n (no overflowing binomials)', () => {
    const p = passAtK(10_000, 1, 5_000);
    expect(p).toBeCloseTo(0.5, 10);
  });

  test.each([
    [0, 0, 1],
    [3, 4, 1],
    [3, 1, 4],
    [3, 1, 0],
    [2.5, 1, 1],
  ])('rejects passAtK(%f, %f, %f)', (n, c, k) => {
    expect(() => passAtK(n, c, k)).toThrow(/passAtK/);
  });
});

describe('meanAtK', () => {
  test('mean of correctness', () => {
    expect(meanAtK([true, false, true, true])).toBe(0.75);
    expect(() => meanAtK([])).toThrow(/at least one sample/);
  });
});

describe('passAtKGrid', () => {
  test.each([
    [1, [1]],
    [2, [1, 2]],
    [6, [1, 2, 4, 6]],
    [16, [1, 2, 4, 8, 16]],
    [64, [1, 2, 4, 8, 16, 32, 64]],
  ])('passAtKGrid(%i) = %j', (n, ks) => expect(passAtKGrid(n)).toEqual(ks));

  test.each([0, -1, 2.5, Number.NaN])('rejects %f', (n) => expect(() => passAtKGrid(n)).toThrow(/integer ≥ 1/));

  test('property: ascending powers of two, ending at n', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), (n) => {
        const ks = passAtKGrid(n);
        return (
          ks.at(-1) === n &&
          ks.every((k, i) => i === 0 || k > ks[i - 1]!) &&
          ks.slice(0, -1).every((k) => Number.isInteger(Math.log2(k)))
        );
      }),
    );
  });
});
