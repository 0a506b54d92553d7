import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { combineRows, gatherRows } from './row-ops';
import { maxAbsDiff, randomTensor } from './test-utils/tiny';

describe('gatherRows', () => {
  test.each([
    [
      [2, 0],
      [
        [5, 6],
        [1, 2],
      ],
    ],
    [
      [1, 1, 1],
      [
        [3, 4],
        [3, 4],
        [3, 4],
      ],
    ],
    [[], []],
  ])('rows %j', (rows, want) => {
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const out = gatherRows(x, Int32Array.from(rows));
    expect(out.shape).toEqual([rows.length, 2]);
    expect(out.arraySync()).toEqual(want);
    tf.dispose([x, out]);
  });

  test('gradient scatter-adds (repeated rows accumulate) and equals tf.gather’s', () => {
    const x = randomTensor([5, 3], 1);
    const rows = Int32Array.from([4, 0, 4, 2, 4]);
    const proj = randomTensor([5, 3], 2);
    const mine = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t as tf.Tensor2D, rows), proj)))(x);
    const ref = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tf.tensor1d(rows, 'int32')), proj)))(x);
    expect(maxAbsDiff(mine, ref)).toBeLessThan(1e-6);
    tf.dispose([x, proj, mine, ref]);
  });

  test('out-of-range rows are rejected', () => {
    const x = tf.zeros([2, 2]) as tf.Tensor2D;
    expect(() => gatherRows(x, Int32Array.from([2]))).toThrow(/row index 2 is out of range \[0, 2\)/);
    expect(() => gatherRows(x, Int32Array.from([-1]))).toThrow(/out of range/);
    x.dispose();
  });
});

/** Plain composition: out = unsortedSegmentSum(concat(parts) ⊙ scale[slots], ⌊slots/k⌋, n). */
function reference(parts: tf.Tensor2D[], scale: tf.Tensor2D, slots: Int32Array[], k: number, n: number): tf.Tensor2D {
  const all = Int32Array.from(slots.flatMap((s) => [...s]));
  const rows = tf.concat(parts, 0);
  const w = tf.gather(scale, tf.tensor1d(all, 'int32'));
  const tokens = tf.tensor1d(
    [...all].map((s) => Math.floor(s / k)),
    'int32',
  );
  return tf.unsortedSegmentSum(tf.mul(rows, w), tokens, n) as tf.Tensor2D;
}

describe('combineRows', () => {
  test('worked example: two experts, k = 2', () => {
    // tokens 0, 1; slots 0,1 (token 0) and 2,3 (token 1)
    const a = tf.tensor2d([
      [1, 1],
      [2, 2],
    ]); // expert A: slots 0 and 2
    const b = tf.tensor2d([
      [10, 0],
      [0, 10],
    ]); // expert B: slots 1 and 3
    const scale = tf.tensor2d([[0.5], [0.1], [2], [1]]);
    const out = combineRows([a, b], scale, [Int32Array.from([0, 2]), Int32Array.from([1, 3])], 2, 2);
    expect(out.arraySync()).toEqual([
      [0.5 + 1, 0.5],
      [4, 4 + 10],
    ]);
    tf.dispose([a, b, scale, out]);
  });

  test('fast-check: forward and gradients (parts and scale) equal the plain composition', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 1000 }),
        (n, k, experts, seed) => {
          // deal the n·k slots to experts round-robin after a seeded shuffle
          const order = Array.from({ length: n * k }, (_, i) => i).sort(
            (x, y) => ((x * 7919 + seed) % 101) - ((y * 7919 + seed) % 101),
          );
          const slots = Array.from({ length: experts }, (_, e) =>
            Int32Array.from(order.filter((_, i) => i % experts === e)),
          );
          const used = slots.filter((s) => s.length > 0);
          const parts = used.map((s, e) => randomTensor([s.length, 3], seed + e) as tf.Tensor2D);
          const scale = randomTensor([n * k, 1], seed + 99) as tf.Tensor2D;
          const proj = randomTensor([n, 3], seed + 100);
          const f =
            (fn: typeof combineRows) =>
            (...xs: tf.Tensor[]) =>
              tf.sum(tf.mul(fn(xs.slice(0, -1) as tf.Tensor2D[], xs.at(-1) as tf.Tensor2D, used, k, n), proj));
          const mine = tf.grads(f(combineRows))([...parts, scale]);
          const ref = tf.grads(f(reference))([...parts, scale]);
          mine.forEach((g, i) => {
            expect(maxAbsDiff(g, ref[i]!)).toBeLessThan(1e-5);
          });
          const a = combineRows(parts, scale, used, k, n);
          const b = reference(parts, scale, used, k, n);
          expect(maxAbsDiff(a, b)).toBeLessThan(1e-5);
          tf.dispose([...parts, scale, proj, ...mine, ...ref, a, b]);
        },
      ),
      { numRuns: 30 },
    );
  });

  test('bad shapes and slots are rejected', () => {
    const p = tf.zeros([2, 2]) as tf.Tensor2D;
    const s = tf.zeros([4, 1]) as tf.Tensor2D;
    expect(() => combineRows([p], s, [Int32Array.from([0])], 2, 2)).toThrow(/expected \[1, 2\]/);
    expect(() => combineRows([p], s, [Int32Array.from([0, 4])], 2, 2)).toThrow(/out of range/);
    expect(() => combineRows([p], s, [], 2, 2)).toThrow(/slot lists/);
    tf.dispose([p, s]);
  });
});
