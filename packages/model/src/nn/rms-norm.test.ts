import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { rmsNorm } from './rms-norm';

function norm(x: number[], w: number[], eps = 1e-6): number[] {
  const t = tf.tensor2d([x]);
  const wt = tf.tensor1d(w);
  const out = rmsNorm(t, wt, eps);
  const v = [...out.dataSync()];
  tf.dispose([t, wt, out]);
  return v;
}

describe('rmsNorm', () => {
  test.each([
    [
      [3, 4],
      [1, 1],
      [3 / Math.sqrt(12.5), 4 / Math.sqrt(12.5)],
    ],
    [
      [1, 1, 1, 1],
      [2, 1, 0, -1],
      [2, 1, 0, -1],
    ],
    [
      [-2, 2],
      [1, 0.5],
      [-1, 0.5],
    ],
  ])('x=%j w=%j → %j', (x, w, want) => {
    norm(x, w).forEach((g, i) => {
      expect(g).toBeCloseTo(want[i]!, 5);
    });
  });

  test('edge: zeros stay zero (eps keeps it finite); ±1000 is fine', () => {
    expect(norm([0, 0, 0], [1, 1, 1])).toEqual([0, 0, 0]);
    norm([1000, -1000], [1, 1]).forEach((g, i) => {
      expect(g).toBeCloseTo([1, -1][i]!, 5);
    });
  });

  test('fast-check: invariant to positive scaling of x; output RMS = 1 for unit weight', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.float({ min: -10, max: 10, noNaN: true }), { minLength: 2, maxLength: 16 })
          .filter((x) => x.some((v) => Math.abs(v) > 0.1)),
        fc.float({ min: Math.fround(0.1), max: 100, noNaN: true }),
        (x, scale) => {
          const w = x.map(() => 1);
          const a = norm(x, w, 1e-12);
          const b = norm(
            x.map((v) => v * scale),
            w,
            1e-12,
          );
          a.forEach((v, i) => {
            expect(Math.abs(v - b[i]!)).toBeLessThan(1e-4);
          });
          const rms = Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
          expect(rms).toBeCloseTo(1, 4);
        },
      ),
      { numRuns: 50 },
    );
  });
});
