import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, test } from 'vitest';
import { initBackend } from '../init-backend';
import { expectClose, onBackend, randomArray } from '../test-utils/on-backend';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

function segmentSumOn(
  name: 'cpu' | 'wasm',
  x: number[] | Float32Array,
  xShape: number[],
  ids: number[],
  idShape: number[],
  numSegments: number,
  dtype: 'float32' | 'int32' = 'float32',
): Promise<number[]> {
  return onBackend(name, () =>
    tf.tidy(() => {
      const segmentIds: tf.Tensor = tf.tensor(ids, idShape, 'int32'); // may be 2-D: tfjs's Tensor1D type is too narrow
      const out = tf.unsortedSegmentSum(tf.tensor(x, xShape, dtype), segmentIds as tf.Tensor1D, numSegments);
      return Array.from(out.dataSync());
    }),
  );
}

describe('UnsortedSegmentSum on wasm', () => {
  test.each([
    // x, xShape, ids, idShape, numSegments, expected
    [[1, 2, 3, 4], [4], [0, 1, 0, 1], [4], 2, [4, 6]],
    [[1, 2, 3, 4, 5, 6], [3, 2], [2, 0, 2], [3], 3, [3, 4, 0, 0, 6, 8]],
    [[1, 2, 3, 4], [2, 2], [1, 1, 0, 1], [2, 2], 2, [3, 7]], // 2-D ids
    [[5, 6, 7], [3], [-1, 0, 9], [3], 2, [6, 0]], // out-of-range ids are dropped
    [[], [0, 3], [], [0], 2, [0, 0, 0, 0, 0, 0]], // nothing to sum
  ])('x %j (shape %j), ids %j (shape %j), %i segments → %j', async (x, xShape, ids, idShape, n, expected) => {
    expect(await segmentSumOn('wasm', x, xShape, ids, idShape, n)).toEqual(expected);
  });

  it('sums int32 inputs', async () => {
    expect(await segmentSumOn('wasm', [1, 2, 3], [3], [1, 1, 0], [3], 2, 'int32')).toEqual([3, 3]);
  });

  it('makes the gradient of gather (an embedding lookup) work and match cpu', async () => {
    const grad = (name: 'cpu' | 'wasm') =>
      onBackend(name, () =>
        tf.tidy(() => {
          const table = tf.tensor(randomArray(10 * 6, 1), [10, 6]);
          const ids = tf.tensor(
            [
              [1, 3, 3],
              [9, 0, 1],
            ],
            [2, 3],
            'int32',
          );
          const w = tf.tensor(randomArray(2 * 3 * 6, 2), [2, 3, 6]);
          const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), w)))(table);
          return g.dataSync() as Float32Array;
        }),
      );
    expectClose(await grad('wasm'), await grad('cpu'), 1e-6, 1e-6);
  });

  it('property: agrees with cpu for random ids and row widths', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 1000 }),
        async (rows, width, segments, seed) => {
          const x = randomArray(rows * width, seed);
          const ids = Array.from(randomArray(rows, seed + 1), (v) => Math.floor((v + 1) * 0.5 * (segments + 2)) - 1);
          const on = (name: 'cpu' | 'wasm') => segmentSumOn(name, x, [rows, width], ids, [rows], segments);
          expectClose(await on('wasm'), await on('cpu'), 1e-5, 1e-5);
        },
      ),
      { numRuns: 30, seed: 3 },
    );
  });

  it('rejects ids that do not prefix the shape of x, naming both shapes', async () => {
    await expect(segmentSumOn('wasm', [1, 2, 3, 4], [2, 2], [0, 1, 0], [3], 2)).rejects.toThrow(/\[3\].*\[2,2\]/);
  });
});
