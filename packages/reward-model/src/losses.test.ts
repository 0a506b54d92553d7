import { tf } from '@r1/model';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { bradleyTerryLoss, pairMetrics, pointwiseAccuracy, pointwiseBceLoss, softplus } from './losses';

/** float64 references, written independently of the tensor code. */
const softplus64 = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const sigmoid64 = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

function btReference(rc: number[], rr: number[], margin: number[] | null, c: number) {
  const B = rc.length;
  let loss = 0;
  let center = 0;
  const gc: number[] = [];
  const gr: number[] = [];
  for (let i = 0; i < B; i++) {
    const d = rc[i]! - rr[i]! - (margin?.[i] ?? 0);
    const s = rc[i]! + rr[i]!;
    loss += softplus64(-d) / B;
    center += (s * s) / B;
    // d/d r_c of softplus(−d) = −σ(−d); centering: 2c·s / B.
    gc.push(-sigmoid64(-d) / B + (2 * c * s) / B);
    gr.push(sigmoid64(-d) / B + (2 * c * s) / B);
  }
  return { loss: loss + c * center, gc, gr };
}

function btTensor(rc: number[], rr: number[], margin: number[] | null, c: number | null) {
  const tc = tf.tensor1d(rc);
  const tr = tf.tensor1d(rr);
  const tm = margin === null ? null : tf.tensor1d(margin);
  const f = (a: tf.Tensor, b: tf.Tensor) =>
    bradleyTerryLoss(a as tf.Tensor1D, b as tf.Tensor1D, { margin: tm, centerRewardsCoefficient: c });
  const loss = f(tc, tr);
  const [gc, gr] = tf.grads(f)([tc, tr]);
  const out = { loss: loss.dataSync()[0]!, gc: [...gc!.dataSync()], gr: [...gr!.dataSync()] };
  tf.dispose([tc, tr, loss, gc!, gr!, ...(tm ? [tm] : [])]);
  return out;
}

const close = (a: number, b: number, tol = 1e-5) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

describe('Bradley–Terry loss', () => {
  test.each([
    // rc, rr, margin, c, worked value
    [[0], [0], null, null, Math.LN2],
    [[1], [0], null, null, Math.log1p(Math.exp(-1))], // 0.313262
    [[1], [0], [1], null, Math.LN2], // the margin eats the difference
    [[0], [1], null, null, 1 + Math.log1p(Math.exp(-1))], // 1.313262
    [[1], [1], null, 0.01, Math.LN2 + 0.01 * 4],
    [[2, -1], [0, 1], [0.5, 0], 0.01, (softplus64(-1.5) + softplus64(2)) / 2 + (0.01 * (4 + 0)) / 2],
  ] as const)('rc %j rr %j margin %j c %j → %f', (rc, rr, margin, c, expected) => {
    const got = btTensor([...rc], [...rr], margin ? [...margin] : null, c);
    expect(close(got.loss, expected)).toBe(true);
    const ref = btReference([...rc], [...rr], margin ? [...margin] : null, c ?? 0);
    expect(close(ref.loss, expected, 1e-12)).toBe(true);
  });

  test('loss and gradient match the float64 reference on random batches (with margins and centering)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.double({ min: -20, max: 20, noNaN: true }),
            fc.double({ min: -20, max: 20, noNaN: true }),
            fc.double({ min: -3, max: 3, noNaN: true }),
          ),
          { minLength: 1, maxLength: 8 },
        ),
        fc.constantFrom(null, 0, 0.01, 0.5),
        (rows, c) => {
          const rc = rows.map((r) => Math.fround(r[0]));
          const rr = rows.map((r) => Math.fround(r[1]));
          const m = rows.map((r) => Math.fround(r[2]));
          const got = btTensor(rc, rr, m, c);
          const ref = btReference(rc, rr, m, c ?? 0);
          expect(close(got.loss, ref.loss, 1e-4)).toBe(true);
          for (const [i, g] of got.gc.entries()) {
            expect(Math.abs(g - ref.gc[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(ref.gc[i]!)));
          }
          for (const [i, g] of got.gr.entries()) {
            expect(Math.abs(g - ref.gr[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(ref.gr[i]!)));
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  test('the gradient at equal rewards is exactly ∓½ per pair (softplus’ custom gradient)', () => {
    const got = btTensor([0, 0], [0, 0], null, null);
    expect(got.gc).toEqual([-0.25, -0.25]);
    expect(got.gr).toEqual([0.25, 0.25]);
  });

  test('±1000: finite loss (≈ the difference when wrong, 0 when right) and bounded gradients', () => {
    const wrong = btTensor([-1000], [1000], null, null);
    expect(wrong.loss).toBeCloseTo(2000, 2);
    expect(wrong.gc[0]).toBeCloseTo(-1, 6);
    const right = btTensor([1000], [-1000], null, null);
    expect(right.loss).toBe(0);
    expect(right.gc[0]).toBe(-0);
    expect([...wrong.gc, ...wrong.gr, ...right.gc, ...right.gr].every(Number.isFinite)).toBe(true);
  });

  test('NaN in a reward gives a NaN loss (the trainer then skips the step) rather than a silent number', () => {
    expect(Number.isNaN(btTensor([Number.NaN], [0], null, null).loss)).toBe(true);
  });

  test('bad input is rejected with what to pass', () => {
    const a = tf.tensor1d([1, 2]);
    const b = tf.tensor1d([1]);
    expect(() => bradleyTerryLoss(a, b)).toThrow(/one reward per pair/);
    expect(() => bradleyTerryLoss(a, a, { margin: b })).toThrow(/margin \[1\] must be \[2\]/);
    expect(() => bradleyTerryLoss(a, a, { centerRewardsCoefficient: -1 })).toThrow(
      /center_rewards_coefficient must be ≥ 0/,
    );
    tf.dispose([a, b]);
  });

  test('property: the loss falls as the margin r_c − r_r grows', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -30, max: 30, noNaN: true }),
        fc.double({ min: 0.01, max: 10, noNaN: true }),
        (d, step) => {
          const lo = btTensor([d], [0], null, null).loss;
          const hi = btTensor([d + step], [0], null, null).loss;
          expect(hi).toBeLessThanOrEqual(lo);
          if (d < 10) expect(hi).toBeLessThan(lo);
        },
      ),
      { numRuns: 50 },
    );
  });

  test('property: the centering term is zero for opposite rewards (r_r = −r_c)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 6 }), (rc) => {
        const rr = rc.map((x) => -x);
        expect(btTensor(rc, rr, null, 0.5).loss).toBe(btTensor(rc, rr, null, null).loss);
      }),
      { numRuns: 30 },
    );
  });

  test('property: the loss is ≥ 0 and the centering term only adds', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -50, max: 50, noNaN: true }),
        fc.double({ min: -50, max: 50, noNaN: true }),
        (a, b) => {
          const plain = btTensor([a], [b], null, null).loss;
          expect(plain).toBeGreaterThanOrEqual(0);
          expect(btTensor([a], [b], null, 0.01).loss).toBeGreaterThanOrEqual(plain);
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('pointwise BCE', () => {
  function bce(z: number[], y: number[]) {
    const tz = tf.tensor1d(z);
    const ty = tf.tensor1d(y);
    const f = (a: tf.Tensor) => pointwiseBceLoss(a as tf.Tensor1D, ty);
    const loss = f(tz);
    const g = tf.grad(f)(tz);
    const out = { loss: loss.dataSync()[0]!, g: [...g.dataSync()] };
    tf.dispose([tz, ty, loss, g]);
    return out;
  }

  test.each([
    [[0], [1], Math.LN2],
    [[0], [0], Math.LN2],
    [[2], [1], softplus64(-2)],
    [[2], [0], softplus64(2)],
    [[1000], [1], 0],
    [[-1000], [1], 1000],
  ])('z %j y %j → %f', (z, y, expected) => {
    expect(close(bce(z, y).loss, expected)).toBe(true);
  });

  test('gradient is (σ(z) − y) / B, against float64, for random logits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -30, max: 30, noNaN: true }), fc.constantFrom(0, 1)), {
          minLength: 1,
          maxLength: 8,
        }),
        (rows) => {
          const z = rows.map((r) => Math.fround(r[0]));
          const y = rows.map((r) => r[1]);
          const got = bce(z, y);
          const ref = z.reduce((s, zi, i) => s + (softplus64(zi) - y[i]! * zi) / z.length, 0);
          expect(close(got.loss, ref, 1e-4)).toBe(true);
          for (const [i, g] of got.g.entries()) {
            expect(Math.abs(g - (sigmoid64(z[i]!) - y[i]!) / z.length)).toBeLessThan(1e-6);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  test('shape mismatch is rejected', () => {
    const a = tf.tensor1d([1, 2]);
    const b = tf.tensor1d([1]);
    expect(() => pointwiseBceLoss(a, b)).toThrow(/one length/);
    tf.dispose([a, b]);
  });
});

describe('softplus', () => {
  test('matches float64 over a wide range, no overflow at ±1e4', () => {
    const xs = [-1e4, -100, -20, -1, 0, 1e-3, 1, 20, 100, 1e4];
    const t = tf.tensor1d(xs);
    const y = softplus(t);
    for (const [i, v] of [...y.dataSync()].entries()) expect(close(v, softplus64(xs[i]!), 1e-6)).toBe(true);
    tf.dispose([t, y]);
  });
});

describe('metrics', () => {
  test.each([
    [[1, 2], [0, 3], 0.5, 0],
    [[1, 1], [1, 0], 0.75, 0.5],
    [[], [], Number.NaN, Number.NaN],
  ])('pairs %j vs %j: accuracy %f, mean margin %f', (c, r, acc, margin) => {
    const m = pairMetrics(c, r);
    expect(m.accuracy).toBe(acc);
    expect(m.meanMargin).toBe(margin);
  });

  test('pointwise accuracy: z > 0 means label 1', () => {
    expect(pointwiseAccuracy([2, -1, 0, 3], [1, 0, 1, 0])).toBe(0.5);
  });
});
