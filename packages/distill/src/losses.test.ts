import { tf } from '@r1/model';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { forwardKlSum, maskedNll, maskedNllSum } from './losses';

/** Float64 reference: Σ_rows KL(softmax(t/T) ‖ softmax(s/T)) and its gradient in s, (q − p)/T per row. */
function klReference(student: number[][], teacher: number[][], T: number): { value: number; grad: number[][] } {
  const logSoftmax = (row: number[]) => {
    const z = row.map((x) => x / T);
    const m = Math.max(...z);
    const lse = m + Math.log(z.reduce((s, x) => s + Math.exp(x - m), 0));
    return z.map((x) => x - lse);
  };
  let value = 0;
  const grad = student.map((s, r) => {
    const logP = logSoftmax(teacher[r]!);
    const logQ = logSoftmax(s);
    logP.forEach((lp, v) => {
      value += Math.exp(lp) * (lp - logQ[v]!);
    });
    return logQ.map((lq, v) => (Math.exp(lq) - Math.exp(logP[v]!)) / T);
  });
  return { value, grad };
}

function random(rows: number, cols: number, seed: number, scale: number): number[][] {
  let s = seed >>> 0;
  return Array.from({ length: rows }, () =>
    Array.from({ length: cols }, () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return (s / 2 ** 32 - 0.5) * 2 * scale;
    }),
  );
}

describe('forwardKlSum (logit distillation)', () => {
  test.each([
    [3, 5, 1, 1, 1],
    [4, 7, 2, 2, 3],
    [2, 11, 0.5, 3, 8],
    [1, 64, 4, 4, 20],
  ])('matches the float64 reference: %i rows × %i vocab, T %f (value and gradient)', (rows, vocab, T, seed, scale) => {
    const s = random(rows, vocab, seed, scale);
    const t = random(rows, vocab, seed + 100, scale);
    const ref = klReference(s, t, T);
    const student = tf.tensor2d(s);
    const teacher = tf.tensor2d(t);
    const { value, grad: g } = tf.valueAndGrad((x: tf.Tensor) => forwardKlSum(x as tf.Tensor2D, teacher, T))(student);
    expect(value.dataSync()[0]!).toBeCloseTo(ref.value, 4);
    const got = g.arraySync() as number[][];
    let worst = 0;
    got.forEach((row, r) => {
      row.forEach((x, v) => {
        worst = Math.max(worst, Math.abs(x - ref.grad[r]![v]!));
      });
    });
    expect(worst).toBeLessThan(1e-5);
    tf.dispose([student, teacher, value, g]);
  });

  test('is 0 when the student equals the teacher, positive otherwise (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -20, max: 20, noNaN: true }), { minLength: 2, maxLength: 9 }),
        fc.float({ min: Math.fround(0.25), max: 4, noNaN: true }),
        (row, T) => {
          const same = tf.tidy(() => forwardKlSum(tf.tensor2d([row]), tf.tensor2d([row]), T).dataSync()[0]!);
          expect(Math.abs(same)).toBeLessThan(1e-5);
          const shifted = row.map((x, i) => (i === 0 ? x + 5 : x));
          const kl = tf.tidy(() => forwardKlSum(tf.tensor2d([shifted]), tf.tensor2d([row]), T).dataSync()[0]!);
          expect(kl).toBeGreaterThanOrEqual(-1e-6);
        },
      ),
      { numRuns: 40 },
    );
  });

  test('refuses mismatched shapes and a non-positive temperature', () => {
    const a = tf.zeros([2, 3]) as tf.Tensor2D;
    const b = tf.zeros([2, 4]) as tf.Tensor2D;
    expect(() => forwardKlSum(a, b, 1)).toThrow('differ in shape');
    expect(() => forwardKlSum(a, a, 0)).toThrow('temperature');
    tf.dispose([a, b]);
  });
});

describe('masked NLL', () => {
  test('sums and averages only masked positions; an all-masked batch gives 0, not NaN', () => {
    const lp = tf.tensor2d([
      [-1, -2, -3],
      [-4, -5, -6],
    ]);
    const mask = tf.tensor2d([
      [0, 1, 1],
      [1, 0, 0],
    ]);
    const none = tf.zeros([2, 3]) as tf.Tensor2D;
    expect(maskedNllSum(lp, mask).dataSync()[0]).toBeCloseTo(9);
    expect(maskedNll(lp, mask).dataSync()[0]).toBeCloseTo(3);
    expect(Math.abs(maskedNll(lp, none).dataSync()[0]!)).toBe(0);
    tf.dispose([lp, mask, none]);
  });
});
