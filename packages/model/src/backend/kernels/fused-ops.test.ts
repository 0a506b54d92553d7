/**
 * The wasm kernel pack's fused element-wise ops against their tfjs compositions on cpu: RMSNorm (`R1RmsNorm` /
 * `R1RmsNormGrad`), the SwiGLU activation (`R1SwiGlu` / `R1SwiGluGrad`), and the copy-free `Identity`. Values and
 * gradients, on tables of shapes (row widths that are and are not multiples of 4, one row, rank 3) and a property.
 */
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, test } from 'vitest';
import { swigluActivation } from '../../nn/linear';
import { rmsNorm } from '../../nn/rms-norm';
import { recordingGradients } from '../../nn/tape';
import { initBackend } from '../init-backend';
import { expectClose, onBackend, randomArray } from '../test-utils/on-backend';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

/** Value and gradients (w.r.t. both inputs) of Σ r ⊙ op(a, b), r random, as plain arrays. */
function valueAndGrads(
  name: 'cpu' | 'wasm',
  op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  aShape: number[],
  bShape: number[],
  seed: number,
  scale = 1,
): Promise<Float32Array[]> {
  return onBackend(name, () =>
    tf.tidy(() => {
      const a = tf.mul(tf.tensor(randomArray(tf.util.sizeFromShape(aShape), seed), aShape), scale);
      const b = tf.tensor(randomArray(tf.util.sizeFromShape(bShape), seed + 1), bShape);
      const value = op(a, b).dataSync() as Float32Array;
      const f = (x: tf.Tensor, y: tf.Tensor) => {
        const out = op(x, y);
        return tf.sum(tf.mul(out, tf.tensor(randomArray(out.size, seed + 2), out.shape)));
      };
      const grads = tf
        .grads(f)([a, b])
        .map((g) => g.dataSync() as Float32Array);
      return [value, ...grads];
    }),
  );
}

async function expectSameOnBoth(
  op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  aShape: number[],
  bShape: number[],
  seed: number,
  scale = 1,
) {
  const [wasm, cpu] = [
    await valueAndGrads('wasm', op, aShape, bShape, seed, scale),
    await valueAndGrads('cpu', op, aShape, bShape, seed, scale),
  ];
  expect(wasm).toHaveLength(3);
  for (let i = 0; i < 3; i++) expectClose(wasm[i]!, cpu[i]!, 1e-4, 1e-3);
}

const rms = (x: tf.Tensor, w: tf.Tensor) => rmsNorm(x, w as tf.Tensor1D, 1e-6);

describe('R1RmsNorm on wasm matches the composition on cpu', () => {
  test.each([
    [[8, 16]],
    [[5, 13]], // width not a multiple of 4: scalar tails
    [[1, 128]],
    [[2, 7, 12]], // rank 3
    [[3, 3]],
    [[64, 129]],
  ])('x %j: value and gradients', async (shape) => {
    await expectSameOnBoth(rms, shape, [shape.at(-1)!], 11);
  });

  it('large and tiny inputs stay finite and match (eps keeps zero rows at zero)', async () => {
    await expectSameOnBoth(rms, [4, 20], [20], 3, 1000);
    await expectSameOnBoth(rms, [4, 20], [20], 3, 1e-3);
    const zeros = await onBackend('wasm', () =>
      tf.tidy(() => Array.from(rmsNorm(tf.zeros([2, 6]), tf.ones([6]) as tf.Tensor1D, 1e-6).dataSync())),
    );
    expect(zeros).toEqual(new Array(12).fill(0));
  });

  it('property: any shape agrees with cpu', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 1000 }),
        async (rows, d, seed) => expectSameOnBoth(rms, [rows, d], [d], seed),
      ),
      { numRuns: 25, seed: 7 },
    );
  });

  it('rejects a weight of the wrong width', async () => {
    await expect(
      onBackend('wasm', () => tf.tidy(() => rmsNorm(tf.ones([2, 4]), tf.ones([3]) as tf.Tensor1D, 1e-6))),
    ).rejects.toThrow(/weight is \[3\], expected \[4\]/);
  });
});

describe('R1SwiGlu on wasm matches the composition on cpu', () => {
  test.each([[[8, 16]], [[3, 13]], [[1, 1]], [[2, 5, 7]]])('g, u %j: value and gradients', async (shape) => {
    await expectSameOnBoth(swigluActivation, shape, shape, 5);
  });

  it('large gates saturate like the composition', async () => {
    await expectSameOnBoth(swigluActivation, [4, 9], [4, 9], 8, 30);
  });

  it('property: any shape agrees with cpu', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 1000 }),
        async (rows, d, seed) => expectSameOnBoth(swigluActivation, [rows, d], [rows, d], seed, 4),
      ),
      { numRuns: 25, seed: 9 },
    );
  });
});

describe('fused ops outside a gradient tape', () => {
  it('run their kernel directly and leave nothing behind', async () => {
    await onBackend('wasm', () => {
      const x = tf.tensor(randomArray(6 * 8, 1), [6, 8]);
      const w = tf.ones([8]) as tf.Tensor1D;
      expect(recordingGradients()).toBe(false);
      const before = tf.engine().backend.numDataIds();
      const tensors = tf.memory().numTensors;
      rmsNorm(x, w, 1e-6).dispose();
      swigluActivation(x, x).dispose();
      expect(tf.engine().backend.numDataIds()).toBe(before);
      expect(tf.memory().numTensors).toBe(tensors);
      tf.grads((a: tf.Tensor) => {
        expect(recordingGradients()).toBe(true);
        return tf.sum(rmsNorm(a, w, 1e-6));
      })([x]).forEach((g) => {
        g.dispose();
      });
      tf.dispose([x, w]);
    });
  });
});

describe('Identity on wasm', () => {
  it('shares data: a clone survives its source and reads the same', async () => {
    await onBackend('wasm', () => {
      const x = tf.tensor([1, 2, 3, 4], [2, 2]);
      const before = tf.engine().backend.numDataIds();
      const y = tf.clone(x);
      expect(tf.engine().backend.numDataIds()).toBe(before);
      x.dispose();
      expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
      y.dispose();
      expect(tf.engine().backend.numDataIds()).toBe(before - 1);
    });
  });

  it('int32 and bool clones too', async () => {
    const out = await onBackend('wasm', () =>
      tf.tidy(() => [
        Array.from(tf.clone(tf.tensor([1, -2], [2], 'int32')).dataSync()),
        Array.from(tf.clone(tf.tensor([1, 0], [2], 'bool')).dataSync()),
      ]),
    );
    expect(out).toEqual([
      [1, -2],
      [1, 0],
    ]);
  });
});
