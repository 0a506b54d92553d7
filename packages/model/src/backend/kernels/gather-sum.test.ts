import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, test } from 'vitest';
import { initBackend } from '../init-backend';
import { expectClose, onBackend, randomArray } from '../test-utils/on-backend';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

type GatherCase = [xShape: number[], ids: number[], idShape: number[], axis: number, batchDims: number];

function gatherOn(
  name: 'cpu' | 'wasm',
  [xShape, ids, idShape, axis, batchDims]: GatherCase,
  dtype: 'float32' | 'int32' | 'bool' = 'float32',
) {
  return onBackend(name, () =>
    tf.tidy(() => {
      const size = tf.util.sizeFromShape(xShape);
      const values =
        dtype === 'float32' ? randomArray(size, 5) : Int32Array.from(randomArray(size, 5), (v) => Math.round(v * 9));
      const x = dtype === 'bool' ? tf.tensor(values, xShape, 'int32').greater(0) : tf.tensor(values, xShape, dtype);
      const out = tf.gather(x, tf.tensor(ids, idShape, 'int32'), axis, batchDims);
      return { shape: out.shape, values: Array.from(out.dataSync()) };
    }),
  );
}

describe('GatherV2 on wasm matches cpu', () => {
  test.each<GatherCase>([
    [[64, 8], [3, 0, 63, 3], [4], 0, 0], // embedding lookup, repeated id
    [
      [10, 6],
      [
        [1, 3, 3],
        [9, 0, 1],
      ].flat(),
      [2, 3],
      0,
      0,
    ], // 2-D ids
    [[4, 5, 3], [4, 0, 2], [3], 1, 0], // middle axis
    [[4, 5], [1, 1], [2], 1, 0], // last axis (slice size 1)
    [
      [2, 5, 3],
      [
        [0, 4],
        [3, 3],
      ].flat(),
      [2, 2],
      1,
      1,
    ], // batchDims 1
    [[3, 4], [], [0], 0, 0], // no ids
    [[65536], [7, 65535], [2], 0, 0], // flat logits picked by target (token-stats)
  ])('x %j, ids %j (shape %j), axis %i, batchDims %i', async (...c) => {
    expect(await gatherOn('wasm', c)).toEqual(await gatherOn('cpu', c));
  });

  it.each(['int32', 'bool'] as const)('gathers %s tensors', async (dtype) => {
    const c: GatherCase = [[6, 3], [5, 0, 2], [3], 0, 0];
    expect(await gatherOn('wasm', c, dtype)).toEqual(await gatherOn('cpu', c, dtype));
  });

  it('throws on an out-of-range id, naming it', async () => {
    await expect(gatherOn('wasm', [[4, 2], [1, 4], [2], 0, 0])).rejects.toThrow(/index value 4 is not in \[0, 3\]/);
    await expect(gatherOn('wasm', [[4, 2], [-1], [1], 0, 0])).rejects.toThrow(/index value -1/);
  });

  it('property: random shapes, axes and ids agree with cpu', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }),
        fc.nat(),
        fc.array(fc.nat(), { minLength: 0, maxLength: 7 }),
        async (xShape, axisSeed, raw) => {
          const axis = axisSeed % xShape.length;
          const ids = raw.map((v) => v % xShape[axis]!);
          const c: GatherCase = [xShape, ids, [ids.length], axis, 0];
          expect(await gatherOn('wasm', c)).toEqual(await gatherOn('cpu', c));
        },
      ),
      { numRuns: 40, seed: 5 },
    );
  });
});

function sumOn(name: 'cpu' | 'wasm', shape: number[], axis: number | number[], keepDims: boolean) {
  return onBackend(name, () =>
    tf.tidy(() => {
      const out = tf.sum(tf.tensor(randomArray(tf.util.sizeFromShape(shape), 9), shape), axis, keepDims);
      return { shape: out.shape, values: out.dataSync() as Float32Array };
    }),
  );
}

describe('Sum on wasm matches cpu', () => {
  test.each<[number[], number | number[], boolean]>([
    [[1024, 128], 0, false], // bias gradient
    [[16, 64, 128], [0, 1], false], // same, rank 3
    [[16, 64, 128], [1, 0], true], // unsorted axes, keepDims
    [[7, 3], 0, true],
    [[5, 9], -1, false], // last axis: stock kernel
    [[4, 5, 6], [0, 2], false], // scattered axes: stock kernel
    [[4, 5, 6], [0, 1, 2], false], // everything: stock kernel
    [[0, 5], 0, false], // zero rows: zeros
  ])('shape %j, axis %j, keepDims %s', async (shape, axis, keepDims) => {
    const expected = await sumOn('cpu', shape, axis, keepDims);
    const actual = await sumOn('wasm', shape, axis, keepDims);
    expect(actual.shape).toEqual(expected.shape);
    expectClose(actual.values, expected.values, 1e-4, 1e-5);
  });

  it('property: leading-axis sums agree with cpu', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 2, maxLength: 4 }),
        fc.nat(),
        fc.boolean(),
        async (shape, lead, keep) => {
          const axes = Array.from({ length: 1 + (lead % (shape.length - 1)) }, (_, i) => i);
          const expected = await sumOn('cpu', shape, axes, keep);
          const actual = await sumOn('wasm', shape, axes, keep);
          expect(actual.shape).toEqual(expected.shape);
          expectClose(actual.values, expected.values, 1e-4, 1e-5);
        },
      ),
      { numRuns: 40, seed: 9 },
    );
  });
});
