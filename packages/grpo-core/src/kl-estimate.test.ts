import { tf } from '@r1/model';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { KL_ESTIMATORS, type KlEstimator, klEstimate } from './kl-estimate';

function estimate(logp: number, ref: number, k: KlEstimator): number {
  return tf.tidy(() => klEstimate(tf.tensor1d([logp]), tf.tensor1d([ref]), k).dataSync()[0] ?? Number.NaN);
}

function expectClose(actual: number, expected: number, relTol = 1e-5, absTol = 1e-12): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relTol * Math.abs(expected) + absTol);
}

/** float64 reference of k3 at x = ref − logp, using expm1 to avoid cancellation. */
const k3Reference = (x: number) => Math.expm1(x) - x;

describe('klEstimate worked cases', () => {
  test.each([
    // logp, ref, k1, k2, k3 (k3 = e^(ref−logp) − (ref−logp) − 1)
    { logp: -1, ref: -1, k1: 0, k2: 0, k3: 0 },
    { logp: -1, ref: -2, k1: 1, k2: 0.5, k3: Math.exp(-1) },
    { logp: -2, ref: -1, k1: -1, k2: 0.5, k3: Math.E - 2 },
    { logp: -0.5, ref: -3.5, k1: 3, k2: 4.5, k3: Math.exp(-3) + 2 },
    { logp: -3, ref: -0.5, k1: -2.5, k2: 3.125, k3: Math.exp(2.5) - 3.5 },
    // Small differences exercise the series branch (|x| < 1e-2) and the switch to the direct form.
    { logp: -1.005, ref: -1, k1: -0.005, k2: 1.25e-5, k3: k3Reference(0.005) },
    { logp: -1, ref: -1.005, k1: 0.005, k2: 1.25e-5, k3: k3Reference(-0.005) },
    { logp: -1.05, ref: -1, k1: -0.05, k2: 1.25e-3, k3: k3Reference(0.05) },
    { logp: 0, ref: -0.0001, k1: 0.0001, k2: 5e-9, k3: k3Reference(-0.0001) },
  ])('logp=$logp ref=$ref', ({ logp, ref, k1, k2, k3 }) => {
    // float32 inputs: the difference logp − ref itself carries ~1e-7 absolute error.
    expectClose(estimate(logp, ref, 'k1'), k1, 1e-5, 2e-7);
    expectClose(estimate(logp, ref, 'k2'), k2, 1e-4, 1e-9);
    expectClose(estimate(logp, ref, 'k3'), k3, 1e-4, 1e-9);
  });
});

describe('klEstimate edge cases', () => {
  test('keeps the shape and works on [B, T]', () => {
    const out = klEstimate(tf.zeros([2, 3]), tf.zeros([2, 3]), 'k3');
    expect(out.shape).toEqual([2, 3]);
    expect(Array.from(out.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
  });

  test('±1000 gaps: k1/k2 finite, k3 overflows only when ref ≫ logp (exp of a huge number)', () => {
    expect(estimate(0, -1000, 'k1')).toBe(1000);
    expect(estimate(0, -1000, 'k2')).toBe(500000);
    expect(estimate(0, -1000, 'k3')).toBe(999); // e^−1000 − (−1000) − 1
    expect(estimate(-1000, 0, 'k3')).toBe(Number.POSITIVE_INFINITY);
  });

  test('NaN propagates (the caller masks padding before calling)', () => {
    for (const k of KL_ESTIMATORS) expect(estimate(Number.NaN, 0, k)).toBeNaN();
  });

  test('rejects mismatched shapes with both shapes in the message', () => {
    expect(() => klEstimate(tf.zeros([2, 3]), tf.zeros([3, 2]), 'k1')).toThrow(/\[2,3\].*\[3,2\]/);
  });

  test('gradients: d/dlogp of k1, k2, k3', () => {
    const logp = tf.tensor1d([-1, -2, -1.003]);
    const ref = tf.tensor1d([-2, -1, -1]);
    const x = [-1, 1, 0.003]; // ref − logp
    const grads = (k: KlEstimator) =>
      Array.from(
        tf
          .grad((lp: tf.Tensor) => tf.sum(klEstimate(lp, ref, k)))(logp)
          .dataSync(),
      );
    // d/dlogp: k1 → 1, k2 → −x, k3 → 1 − eˣ.
    const want = { k1: x.map(() => 1), k2: x.map((v) => -v), k3: x.map((v) => -Math.expm1(v)) };
    for (const k of KL_ESTIMATORS) {
      grads(k).forEach((g, i) => {
        expectClose(g, want[k][i] ?? Number.NaN, 1e-4, 1e-6);
      });
    }
  });
});

describe('klEstimate properties', () => {
  const lp = fc.double({ min: -30, max: 0, noNaN: true });
  const pair = fc.tuple(fc.array(lp, { minLength: 1, maxLength: 16 }), fc.array(lp, { minLength: 16, maxLength: 16 }));

  test('k2 and k3 are ≥ 0 everywhere, and 0 when logp = ref', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        const logp = tf.tensor1d(a);
        const ref = tf.tensor1d(b.slice(0, a.length));
        for (const k of ['k2', 'k3'] as const) {
          expect(Array.from(klEstimate(logp, ref, k).dataSync()).every((v) => v >= 0)).toBe(true);
          expect(Array.from(klEstimate(logp, logp, k).dataSync()).every((v) => v === 0)).toBe(true);
        }
        tf.dispose([logp, ref]);
      }),
      { numRuns: 100 },
    );
  });

  test('k3 matches a float64 reference; k1 is antisymmetric', () => {
    fc.assert(
      fc.property(lp, fc.double({ min: -5, max: 5, noNaN: true }), (logp, gap) => {
        const ref = Math.fround(logp + gap);
        const x = ref - Math.fround(logp);
        expectClose(estimate(logp, ref, 'k3'), k3Reference(x), 1e-3, 1e-6);
        expect(estimate(logp, ref, 'k1') + estimate(ref, logp, 'k1')).toBe(0);
      }),
      { numRuns: 100 },
    );
  });
});
