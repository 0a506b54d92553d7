import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { countLoad, route, selectTopK, sequenceBalanceLoss } from './moe-router';
import { randomTensor } from './test-utils/tiny';

describe('selectTopK', () => {
  test.each([
    [[0.1, 0.9, 0.5, 0.3], [0, 0, 0, 0], 2, [1, 2]],
    [[0.1, 0.9, 0.5, 0.3], [1, 0, 0, 0], 2, [0, 1]],
    [[0.1, 0.9, 0.5, 0.3], [0, -1, 0, 0], 1, [2]],
    [[0.5, 0.5, 0.5, 0.5], [0, 0, 0, 0], 3, [0, 1, 2]], // ties → lower index
    [[-1, -2, -3, -4], [0, 0, 0, 0], 4, [0, 1, 2, 3]],
  ])('scores %j + bias %j, k=%d → %j', (scores, bias, k, want) => {
    expect([...selectTopK(scores, bias, 1, 4, k)]).toEqual(want);
  });

  test('NaN scores still pick k distinct experts', () => {
    const got = selectTopK([Number.NaN, Number.NaN, Number.NaN], [0, 0, 0], 1, 3, 2);
    expect(new Set(got).size).toBe(2);
  });

  test('fast-check: picks k distinct experts whose biased scores dominate the rest', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 8 })
          .chain((e) =>
            fc.tuple(
              fc.array(fc.float({ min: -5, max: 5, noNaN: true }), { minLength: e, maxLength: e }),
              fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: e, maxLength: e }),
              fc.integer({ min: 1, max: e }),
            ),
          ),
        ([scores, bias, k]) => {
          const e = scores.length;
          const sel = [...selectTopK(scores, bias, 1, e, k)];
          expect(new Set(sel).size).toBe(k);
          const s = (x: number) => Math.fround(scores[x]!) + Math.fround(bias[x]!);
          const minChosen = Math.min(...sel.map(s));
          for (let x = 0; x < e; x++) if (!sel.includes(x)) expect(s(x)).toBeLessThanOrEqual(minChosen);
        },
      ),
    );
  });
});

describe('route', () => {
  const opts = { scoringFunc: 'sigmoid' as const, topK: 2, normTopkProb: true, routedScalingFactor: 2.5 };

  test('weights come from unbiased scores, renormalised and scaled; bias only changes the choice', () => {
    const x = randomTensor([5, 6], 1) as tf.Tensor2D;
    const gate = randomTensor([4, 6], 2) as tf.Tensor2D;
    const plain = route(x, gate, [0, 0, 0, 0], opts);
    const biased = route(x, gate, [10, 10, 0, 0], opts); // forces experts 0 and 1
    const scores = plain.scores.arraySync();
    for (let n = 0; n < 5; n++) {
      expect([...biased.experts.slice(n * 2, n * 2 + 2)].sort()).toEqual([0, 1]);
      const s0 = scores[n]![0]!;
      const s1 = scores[n]![1]!;
      const w = biased.weights.arraySync()[n]!;
      const want = biased.experts[n * 2] === 0 ? [s0, s1] : [s1, s0];
      expect(w[0]).toBeCloseTo((2.5 * want[0]!) / (s0 + s1), 5);
      expect(w[1]).toBeCloseTo((2.5 * want[1]!) / (s0 + s1), 5);
    }
    const sums = tf.sum(plain.weights, 1).dataSync();
    for (const s of sums) expect(s).toBeCloseTo(2.5, 5);
    tf.dispose([x, gate, plain.scores, plain.weights, biased.scores, biased.weights]);
  });

  test('softmax scoring without renormalisation keeps raw probabilities', () => {
    const x = randomTensor([3, 6], 3) as tf.Tensor2D;
    const gate = randomTensor([4, 6], 4) as tf.Tensor2D;
    const r = route(x, gate, [0, 0, 0, 0], {
      scoringFunc: 'softmax',
      topK: 4,
      normTopkProb: false,
      routedScalingFactor: 1,
    });
    for (const s of tf.sum(r.weights, 1).dataSync()) expect(s).toBeCloseTo(1, 5);
    tf.dispose([x, gate, r.scores, r.weights]);
  });
});

describe('countLoad', () => {
  test('counts real tokens only', () => {
    // 3 tokens, k = 2; token 1 is padding
    expect(countLoad(Int32Array.from([0, 1, 1, 2, 2, 0]), Uint8Array.from([1, 0, 1]), 3, 2)).toEqual([2, 1, 1]);
  });
});

describe('sequenceBalanceLoss', () => {
  test('worked example: perfectly balanced uniform scores give α (the minimum)', () => {
    // 1 sequence, 2 tokens, E = 2, k = 1: token 0 → expert 0, token 1 → expert 1, scores uniform.
    const scores = tf.tensor2d([
      [0.5, 0.5],
      [0.5, 0.5],
    ]);
    const loss = sequenceBalanceLoss(
      scores,
      Int32Array.from([0, 1]),
      Uint8Array.from([1, 1]),
      { batch: 1, time: 2, topK: 1 },
      0.1,
    );
    // f = E/(kT)·count = 2/2·1 = 1 for each; P = 0.5 each → Σ f·P = 1 → α·1
    expect(loss.dataSync()[0]).toBeCloseTo(0.1, 6);
    tf.dispose([scores, loss]);
  });

  test('worked example: collapsed routing doubles it; padding and empty rows are ignored', () => {
    const scores = tf.tensor2d([
      [0.9, 0.1],
      [0.9, 0.1],
      [0.3, 0.7],
      [0.2, 0.2],
    ]);
    // batch 2 × time 2; row 1 is all padding
    const loss = sequenceBalanceLoss(
      scores,
      Int32Array.from([0, 0, 1, 1]),
      Uint8Array.from([1, 1, 0, 0]),
      { batch: 2, time: 2, topK: 1 },
      1,
    );
    // row 0: f = [2, 0], P = [0.9, 0.1] → 1.8; row 1 contributes 0; mean over 2 rows = 0.9
    expect(loss.dataSync()[0]).toBeCloseTo(0.9, 5);
    tf.dispose([scores, loss]);
  });

  test('gradient flows to the scores (P is differentiable, f is constant)', () => {
    const scores = tf.tensor2d([[0.6, 0.4]]);
    const g = tf.grad((s: tf.Tensor) =>
      sequenceBalanceLoss(
        s as tf.Tensor2D,
        Int32Array.from([0]),
        Uint8Array.from([1]),
        { batch: 1, time: 1, topK: 1 },
        1,
      ),
    )(scores);
    // loss = f0 · s0/(s0+s1) with f0 = 2: d/ds0 = 2·s1/(s0+s1)² = 0.8, d/ds1 = −2·s0/(s0+s1)² = −1.2
    const [d0, d1] = g.dataSync();
    expect(d0).toBeCloseTo(0.8, 5);
    expect(d1).toBeCloseTo(-1.2, 5);
    tf.dispose([scores, g]);
  });
});
