import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { applyRope, ropeAngles } from './rope';
import { maxAbsDiff } from './test-utils/tiny';

function rotate(x: number[], pos: number, theta: number): number[] {
  const hd = x.length;
  const t = tf.tensor4d(x, [1, 1, 1, hd]);
  const angles = ropeAngles(Int32Array.from([pos]), 1, 1, hd, theta);
  const out = applyRope(t, angles);
  const v = [...out.dataSync()];
  tf.dispose([t, angles.cos, angles.sin, out]);
  return v;
}

describe('RoPE (rotate_half)', () => {
  test.each([
    // hd = 2: one frequency (1), angle = pos
    [[1, 0], 0, [1, 0]],
    [[1, 0], 1, [Math.cos(1), Math.sin(1)]],
    [[0, 1], 1, [-Math.sin(1), Math.cos(1)]],
  ])('x=%j at position %d → %j', (x, pos, want) => {
    const got = rotate(x, pos, 10_000);
    got.forEach((g, i) => {
      expect(g).toBeCloseTo(want[i]!, 6);
    });
  });

  test('hd = 4 pairs dimension i with i + hd/2 (HF rotate_half, not interleaved)', () => {
    // frequencies: 1 and 1/θ^(1/2) = 0.01 for θ = 1e4
    const got = rotate([1, 2, 3, 4], 2, 10_000);
    const [c0, s0, c1, s1] = [Math.cos(2), Math.sin(2), Math.cos(0.02), Math.sin(0.02)];
    const want = [1 * c0 - 3 * s0, 2 * c1 - 4 * s1, 3 * c0 + 1 * s0, 4 * c1 + 2 * s1];
    got.forEach((g, i) => {
      expect(g).toBeCloseTo(want[i]!, 5);
    });
  });

  test('position 0 is the identity', () => {
    const x = [0.3, -1, 2, 5, -0.5, 7];
    rotate(x, 0, 1e6).forEach((g, i) => {
      expect(g).toBeCloseTo(x[i]!, 6);
    });
  });

  test('fast-check: norms are kept and q·k depends only on the relative position', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -3, max: 3, noNaN: true }), { minLength: 8, maxLength: 8 }),
        fc.array(fc.float({ min: -3, max: 3, noNaN: true }), { minLength: 8, maxLength: 8 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 1, max: 100 }),
        (q, k, p, d, shift) => {
          const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
          const norm = (a: number[]) => Math.sqrt(dot(a, a));
          const rq = rotate(q, p + d, 100);
          expect(norm(rq)).toBeCloseTo(norm(q), 3);
          const a = dot(rq, rotate(k, p, 100));
          const b = dot(rotate(q, p + d + shift, 100), rotate(k, p + shift, 100));
          expect(Math.abs(a - b)).toBeLessThan(1e-3 * (1 + Math.abs(a)));
        },
      ),
      { numRuns: 60 },
    );
  });

  test('per-row positions broadcast over heads', () => {
    const x = tf.randomNormal([2, 3, 2, 4], 0, 1, 'float32', 1) as tf.Tensor4D;
    const angles = ropeAngles(Int32Array.from([0, 1, 5, 6]), 2, 2, 4, 10_000);
    const out = applyRope(x, angles);
    // row 0 position 0 is unchanged
    expect(maxAbsDiff(tf.slice(out, [0, 0, 0, 0], [1, 3, 1, 4]), tf.slice(x, [0, 0, 0, 0], [1, 3, 1, 4]))).toBe(0);
    tf.dispose([x, angles.cos, angles.sin, out]);
  });
});

test('angles replicated over heads equal the broadcast ones', () => {
  const pos = Int32Array.from([0, 3, 7, 2, 9, 4]);
  const one = ropeAngles(pos, 2, 3, 8, 500, 1);
  const three = ropeAngles(pos, 2, 3, 8, 500, 3);
  expect(three.cos.shape).toEqual([2, 3, 3, 8]);
  expect(maxAbsDiff(tf.broadcastTo(one.cos, [2, 3, 3, 8]), three.cos)).toBe(0);
  expect(maxAbsDiff(tf.broadcastTo(one.sin, [2, 3, 3, 8]), three.sin)).toBe(0);
  tf.dispose([one.cos, one.sin, three.cos, three.sin]);
});

/** The textbook formula with split and concat: `concat(x1·cos − x2·sin, x2·cos + x1·sin)`, angles from scratch. */
function ropeBySplit(x: tf.Tensor4D, positions: Int32Array, theta: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, , t, hd] = x.shape;
    const half = hd / 2;
    const angle = tf.tensor4d(
      Array.from({ length: b * t * half }, (_, i) => {
        const f = i % half;
        return positions[Math.floor(i / half)]! / theta ** ((2 * f) / hd);
      }),
      [b, 1, t, half],
    );
    const [cos, sin] = [tf.cos(angle), tf.sin(angle)];
    const [x1, x2] = tf.split(x, 2, 3);
    const halves = [tf.sub(tf.mul(x1!, cos), tf.mul(x2!, sin)), tf.add(tf.mul(x2!, cos), tf.mul(x1!, sin))];
    return tf.concat(halves, 3) as tf.Tensor4D;
  });
}

test('fast-check: equals the split/concat formula, forward and gradient', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 0, max: 1000 }),
      (b, h, t, halfDim, seed) => {
        const hd = 2 * halfDim;
        const positions = Int32Array.from({ length: b * t }, (_, i) => (i * 37 + seed) % 300);
        const x = tf.randomNormal([b, h, t, hd], 0, 1, 'float32', seed) as tf.Tensor4D;
        const proj = tf.randomNormal([b, h, t, hd], 0, 1, 'float32', seed + 1);
        const angles = ropeAngles(positions, b, t, hd, 1000, h);
        const mine = applyRope(x, angles);
        const ref = ropeBySplit(x, positions, 1000);
        expect(maxAbsDiff(mine, ref)).toBeLessThan(1e-4);
        const gMine = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(applyRope(v as tf.Tensor4D, angles), proj)))(x);
        const gRef = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(ropeBySplit(v as tf.Tensor4D, positions, 1000), proj)))(x);
        expect(maxAbsDiff(gMine, gRef)).toBeLessThan(1e-4);
        tf.dispose([x, proj, angles.cos, angles.sin, mine, ref, gMine, gRef]);
      },
    ),
    { numRuns: 30 },
  );
});
