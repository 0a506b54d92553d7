import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { initBackend } from '../backend/init-backend';
import { maxAbsDiff, randomTensor } from './test-utils/tiny';
import { defaultChunkRows, tokenStats } from './token-stats';

/** Plain composition: log_softmax(h·Wᵀ/τ)[target] and −Σ p log p. */
function reference(h: tf.Tensor2D, w: tf.Tensor2D, targets: Int32Array, temperature: number): tf.Tensor2D {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(tf.div(tf.matMul(h, w, false, true), temperature));
    const picked = tf.sum(tf.mul(logp, tf.oneHot(tf.tensor1d(targets, 'int32'), w.shape[0])), 1, true);
    const entropy = tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), 1, true));
    return tf.concat([picked, entropy], 1) as tf.Tensor2D;
  });
}

function stats(h: number[][], w: number[][], targets: number[], temperature = 1): number[][] {
  const ht = tf.tensor2d(h);
  const wt = tf.tensor2d(w);
  const out = tokenStats(ht, wt, Int32Array.from(targets), { temperature, chunkRows: 4 });
  const v = out.arraySync();
  tf.dispose([ht, wt, out]);
  return v;
}

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

// cpu runs the composed ops; wasm the fused kernels of backend/kernels/lm-head.ts: the same tests hold for both.
describe.each(['cpu', 'wasm'])('tokenStats on %s', (backend) => {
  beforeEach(async () => {
    expect(await tf.setBackend(backend)).toBe(true);
  });

  const ln3 = Math.log(3);
  const h2 = (p: number[]) => -p.reduce((s, x) => s + x * Math.log(x), 0);
  test.each([
    // logits [0, ln 3] → p = [1/4, 3/4]
    [[[1]], [[0], [ln3]], [1], 1, [[Math.log(3 / 4), h2([1 / 4, 3 / 4])]]],
    [[[1]], [[0], [ln3]], [0], 1, [[Math.log(1 / 4), h2([1 / 4, 3 / 4])]]],
    // τ = 2 → logits [0, ln 3 / 2] → p ∝ [1, √3]
    [
      [[1]],
      [[0], [ln3]],
      [1],
      2,
      [[Math.log(Math.sqrt(3) / (1 + Math.sqrt(3))), h2([1 / (1 + Math.sqrt(3)), Math.sqrt(3) / (1 + Math.sqrt(3))])]],
    ],
    // uniform over 3 → logp = −ln 3, H = ln 3
    [
      [[0, 0]],
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      [2],
      1,
      [[-ln3, ln3]],
    ],
  ])('h=%j W=%j target=%j τ=%d → %j', (h, w, t, temp, want) => {
    const got = stats(h, w, t, temp);
    got.forEach((row, i) => {
      expect(row[0]).toBeCloseTo(want[i]![0]!, 5);
      expect(row[1]).toBeCloseTo(want[i]![1]!, 5);
    });
  });

  test.each([1, 3, 7, 100])('equals the plain composition with chunkRows = %d, values and gradients', (chunkRows) => {
    const [n, d, v] = [7, 5, 11];
    const h = randomTensor([n, d], 1, 2) as tf.Tensor2D;
    const w = randomTensor([v, d], 2, 2) as tf.Tensor2D;
    const targets = Int32Array.from({ length: n }, (_, i) => (i * 5) % v);
    const a = randomTensor([n, 2], 3) as tf.Tensor2D; // upstream weights of logp and entropy
    for (const temperature of [1, 0.7]) {
      const mine = (hh: tf.Tensor, ww: tf.Tensor) =>
        tf.sum(tf.mul(tokenStats(hh as tf.Tensor2D, ww as tf.Tensor2D, targets, { temperature, chunkRows }), a));
      const ref = (hh: tf.Tensor, ww: tf.Tensor) =>
        tf.sum(tf.mul(reference(hh as tf.Tensor2D, ww as tf.Tensor2D, targets, temperature), a));
      const got = tokenStats(h, w, targets, { temperature, chunkRows });
      const want = reference(h, w, targets, temperature);
      expect(maxAbsDiff(got, want)).toBeLessThan(1e-5);
      const g1 = tf.grads(mine)([h, w]);
      const g2 = tf.grads(ref)([h, w]);
      expect(maxAbsDiff(g1[0]!, g2[0]!)).toBeLessThan(1e-4);
      expect(maxAbsDiff(g1[1]!, g2[1]!)).toBeLessThan(1e-4);
      tf.dispose([got, want, ...g1, ...g2]);
    }
    tf.dispose([h, w, a]);
  });

  test('gradient matches central finite differences (float64 math on the host)', () => {
    const hv = [0.3, -0.2, 0.5, 0.1];
    const wv = [
      [0.2, -0.1],
      [0.4, 0.3],
      [-0.5, 0.2],
    ];
    const target = 2;
    // f(h) = logp + 0.5 · entropy for one row h = hv[0..1]
    const f = (h: number[]) => {
      const z = wv.map((r) => r[0]! * h[0]! + r[1]! * h[1]!);
      const m = Math.max(...z);
      const lse = m + Math.log(z.reduce((s, x) => s + Math.exp(x - m), 0));
      const p = z.map((x) => Math.exp(x - lse));
      return z[target]! - lse + 0.5 * -p.reduce((s, pi, i) => s + pi * (z[i]! - lse), 0);
    };
    const h = tf.tensor2d([hv.slice(0, 2)]);
    const w = tf.tensor2d(wv);
    const g = tf.grad((x: tf.Tensor) =>
      tf.sum(
        tf.mul(
          tokenStats(x as tf.Tensor2D, w, Int32Array.from([target]), { temperature: 1, chunkRows: 1 }),
          tf.tensor2d([[1, 0.5]]),
        ),
      ),
    )(h);
    const eps = 1e-5;
    const base = hv.slice(0, 2);
    const fd = base.map((_, i) => {
      const up = base.slice();
      const dn = base.slice();
      up[i]! += eps;
      dn[i]! -= eps;
      return (f(up) - f(dn)) / (2 * eps);
    });
    const gv = g.dataSync();
    fd.forEach((d, i) => {
      expect(gv[i]).toBeCloseTo(d, 4);
    });
    tf.dispose([h, w, g]);
  });

  test('edge: logits of ±1000 stay finite', () => {
    const got = stats([[1000]], [[1], [-1], [0]], [1]);
    expect(got[0]![0]).toBeCloseTo(-2000, 0);
    expect(got[0]![1]).toBeCloseTo(0, 5);
  });

  test('edge: bad options and targets are rejected with the fix', () => {
    const h = tf.zeros([2, 2]) as tf.Tensor2D;
    const w = tf.zeros([3, 2]) as tf.Tensor2D;
    expect(() => tokenStats(h, w, Int32Array.from([0]), { temperature: 1, chunkRows: 1 })).toThrow(
      /1 targets for 2 rows/,
    );
    expect(() => tokenStats(h, w, Int32Array.from([0, 0]), { temperature: 0, chunkRows: 1 })).toThrow(/temperature/);
    expect(() => tokenStats(h, w, Int32Array.from([0, 0]), { temperature: 1, chunkRows: 0 })).toThrow(/chunkRows/);
    tf.dispose([h, w]);
  });

  test('defaultChunkRows keeps a chunk near 4 Mi logits', () => {
    expect(defaultChunkRows(151_936)).toBe(27);
    expect(defaultChunkRows(64)).toBe(65_536);
    expect(defaultChunkRows(10_000_000)).toBe(1);
  });

  test('entropy of a peaked row with large logits is never negative (a sum of non-negative terms)', () => {
    // The case that found it (V 6, seed 6534): lse − Σ p·z cancelled to −1.9e-6 in float32.
    const h = randomTensor([1, 3], 6534, 3) as tf.Tensor2D;
    const w = randomTensor([6, 3], 6535, 3) as tf.Tensor2D;
    const out = tokenStats(tf.tile(h, [6, 1]) as tf.Tensor2D, w, Int32Array.from([0, 1, 2, 3, 4, 5]), {
      temperature: 1,
      chunkRows: 2,
    });
    for (const [, ent] of out.arraySync()) expect(ent!).toBeGreaterThanOrEqual(0);
    tf.dispose([h, w, out]);
  });

  test('fast-check: logp ≤ 0, 0 ≤ H ≤ ln V, and Σ_targets exp(logp) = 1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 9 }), fc.integer({ min: 0, max: 10_000 }), (v, seed) => {
        const h = randomTensor([1, 3], seed, 3) as tf.Tensor2D;
        const w = randomTensor([v, 3], seed + 1, 3) as tf.Tensor2D;
        const hs = tf.tile(h, [v, 1]) as tf.Tensor2D;
        const out = tokenStats(
          hs,
          w,
          Int32Array.from({ length: v }, (_, i) => i),
          { temperature: 1, chunkRows: 2 },
        );
        const rows = out.arraySync();
        let total = 0;
        for (const [lp, ent] of rows) {
          expect(lp!).toBeLessThanOrEqual(1e-6);
          expect(ent!).toBeGreaterThanOrEqual(-1e-6);
          expect(ent!).toBeLessThanOrEqual(Math.log(v) + 1e-5);
          total += Math.exp(lp!);
        }
        expect(total).toBeCloseTo(1, 5);
        tf.dispose([h, w, hs, out]);
      }),
      { numRuns: 40 },
    );
  });
});
