import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { initBackend } from '../init-backend';
import { expectMatchesFiniteDifferences } from '../test-utils/finite-diff';
import { expectClose, onBackend, randomArray } from '../test-utils/on-backend';
import { sumToBatchShape } from './batch-mat-mul-grad';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} }); // also registers the gradient
});

type Case = [aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean];

/** Gradients of Σ w ⊙ matMul(a, b), once through broadcasting and once with the broadcast operand tiled by hand. */
function bothWays([aShape, bShape, ta, tb]: Case): { broadcast: Float32Array[]; tiled: Float32Array[] } {
  return tf.tidy(() => {
    const a = tf.tensor(randomArray(tf.util.sizeFromShape(aShape), 1), aShape);
    const b = tf.tensor(randomArray(tf.util.sizeFromShape(bShape), 2), bShape);
    const outShape = tf.matMul(a, b, ta, tb).shape;
    const w = tf.tensor(randomArray(tf.util.sizeFromShape(outShape), 3), outShape);
    const batch = outShape.slice(0, -2);
    const tileTo = (x: tf.Tensor) => {
      const padded = tf.reshape(x, [...Array<number>(batch.length + 2 - x.rank).fill(1), ...x.shape]);
      return tf.tile(padded, [...batch.map((d, i) => d / padded.shape[i]!), 1, 1]);
    };
    const loss = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, ta, tb), w));
    const broadcast = tf
      .grads(loss)([a, b])
      .map((g) => g.dataSync() as Float32Array);
    const tiled = tf
      .grads((x: tf.Tensor, y: tf.Tensor) => loss(tileTo(x), tileTo(y)))([a, b])
      .map((g) => g.dataSync() as Float32Array);
    return { broadcast, tiled };
  });
}

describe('BatchMatMul gradient with broadcast batch dims', () => {
  test.each<Case>([
    [[3, 17, 40], [23, 40], false, true],
    [[3, 17, 40], [40, 23], false, false],
    [[3, 40, 17], [40, 23], true, false],
    [[1, 16, 20], [5, 24, 16], true, true],
    [[2, 3, 8, 6], [1, 3, 6, 5], false, false],
    [[4, 9, 7], [4, 7, 5], false, false],
  ])('a %j · b %j (transposeA %s, transposeB %s) equals the tiled composition', async (...c) => {
    for (const name of ['cpu', 'wasm'] as const) {
      const { broadcast, tiled } = await onBackend(name, () => bothWays(c));
      expectClose(broadcast[0]!, tiled[0]!, 1e-4, 1e-4);
      expectClose(broadcast[1]!, tiled[1]!, 1e-4, 1e-4);
    }
  });

  // A broadcast dim that is not leading: tfjs's cpu kernel indexes it as `i % batch` and gets the forward wrong,
  // so this runs on wasm only, where our kernel maps batch indices properly.
  test.each<Case>([
    [[2, 1, 8, 6], [2, 3, 6, 5], false, false],
    [[3, 1, 9, 9], [1, 2, 9, 9], true, true],
  ])('wasm: a %j · b %j (transposeA %s, transposeB %s) equals the tiled composition', async (...c) => {
    const { broadcast, tiled } = await onBackend('wasm', () => bothWays(c));
    expectClose(broadcast[0]!, tiled[0]!, 1e-4, 1e-4);
    expectClose(broadcast[1]!, tiled[1]!, 1e-4, 1e-4);
  });

  test('sumToBatchShape keeps unbroadcast gradients as they are and sums broadcast ones', async () => {
    await onBackend('cpu', () => {
      const g = tf.ones([2, 3, 4, 5]);
      expect(sumToBatchShape(g, [2, 3, 4, 5])).toBe(g);
      expect(sumToBatchShape(g, [4, 5]).dataSync()[0]).toBe(6);
      expect(sumToBatchShape(g, [1, 3, 4, 5]).shape).toEqual([1, 3, 4, 5]);
      expect(sumToBatchShape(g, [2, 1, 4, 5]).dataSync()[0]).toBe(3);
    });
  });

  // Rank-3 a against rank-3 or rank-2 b; a batch of 1 broadcasts.
  test.each<Case>([
    [[3, 4, 5], [5, 2], false, false],
    [[3, 5, 4], [1, 2, 5], true, true],
    [[1, 4, 5], [3, 5, 2], false, false],
  ])('wasm: gradients of a %j · b %j (transposeA %s, transposeB %s) match central finite differences', async (...c) => {
    const [aShape, bShape, ta, tb] = c;
    const a = randomArray(tf.util.sizeFromShape(aShape), 11);
    const b = randomArray(tf.util.sizeFromShape(bShape), 12);
    const { analytic, outShape, w } = await onBackend('wasm', () =>
      tf.tidy(() => {
        const [at, bt] = [tf.tensor(a, aShape), tf.tensor(b, bShape)];
        const shape = tf.matMul(at, bt, ta, tb).shape;
        const wt = tf.tensor(randomArray(tf.util.sizeFromShape(shape), 13), shape);
        const grads = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, ta, tb), wt)))([at, bt]);
        return { analytic: grads.map((g) => g.dataSync()), outShape: shape, w: wt.dataSync() };
      }),
    );
    // Σ w ⊙ (op(a_i) · op(b_i)) over the batch, in float64, with batch-1 operands broadcast.
    const [batch, m, n] = [outShape[0]!, outShape[1]!, outShape[2]!];
    const k = ta ? aShape.at(-2)! : aShape.at(-1)!;
    const elem = (x: number[], shape: number[], i: number, r: number, c: number, t: boolean) => {
      const [rows, cols] = [shape.at(-2)!, shape.at(-1)!];
      const base = shape.length === 3 && shape[0] !== 1 ? i * rows * cols : 0;
      return t ? x[base + c * cols + r]! : x[base + r * cols + c]!;
    };
    const loss = ([x, y]: number[][]) => {
      let total = 0;
      for (let i = 0; i < batch; i++)
        for (let r = 0; r < m; r++)
          for (let col = 0; col < n; col++) {
            let dot = 0;
            for (let p = 0; p < k; p++) dot += elem(x!, aShape, i, r, p, ta) * elem(y!, bShape, i, p, col, tb);
            total += w[(i * m + r) * n + col]! * dot;
          }
      return total;
    };
    expectMatchesFiniteDifferences(loss, [Array.from(a), Array.from(b)], analytic);
  });
});
