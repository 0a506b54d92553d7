import { tf } from '@r1/model';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CLIP_NORM_EPSILON, clipGradNorm } from './clip-grad-norm';

const grads = (values: Record<string, number[]>) =>
  new Map(Object.entries(values).map(([k, v]) => [k, tf.tensor1d(v)] as [string, tf.Tensor]));
const values = (m: Map<string, tf.Tensor>) => Object.fromEntries([...m].map(([k, t]) => [k, Array.from(t.dataSync())]));

describe('clipGradNorm worked cases', () => {
  test.each([
    // {a: [3], b: [4]} has norm 5.
    { maxNorm: 10, scale: 1 },
    { maxNorm: 5, scale: 5 / (5 + CLIP_NORM_EPSILON) },
    { maxNorm: 1, scale: 1 / (5 + CLIP_NORM_EPSILON) },
    { maxNorm: 0, scale: 1 },
    { maxNorm: Number.POSITIVE_INFINITY, scale: 1 },
  ])('norm 5, maxNorm $maxNorm → scale $scale', ({ maxNorm, scale }) => {
    const out = clipGradNorm(grads({ a: [3], b: [4] }), maxNorm);
    expect(out.norm).toBeCloseTo(5, 6);
    expect(out.finite).toBe(true);
    expect(out.scale).toBeCloseTo(scale, 12);
    const v = values(out.grads);
    expect(v.a?.[0]).toBeCloseTo(3 * scale, 6);
    expect(v.b?.[0]).toBeCloseTo(4 * scale, 6);
  });

  test('accepts the record tf.variableGrads returns, and rank-2 tensors', () => {
    const out = clipGradNorm(
      {
        w: tf.tensor2d([
          [1, 1],
          [1, 1],
        ]),
      },
      1,
    );
    expect(out.norm).toBeCloseTo(2, 6);
    expect(Array.from(out.grads.get('w')?.dataSync() ?? []).every((x) => Math.abs(x - 0.5) < 1e-6)).toBe(true);
  });
});

describe('clipGradNorm edge cases', () => {
  test('NaN or ∞ in a gradient: reported, nothing scaled', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const out = clipGradNorm(grads({ a: [1, bad], b: [2] }), 1);
      expect(out.finite).toBe(false);
      expect(out.scale).toBe(1);
      expect(values(out.grads).b).toEqual([2]);
    }
  });

  test('float32 overflow of the squares (|g| ~ 1e20) is reported as non-finite rather than clipped wrongly', () => {
    expect(clipGradNorm(grads({ a: [1e20] }), 1).finite).toBe(false);
  });

  test('no gradients: norm 0; all-zero gradients: norm 0, unchanged', () => {
    expect(clipGradNorm(new Map(), 1)).toMatchObject({ norm: 0, finite: true, scale: 1 });
    expect(values(clipGradNorm(grads({ a: [0, 0] }), 1).grads)).toEqual({ a: [0, 0] });
  });

  test('rejects a negative or NaN maxNorm', () => {
    expect(() => clipGradNorm(new Map(), -1)).toThrow(/maxNorm must be ≥ 0/);
    expect(() => clipGradNorm(new Map(), Number.NaN)).toThrow(/maxNorm must be ≥ 0/);
  });

  test('returns tensors the caller owns: disposing the inputs leaves them intact, and nothing leaks', () => {
    const input = grads({ a: [3, 4] });
    const before = tf.memory().numTensors;
    const out = clipGradNorm(input, 1);
    tf.dispose([...input.values()]);
    expect(values(out.grads).a?.map((x) => Math.round(x * 1e4) / 1e4)).toEqual([0.6, 0.8]);
    tf.dispose([...out.grads.values()]);
    expect(tf.memory().numTensors).toBe(before - 1);
  });
});

describe('clipGradNorm properties', () => {
  const arb = fc.record({
    a: fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 8 }),
    b: fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 8 }),
  });

  test('norm is the global L2 norm; after clipping it is ≤ maxNorm; directions are kept', () => {
    fc.assert(
      fc.property(arb, fc.double({ min: 0.01, max: 50, noNaN: true }), (g, maxNorm) => {
        const all = [...g.a, ...g.b].map(Math.fround);
        const want = Math.sqrt(all.reduce((s, x) => s + x * x, 0));
        const out = clipGradNorm(grads(g), maxNorm);
        expect(Math.abs(out.norm - want)).toBeLessThanOrEqual(1e-5 * Math.max(1, want));
        const after = Object.values(values(out.grads)).flat();
        const afterNorm = Math.sqrt(after.reduce((s, x) => s + x * x, 0));
        expect(afterNorm).toBeLessThanOrEqual(maxNorm * (1 + 1e-5) + 1e-6);
        if (want <= maxNorm) expect(after).toEqual(all);
        after.forEach((x, i) => {
          expect(Math.abs(x - (all[i] ?? 0) * out.scale)).toBeLessThanOrEqual(1e-5 * Math.abs(all[i] ?? 0) + 1e-12);
        });
      }),
      { numRuns: 100 },
    );
  });
});
