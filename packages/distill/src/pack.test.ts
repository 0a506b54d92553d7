import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { packBestFitDecreasing } from './pack';

describe('packBestFitDecreasing', () => {
  test.each<[number[], number, number[][]]>([
    [
      [5, 3, 4, 2],
      8,
      [
        [0, 1],
        [2, 3],
      ],
    ],
    [[8, 8, 8], 8, [[0], [1], [2]]],
    [[1, 1, 1, 1], 8, [[0, 1, 2, 3]]],
    [
      [6, 5, 2, 2, 1],
      8,
      [
        [0, 2],
        [1, 3, 4],
      ],
    ],
    [[], 8, []],
  ])('sizes %j into capacity %i → %j', (sizes, capacity, expected) => {
    const bins = packBestFitDecreasing(sizes, capacity, 0);
    expect(bins.map((b) => [...b.rows].sort((x, y) => x - y))).toEqual(expected);
  });

  test('best fit: a row goes to the fullest sequence that still has room', () => {
    // 7 and 5 open two sequences (room 1 and 3); the 3 fits only the second, the 1 then fills the first.
    const bins = packBestFitDecreasing([7, 5, 3, 1], 8, 0);
    expect(bins.map((b) => b.rows)).toEqual([
      [0, 3],
      [1, 2],
    ]);
  });

  test('rows longer than the capacity are refused', () => {
    expect(() => packBestFitDecreasing([3, 9], 8, 0)).toThrow('row 1 needs 9 positions');
  });

  test('properties: every row exactly once, capacity respected, deterministic per seed, no worse than first-fit bound', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 200 }),
        fc.integer({ min: 0, max: 1000 }),
        (sizes, seed) => {
          const bins = packBestFitDecreasing(sizes, 64, seed);
          const rows = bins.flatMap((b) => b.rows).sort((a, b) => a - b);
          expect(rows).toEqual(sizes.map((_, i) => i));
          for (const b of bins) {
            expect(b.length).toBe(b.rows.reduce((s, r) => s + sizes[r]!, 0));
            expect(b.length).toBeLessThanOrEqual(64);
          }
          // BFD uses at most 11/9·OPT + 6/9 sequences; OPT ≥ ⌈Σ/capacity⌉.
          const lower = Math.ceil(sizes.reduce((a, b) => a + b, 0) / 64);
          expect(bins.length).toBeLessThanOrEqual(Math.floor((11 / 9) * lower + 6 / 9) + 1);
          expect(packBestFitDecreasing(sizes, 64, seed)).toEqual(bins);
        },
      ),
      { numRuns: 100 },
    );
  });
});
