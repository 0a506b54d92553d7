/**
 * The routed-experts op against the plain taped composition, on both implementations: the fused heap kernels
 * (wasm, registered by initBackend) and the tfjs-op composition (cpu). Plus a float64 finite-difference check of
 * every gradient on the kernels.
 */
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { initBackend } from '../backend/init-backend';
import { ROUTED_EXPERTS, ROUTED_EXPERTS_GRAD } from '../backend/kernels/routed-experts';
import { expectMatchesFiniteDifferences } from '../backend/test-utils/finite-diff';
import type { SwiGluWeights } from './linear';
import { groupSlotsByExpert, routedExperts } from './routed-experts';
import { maxAbsDiff, randomTensor } from './test-utils/tiny';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} }); // registers the kernels; each suite below picks its backend
});

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

describe('groupSlotsByExpert', () => {
  test.each([
    [[0, 1, 1, 0], 2, [0, 3, 1, 2], [0, 2, 4]],
    [[2, 2, 2], 3, [0, 1, 2], [0, 0, 0, 3]],
    [[1, 0, 2, 0], 4, [1, 3, 0, 2], [0, 2, 3, 4, 4]],
    [[], 2, [], [0, 0, 0]],
  ])('%j over %d experts → order %j, offsets %j', (routed, e, order, offsets) => {
    const g = groupSlotsByExpert(Int32Array.from(routed), e);
    expect([...g.order]).toEqual(order);
    expect([...g.offsets]).toEqual(offsets);
  });

  test('property: order is a permutation grouped by expert, token order within a group', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.array(fc.nat(8)), (e, raw) => {
        const routed = Int32Array.from(raw, (v) => v % e);
        const { order, offsets } = groupSlotsByExpert(routed, e);
        expect([...order].sort((a, b) => a - b)).toEqual(Array.from(routed, (_, i) => i));
        for (let x = 0; x < e; x++) {
          const group = [...order.subarray(offsets[x]!, offsets[x + 1]!)];
          expect(group.every((slot) => routed[slot] === x)).toBe(true);
          expect(group).toEqual([...group].sort((a, b) => a - b));
        }
      }),
    );
  });

  test('an expert index out of range is rejected', () => {
    expect(() => groupSlotsByExpert(Int32Array.from([0, 3]), 3)).toThrow(/expert 3 is not in \[0, 3\)/);
  });
});

test('initBackend registers the fused kernels for wasm only', () => {
  expect(tf.getKernel(ROUTED_EXPERTS, 'wasm')).toBeDefined();
  expect(tf.getKernel(ROUTED_EXPERTS_GRAD, 'wasm')).toBeDefined();
  expect(tf.getKernel(ROUTED_EXPERTS, 'cpu')).toBeUndefined();
});

describe.each(['cpu', 'wasm'] as const)(
  'routedExperts on %s equals the plain composition (forward and every gradient)',
  (backend) => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
    });

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
      const wide = { ...experts[1]!, down: tf.zeros([3, 5]) as tf.Tensor2D };
      expect(() => routedExperts(x, [experts[0]!, wide], w, Int32Array.from([0, 1, 0, 1]))).toThrow(
        /expert 1's down is \[3,5\], expected \[3,4\]/,
      );
      wide.down.dispose();
      tf.dispose([x, w, w3, ...experts.flatMap((e) => [e.gate, e.up, e.down])]);
    });
  },
);

describe('the fused kernels on wasm', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
  });

  test('bench-like sizes (4×8 register blocks and every edge) equal the composition', () => {
    // 8 experts top-2 over 61 tokens: ~15 rows per expert, d and inter not multiples of 8.
    const [n, k, numExperts, d, inter] = [61, 2, 8, 20, 13];
    const routed = Int32Array.from({ length: n * k }, (_, i) => (i * 5 + Math.floor(i / 7)) % numExperts);
    const x = randomTensor([n, d], 1) as tf.Tensor2D;
    const weights = randomTensor([n, k], 2) as tf.Tensor2D;
    const proj = randomTensor([n, d], 3);
    const experts = makeExperts(numExperts, d, inter, 4);
    const mine = valueAndGrads(routedExperts, x, experts, weights, routed, proj);
    const ref = valueAndGrads(reference, x, experts, weights, routed, proj);
    expect(maxAbsDiff(mine.out, ref.out)).toBeLessThan(1e-4);
    mine.grads.forEach((g, i) => {
      expect(maxAbsDiff(g, ref.grads[i]!)).toBeLessThan(1e-4);
    });
    tf.dispose([x, weights, proj, mine.out, ref.out, ...mine.grads, ...ref.grads]);
    tf.dispose(experts.flatMap((w) => [w.gate, w.up, w.down]));
  });

  test('every gradient matches central finite differences of a float64 host reference', () => {
    const [n, k, numExperts, d, inter] = [6, 2, 3, 5, 4];
    const routed = Int32Array.from([0, 1, 2, 0, 1, 0, 0, 2, 1, 2, 0, 0]); // every expert used
    const xs = Array.from(randomTensor([n, d], 11).dataSync());
    const ws = Array.from(randomTensor([n, k], 12).dataSync());
    const proj = Array.from(randomTensor([n, d], 13).dataSync());
    const mats = Array.from({ length: numExperts }, (_, e) => [
      Array.from(randomTensor([inter, d], 20 + e).dataSync()),
      Array.from(randomTensor([inter, d], 30 + e).dataSync()),
      Array.from(randomTensor([d, inter], 40 + e).dataSync()),
    ]);
    // loss = Σ proj ⊙ out, in float64 on the host.
    const loss = (x: number[], w: number[], m: number[][][]) => {
      let total = 0;
      for (let t = 0; t < n; t++)
        for (let j = 0; j < k; j++) {
          const [gate, up, down] = m[routed[t * k + j]!]!;
          const hid = Array.from({ length: inter }, (_, i) => {
            let g = 0;
            let u = 0;
            for (let c = 0; c < d; c++) {
              g += gate![i * d + c]! * x[t * d + c]!;
              u += up![i * d + c]! * x[t * d + c]!;
            }
            return (g / (1 + Math.exp(-g))) * u;
          });
          for (let c = 0; c < d; c++) {
            let y = 0;
            for (let i = 0; i < inter; i++) y += down![c * inter + i]! * hid[i]!;
            total += proj[t * d + c]! * w[t * k + j]! * y;
          }
        }
      return total;
    };
    const x = tf.tensor2d(xs, [n, d]);
    const w = tf.tensor2d(ws, [n, k]);
    const experts = mats.map(([gate, up, down]) => ({
      gate: tf.tensor2d(gate!, [inter, d]),
      up: tf.tensor2d(up!, [inter, d]),
      down: tf.tensor2d(down!, [d, inter]),
    }));
    const { grads, out } = valueAndGrads(routedExperts, x, experts, w, routed, tf.tensor2d(proj, [n, d]));
    expectMatchesFiniteDifferences(
      ([xx, ww, ...flat]) =>
        loss(
          xx!,
          ww!,
          Array.from({ length: numExperts }, (_, e) => flat.slice(3 * e, 3 * e + 3)),
        ),
      [xs, ws, ...mats.flat()],
      grads.map((g) => g.dataSync()),
    );
    tf.dispose([x, w, out, ...grads, ...experts.flatMap((e) => [e.gate, e.up, e.down])]);
  });

  test('forward only (no tape) leaves no tensors behind', () => {
    const x = randomTensor([9, 4], 1) as tf.Tensor2D;
    const weights = randomTensor([9, 2], 2) as tf.Tensor2D;
    const experts = makeExperts(4, 4, 6, 3);
    const routed = Int32Array.from({ length: 18 }, (_, i) => i % 3); // expert 3 idle
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.dispose(routedExperts(x, experts, weights, routed));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, weights, ...experts.flatMap((w) => [w.gate, w.up, w.down])]);
  });
});
