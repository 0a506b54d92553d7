import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { expectMatchesFiniteDifferences } from '../backend/test-utils/finite-diff';
import { gatherRows } from './row-ops';
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

  test('gradient matches central finite differences (float64 host reference)', () => {
    const x = randomTensor([4, 3], 5);
    const rows = Int32Array.from([3, 1, 3, 0]);
    const proj = Array.from(randomTensor([4, 3], 6).dataSync());
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t as tf.Tensor2D, rows), tf.tensor2d(proj, [4, 3]))))(
      x,
    );
    const loss = ([xs]: number[][]) => {
      let total = 0;
      rows.forEach((r, m) => {
        for (let j = 0; j < 3; j++) total += proj[m * 3 + j]! * xs![r * 3 + j]!;
      });
      return total;
    };
    expectMatchesFiniteDifferences(loss, [Array.from(x.dataSync())], [g.dataSync()]);
    tf.dispose([x, g]);
  });

  test('out-of-range rows are rejected', () => {
    const x = tf.zeros([2, 2]) as tf.Tensor2D;
    expect(() => gatherRows(x, Int32Array.from([2]))).toThrow(/row index 2 is out of range \[0, 2\)/);
    expect(() => gatherRows(x, Int32Array.from([-1]))).toThrow(/out of range/);
    x.dispose();
  });
});
