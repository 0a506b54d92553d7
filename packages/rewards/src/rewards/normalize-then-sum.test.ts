import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { type CombinedReward, normalizeThenSum } from './combine';

const group = (rows: (number | null)[][], weights: number[] = rows[0]!.map(() => 1)): CombinedReward[] =>
  rows.map((values) => ({
    total: null,
    components: values.map((value, j) => ({ name: `r${j}`, weight: weights[j]!, value })),
  }));

describe('normalizeThenSum', () => {
  test.each([
    // One 0/1 reward and one on a 100× scale: after normalisation they count alike.
    [
      [
        [1, 0],
        [0, 100],
      ],
      [1, 1],
      [0, 0],
    ],
    [
      [
        [1, 0],
        [0, 0],
      ],
      [1, 1],
      [0.5 / 0.5001, -0.5 / 0.5001],
    ],
    // Weights apply after normalisation.
    [
      [
        [1, 300],
        [0, 100],
      ],
      [2, 1],
      [(2 * 0.5) / 0.5001 + 1, -(2 * 0.5) / 0.5001 - 1],
    ],
  ])('%j with weights %j → totals %j', (rows, weights, totals) => {
    const out = normalizeThenSum(group(rows, weights));
    out.forEach((r, i) => {
      expect(r.total).toBeCloseTo(totals[i]!, 3);
    });
    // Raw component values are kept for logging.
    expect(out[0]!.components[1]!.value).toBe(rows[0]![1]);
  });

  test('edges: an empty group; a constant component adds 0; nulls follow onNull', () => {
    expect(normalizeThenSum([])).toEqual([]);
    expect(normalizeThenSum(group([[5], [5]])).map((r) => r.total)).toEqual([0, 0]);
    const routed = group([
      [1, null],
      [0, null],
    ]);
    expect(normalizeThenSum(routed).map((r) => r.total)).toEqual([null, null]);
    const skipped = normalizeThenSum(routed, 'skip').map((r) => r.total!);
    expect(skipped[0]).toBeCloseTo(1, 3);
    expect(skipped[1]).toBeCloseTo(-1, 3);
    expect(normalizeThenSum(group([[null], [null]]), 'skip').map((r) => r.total)).toEqual([null, null]);
  });

  test('totals sum to zero within a group, and shifting or scaling a component changes nothing (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: -10, max: 10, noNaN: true })),
          {
            minLength: 2,
            maxLength: 8,
          },
        ),
        fc.double({ min: 0.5, max: 100, noNaN: true }),
        fc.double({ min: -50, max: 50, noNaN: true }),
        (rows, scale, shift) => {
          const a = normalizeThenSum(group(rows.map(([x, y]) => [x, y])));
          expect(a.reduce((s, r) => s + r.total!, 0)).toBeCloseTo(0, 6);
          const b = normalizeThenSum(group(rows.map(([x, y]) => [x, y * scale + shift])));
          const spread = Math.max(...rows.map((r) => r[1])) - Math.min(...rows.map((r) => r[1]));
          if (spread > 0.1) {
            for (const [i, r] of a.entries()) expect(b[i]!.total!).toBeCloseTo(r.total!, 2);
          }
        },
      ),
    );
  });
});
