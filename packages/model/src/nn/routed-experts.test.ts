import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { SwiGluWeights } from './linear';
import { routedExperts, slotsByExpert } from './routed-experts';
import { maxAbsDiff, randomTensor } from './test-utils/tiny';

/** The plain taped composition: per (token, slot), its expert's SwiGLU on the token, weighted, summed per token. */
function reference(x: tf.Tensor2D, experts: SwiGluWeights[], weights: tf.Tensor2D, routed: Int32Array): tf.Tensor2D {
  return tf.tidy(() => {
    const [n, k] = weights.shape;
    const mlp = (w: SwiGluWeights) => {
      const g = tf.matMul(x, w.gate, false, true);
      const u = tf.matMul(x, w.up, false, true);
      return tf.matMul(tf.mul(tf.mul(g, tf.sigmoid(g)), u), w.down, false, true);
    };
    const e = experts.length;
    const onehot = new Float32Array(n * k * e);
    routed.forEach((ex, i) => {
      onehot[i * e + ex] = 1;
    });
    const mask = tf.tensor3d(onehot, [n, k, e]); // [n, k, E]
    const perExpert = tf.sum(tf.mul(mask, tf.expandDims(weights, 2)), 1); // [n, E]
    const outs = experts.map((w, e) => tf.mul(mlp(w), tf.slice(perExpert, [0, e], [n, 1])));
    return tf.addN(outs) as tf.Tensor2D;
  });
}

function makeExperts(e: number, d: number, i: number, seed: number): SwiGluWeights[] {
  return Array.from({ length: e }, (_, j) => ({
    gate: randomTensor([i, d], seed + 10 * j + 1) as tf.Tensor2D,
    up: randomTensor([i, d], seed + 10 * j + 2) as tf.Tensor2D,
    down: randomTensor([d, i], seed + 10 * j + 3) as tf.Tensor2D,
  }));
}

/** Forward and every gradient (x, weights, each expert's gate/up/down) of `sum(f(...) ⊙ proj)`. */
function valueAndGrads(
  f: typeof routedExperts,
  x: tf.Tensor2D,
  experts: SwiGluWeights[],
  weights: tf.Tensor2D,
  routed: Int32Array,
  proj: tf.Tensor,
): { out: tf.Tensor; grads: tf.Tensor[] } {
  const out = f(x, experts, weights, routed);
  const grads = tf.grads((...args: tf.Tensor[]) => {
    const [xx, ww, ...flat] = args as [tf.Tensor2D, tf.Tensor2D, ...tf.Tensor2D[]];
    const ex = experts.map((_, j) => ({ gate: flat[3 * j]!, up: flat[3 * j + 1]!, down: flat[3 * j + 2]! }));
    return tf.sum(tf.mul(f(xx, ex, ww, routed), proj));
  })([x, weights, ...experts.flatMap((w) => [w.gate, w.up, w.down])]);
  return { out, grads };
}

describe('slotsByExpert', () => {
  test.each([
    [
      [0, 1, 1, 0],
      2,
      [
        [0, 3],
        [1, 2],
      ],
    ],
    [[2, 2, 2], 3, [[], [], [0, 1, 2]]],
    [[], 2, [[], []]],
  ])('%j over %d experts → %j', (routed, e, want) => {
    expect(slotsByExpert(Int32Array.from(routed), e).map((s) => [...s])).toEqual(want);
  });

  test('an expert index out of range is rejected', () => {
    expect(() => slotsByExpert(Int32Array.from([0, 3]), 3)).toThrow(/expert 3 is not in \[0, 3\)/);
  });
});

describe('routedExperts equals the plain composition (forward and every gradient)', () => {
  test('worked example: one token, k = 1, identity-like expert', () => {
    // gate = up = I, down = I: y = silu(x) ⊙ x; weight 2
    const eye = tf.eye(2) as tf.Tensor2D;
    const x = tf.tensor2d([[1, -2]]);
    const w = tf.tensor2d([[2]]);
    const out = routedExperts(x, [{ gate: eye, up: eye, down: eye }], w, Int32Array.from([0]));
    const silu = (v: number) => v / (1 + Math.exp(-v));
    const got = out.dataSync();
    expect(got[0]).toBeCloseTo(2 * silu(1) * 1, 5);
    expect(got[1]).toBeCloseTo(2 * silu(-2) * -2, 5);
    tf.dispose([eye, x, w, out]);
  });

  test('fast-check: random sizes and routings, idle experts get exact zero gradients', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 1000 }),
        (n, k, numExperts, seed) => {
          const d = 3;
          const inter = 4;
          // a seeded routing that may leave experts idle (repeats allowed: the op does not need distinct experts)
          const routed = Int32Array.from({ length: n * k }, (_, i) => ((i * 7 + seed) % 5) % numExperts);
          const x = randomTensor([n, d], seed) as tf.Tensor2D;
          const weights = randomTensor([n, k], seed + 1) as tf.Tensor2D;
          const proj = randomTensor([n, d], seed + 2);
          const experts = makeExperts(numExperts, d, inter, seed + 3);
          const mine = valueAndGrads(routedExperts, x, experts, weights, routed, proj);
          const ref = valueAndGrads(reference, x, experts, weights, routed, proj);
          expect(maxAbsDiff(mine.out, ref.out)).toBeLessThan(1e-5);
          expect(mine.grads.length).toBe(2 + 3 * numExperts);
          mine.grads.forEach((g, i) => {
            expect(g.shape).toEqual(ref.grads[i]!.shape);
            expect(maxAbsDiff(g, ref.grads[i]!)).toBeLessThan(1e-4);
          });
          const used = new Set(routed);
          for (let e = 0; e < numExperts; e++) {
            if (used.has(e)) continue;
            for (const g of mine.grads.slice(2 + 3 * e, 5 + 3 * e))
              expect(tf.any(tf.notEqual(g, 0)).dataSync()[0]).toBe(0);
          }
          tf.dispose([x, weights, proj, mine.out, ref.out, ...mine.grads, ...ref.grads]);
          tf.dispose(experts.flatMap((w) => [w.gate, w.up, w.down]));
        },
      ),
      { numRuns: 30 },
    );
  });

  test('no tensors leak, with or without a gradient', () => {
    const x = randomTensor([5, 3], 1) as tf.Tensor2D;
    const weights = randomTensor([5, 2], 2) as tf.Tensor2D;
    const experts = makeExperts(3, 3, 4, 3);
    const routed = Int32Array.from([0, 1, 1, 0, 0, 1, 0, 1, 1, 0]);
    const before = tf.memory().numTensors;
    tf.dispose(routedExperts(x, experts, weights, routed));
    const g = tf.grad((v: tf.Tensor) => tf.sum(routedExperts(v as tf.Tensor2D, experts, weights, routed)))(x);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, weights, ...experts.flatMap((w) => [w.gate, w.up, w.down])]);
  });

  test('bad shapes are rejected with what to pass', () => {
    const x = tf.zeros([2, 3]) as tf.Tensor2D;
    const experts = makeExperts(2, 3, 4, 0);
    const w = tf.zeros([2, 2]) as tf.Tensor2D;
    const w3 = tf.zeros([3, 2]) as tf.Tensor2D;
    expect(() => routedExperts(x, experts, w3, Int32Array.from([0, 1, 0, 1, 0, 1]))).toThrow(/3 rows but x has 2/);
    expect(() => routedExperts(x, experts, w, Int32Array.from([0, 1]))).toThrow(/expected N·k = 4/);
    expect(() => routedExperts(x, [], w, Int32Array.from([0, 0, 0, 0]))).toThrow(/no experts/);
    expect(() => routedExperts(x, experts, w, Int32Array.from([0, 1, 2, 0]))).toThrow(/expert 2 is not in/);
    tf.dispose([x, w, w3, ...experts.flatMap((e) => [e.gate, e.up, e.down])]);
  });
});
