import { tf } from '@r1/model';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { LOSS_TYPES, type LossType } from './loss-aggregation';
import { type PolicyLossOptions, policyLoss } from './policy-loss';

// ---- Plain-JS reference of the formulas in policy-loss.ts / loss-aggregation.ts, written with loops over numbers.
// The gradient is the analytic derivative: for ℓ = −min(r·A, clip(r)·A) it is −A·r when the unclipped term is the
// minimum and 0 when the clipped one is (then r lies outside the clip range, where clip' = 0); the k3 term
// β(eˣ − x − 1) with x = ref − logp has derivative β(1 − eˣ).

interface Case {
  logp: number[][];
  old?: number[][];
  ref?: number[][];
  adv: number[];
  mask: number[][];
}

interface Reference {
  loss: number;
  /** Σ |w·ℓ|: the size of the terms summed into `loss`, which sets float32's rounding error for it. */
  lossScale: number;
  grad: number[][];
  low: number;
  high: number;
  region: number;
  kl: number | null;
}

function reference(c: Case, o: PolicyLossOptions): Reference {
  const f = Math.fround;
  const B = c.logp.length;
  const T = c.logp[0]?.length ?? 0;
  const epsLow = o.epsilon;
  const epsHigh = o.epsilonHigh ?? o.epsilon;
  const at = (m: number[][] | undefined, b: number, t: number) => f(m?.[b]?.[t] ?? Number.NaN);
  let activeTotal = 0;
  const rowActive: number[] = [];
  for (let b = 0; b < B; b++) {
    let n = 0;
    for (let t = 0; t < T; t++) n += at(c.mask, b, t);
    rowActive.push(n);
    activeTotal += n;
  }
  const weight = (b: number, t: number): number => {
    const m = at(c.mask, b, t);
    switch (o.lossType) {
      case 'grpo':
        return m / (B * Math.max(rowActive[b] ?? 0, 1));
      case 'bnpo':
        return m / Math.max(activeTotal, 1);
      case 'dr_grpo':
        return m / (B * (o.maxCompletionLength ?? Number.NaN));
      case 'dapo':
        return m / Math.max(o.numItemsInBatch ?? activeTotal, 1);
    }
  };
  let loss = 0;
  let lossScale = 0;
  let low = 0;
  let high = 0;
  let klSum = 0;
  const grad: number[][] = [];
  for (let b = 0; b < B; b++) {
    const row: number[] = [];
    const A = f(c.adv[b] ?? Number.NaN);
    for (let t = 0; t < T; t++) {
      const m = at(c.mask, b, t);
      if (m === 0) {
        row.push(0);
        continue;
      }
      const logp = at(c.logp, b, t);
      const old = c.old === undefined ? logp : at(c.old, b, t);
      const r = Math.exp(logp - old);
      const clipped = Math.min(Math.max(r, 1 - epsLow), 1 + epsHigh);
      const u = r * A;
      const v = clipped * A;
      let l = -Math.min(u, v);
      let dl = u <= v ? -A * r : 0;
      if (r < 1 - epsLow && A < 0) low++;
      if (r > 1 + epsHigh && A > 0) high++;
      if (c.ref !== undefined) {
        const x = at(c.ref, b, t) - logp;
        const k3 = Math.exp(x) - x - 1;
        klSum += k3;
        if (o.beta > 0) {
          l += o.beta * k3;
          dl += o.beta * (1 - Math.exp(x));
        }
      }
      const w = weight(b, t);
      loss += w * l;
      lossScale += Math.abs(w * l);
      row.push(w * dl);
    }
    grad.push(row);
  }
  const denom = Math.max(activeTotal, 1);
  return {
    loss,
    lossScale,
    grad,
    low: low / denom,
    high: high / denom,
    region: (low + high) / denom,
    kl: c.ref === undefined ? null : klSum / denom,
  };
}

function run(c: Case, o: PolicyLossOptions) {
  const logp = tf.tensor2d(c.logp);
  const tensors = {
    oldLogprobs: c.old === undefined ? undefined : tf.tensor2d(c.old),
    refLogprobs: c.ref === undefined ? undefined : tf.tensor2d(c.ref),
    advantages: c.adv,
    mask: tf.tensor2d(c.mask),
  };
  let result: ReturnType<typeof policyLoss> | undefined;
  const { value, grad } = tf.valueAndGrad((lp: tf.Tensor) => {
    result = policyLoss({ ...tensors, logprobs: lp }, o);
    return result.loss;
  })(logp);
  if (result === undefined) throw new Error('policyLoss did not run');
  return { ...result, loss: value.dataSync()[0] ?? Number.NaN, grad: grad.arraySync() as number[][] };
}

function expectClose(actual: number, expected: number, tol = 1e-5): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
}

const base: PolicyLossOptions = { lossType: 'grpo', epsilon: 0.2, beta: 0, maxCompletionLength: 8 };

describe('policyLoss worked cases (one token, ε = 0.2, grpo)', () => {
  // r = exp(logp − old); with T = 1 and B = 1 every lossType but dr_grpo returns ℓ itself.
  test.each([
    { name: 'r=1.5, A=+1: clipped high', r: 1.5, A: 1, loss: -1.2, grad: 0, low: 0, high: 1 },
    { name: 'r=1.5, A=−1: unclipped (pessimistic)', r: 1.5, A: -1, loss: 1.5, grad: 1.5, low: 0, high: 0 },
    { name: 'r=0.5, A=+1: unclipped (pessimistic)', r: 0.5, A: 1, loss: -0.5, grad: -0.5, low: 0, high: 0 },
    { name: 'r=0.5, A=−1: clipped low', r: 0.5, A: -1, loss: 0.8, grad: 0, low: 1, high: 0 },
    { name: 'r=1, A=2: −A', r: 1, A: 2, loss: -2, grad: -2, low: 0, high: 0 },
    { name: 'r=1.1, A=+1: inside the clip range', r: 1.1, A: 1, loss: -1.1, grad: -1.1, low: 0, high: 0 },
    { name: 'A=0: no signal', r: 3, A: 0, loss: 0, grad: 0, low: 0, high: 0 },
  ])('$name', ({ r, A, loss, grad, low, high }) => {
    const out = run({ logp: [[Math.log(r) - 1]], old: [[-1]], adv: [A], mask: [[1]] }, base);
    expectClose(out.loss, loss);
    expectClose(out.grad[0]?.[0] ?? Number.NaN, grad);
    expect(out.clipLowFraction).toBe(low);
    expect(out.clipHighFraction).toBe(high);
    expect(out.clipFraction).toBe(low + high);
    expect(out.kl).toBeNull();
  });

  test('asymmetric clip (DAPO clip-higher): ε_high = 0.28 lets r = 1.25 through', () => {
    const c = { logp: [[Math.log(1.25)]], old: [[0]], adv: [1], mask: [[1]] };
    expectClose(run(c, { ...base, epsilonHigh: 0.28 }).loss, -1.25);
    expectClose(run(c, base).loss, -1.2);
  });

  test('k3 penalty: β = 0.5, logp = −1, ref = −2 adds 0.5·(e⁻¹ − (−1) − 1)', () => {
    const out = run({ logp: [[-1]], ref: [[-2]], adv: [0], mask: [[1]] }, { ...base, beta: 0.5 });
    expectClose(out.loss, 0.5 * Math.exp(-1));
    expectClose(out.grad[0]?.[0] ?? Number.NaN, 0.5 * (1 - Math.exp(-1)));
    expectClose(out.kl ?? Number.NaN, Math.exp(-1));
  });

  test('clip fractions count only masked-in tokens, as TRL', () => {
    // Four sequences, one token each: clipped high, unclipped, unclipped, clipped low; the last row is padding.
    const out = run(
      {
        logp: [[Math.log(1.5)], [Math.log(1.5)], [Math.log(0.5)], [Math.log(0.5)], [Math.log(0.5)]],
        old: [[0], [0], [0], [0], [0]],
        adv: [1, -1, 1, -1, -1],
        mask: [[1], [1], [1], [1], [0]],
      },
      base,
    );
    expect(out.clipHighFraction).toBeCloseTo(0.25, 6);
    expect(out.clipLowFraction).toBeCloseTo(0.25, 6);
    expect(out.clipFraction).toBeCloseTo(0.5, 6);
  });
});

describe('policyLoss aggregation over a padded batch', () => {
  // Rows: 3 active tokens and 1 active token; r = 1 everywhere so ℓ = −A per active token.
  const c: Case = {
    logp: [
      [-1, -2, -3],
      [-1, -9, -9],
    ],
    adv: [1, 2],
    mask: [
      [1, 1, 1],
      [1, 0, 0],
    ],
  };
  test.each<{ lossType: LossType; extra: Partial<PolicyLossOptions>; loss: number }>([
    { lossType: 'grpo', extra: {}, loss: (-1 + -2) / 2 },
    { lossType: 'bnpo', extra: {}, loss: (-3 - 2) / 4 },
    { lossType: 'dr_grpo', extra: { maxCompletionLength: 5 }, loss: (-3 - 2) / (2 * 5) },
    { lossType: 'dapo', extra: {}, loss: (-3 - 2) / 4 },
    { lossType: 'dapo', extra: { numItemsInBatch: 10 }, loss: (-3 - 2) / 10 },
  ])('$lossType $extra', ({ lossType, extra, loss }) => {
    expectClose(run(c, { ...base, lossType, ...extra }).loss, loss);
  });
});

describe('policyLoss edge cases', () => {
  test('all-masked rows and an all-masked batch give finite zeros, never NaN', () => {
    for (const lossType of LOSS_TYPES) {
      const out = run(
        { logp: [[-1, -2]], old: [[-1.5, -2]], ref: [[-1, -1]], adv: [1], mask: [[0, 0]] },
        { ...base, lossType, beta: 0.1 },
      );
      expect(out.loss).toBe(0);
      expect(out.grad).toEqual([[0, 0]]);
      expect([out.clipFraction, out.clipLowFraction, out.clipHighFraction, out.kl]).toEqual([0, 0, 0, 0]);
    }
  });

  test('garbage in padded slots (−∞, NaN, ±1000) does not leak into loss or gradient', () => {
    const clean: Case = { logp: [[-1, -2]], old: [[-1.2, -2]], ref: [[-0.5, -2]], adv: [1.5], mask: [[1, 1]] };
    const padded: Case = {
      logp: [
        [-1, -2, Number.NEGATIVE_INFINITY, 1000],
        [Number.NaN, -1000, 0, 0],
      ],
      old: [
        [-1.2, -2, 0, -1000],
        [0, 1000, Number.NaN, 0],
      ],
      ref: [
        [-0.5, -2, 1000, Number.NEGATIVE_INFINITY],
        [Number.NaN, 0, 0, 0],
      ],
      adv: [1.5, -2],
      mask: [
        [1, 1, 0, 0],
        [0, 0, 0, 0],
      ],
    };
    for (const lossType of ['bnpo', 'dapo'] as const) {
      const o = { ...base, lossType, beta: 0.3 };
      const a = run(clean, o);
      const b = run(padded, o);
      expectClose(b.loss, a.loss);
      expect(b.grad.flat().every(Number.isFinite)).toBe(true);
      expectClose(b.grad[0]?.[0] ?? Number.NaN, a.grad[0]?.[0] ?? Number.NaN);
      expectClose(b.kl ?? Number.NaN, a.kl ?? Number.NaN);
    }
  });

  test('no gradient flows into oldLogprobs or refLogprobs', () => {
    const logp = tf.tensor2d([[-1, -2]]);
    const old = tf.tensor2d([[-1.1, -1.5]]);
    const ref = tf.tensor2d([[-0.7, -3]]);
    const mask = tf.tensor2d([[1, 1]]);
    const grads = tf.grads(
      (lp: tf.Tensor, o: tf.Tensor, r: tf.Tensor) =>
        policyLoss({ logprobs: lp, oldLogprobs: o, refLogprobs: r, advantages: [0.7], mask }, { ...base, beta: 0.2 })
          .loss,
    )([logp, old, ref]);
    expect(Array.from(grads[1]?.dataSync() ?? [])).toEqual([0, 0]);
    expect(Array.from(grads[2]?.dataSync() ?? [])).toEqual([0, 0]);
    expect(Array.from(grads[0]?.dataSync() ?? []).some((g) => g !== 0)).toBe(true);
  });

  test('omitting oldLogprobs means on-policy: r = 1 and gradient −A·w', () => {
    const out = run({ logp: [[-3, -0.1]], adv: [2], mask: [[1, 1]] }, { ...base, lossType: 'bnpo' });
    expectClose(out.loss, -2);
    expectClose(out.grad[0]?.[0] ?? Number.NaN, -1);
    expect(out.clipFraction).toBe(0);
  });

  test('advantages may be a tensor', () => {
    const logprobs = tf.tensor2d([[-1]]);
    const out = policyLoss({ logprobs, advantages: tf.tensor1d([3]), mask: tf.tensor2d([[1]]) }, base);
    expectClose(out.loss.dataSync()[0] ?? Number.NaN, -3);
  });

  test('leaks no tensors', () => {
    const logprobs = tf.tensor2d([[-1, -2]]);
    const ref = tf.tensor2d([[-1, -2.5]]);
    const mask = tf.tensor2d([[1, 0]]);
    const before = tf.memory().numTensors;
    const out = policyLoss({ logprobs, refLogprobs: ref, advantages: [1], mask }, { ...base, beta: 0.1 });
    out.loss.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  const t = (rows: number[][]) => tf.tensor2d(rows);
  test.each<[string, () => unknown, RegExp]>([
    [
      'logprobs not 2-D',
      () => policyLoss({ logprobs: tf.tensor1d([1]), advantages: [1], mask: t([[1]]) }, base),
      /\[B, T\]/,
    ],
    [
      'mask shape',
      () => policyLoss({ logprobs: t([[1, 2]]), advantages: [1], mask: t([[1]]) }, base),
      /mask must have the shape of logprobs \[1,2\]/,
    ],
    [
      'oldLogprobs shape',
      () => policyLoss({ logprobs: t([[1]]), oldLogprobs: t([[1, 2]]), advantages: [1], mask: t([[1]]) }, base),
      /oldLogprobs must have the shape/,
    ],
    [
      'advantages length',
      () => policyLoss({ logprobs: t([[1]]), advantages: [1, 2], mask: t([[1]]) }, base),
      /one value per sequence, shape \[1\]/,
    ],
    [
      'beta without ref',
      () => policyLoss({ logprobs: t([[1]]), advantages: [1], mask: t([[1]]) }, { ...base, beta: 0.1 }),
      /needs refLogprobs/,
    ],
    [
      'epsilon out of range',
      () => policyLoss({ logprobs: t([[1]]), advantages: [1], mask: t([[1]]) }, { ...base, epsilon: 1.5 }),
      /epsilon must be in \(0, 1\)/,
    ],
    [
      'negative beta',
      () => policyLoss({ logprobs: t([[1]]), advantages: [1], mask: t([[1]]) }, { ...base, beta: -1 }),
      /beta must be a finite number ≥ 0/,
    ],
    [
      'dr_grpo without maxCompletionLength',
      () =>
        policyLoss(
          { logprobs: t([[1]]), advantages: [1], mask: t([[1]]) },
          { lossType: 'dr_grpo', epsilon: 0.2, beta: 0 },
        ),
      /pass maxCompletionLength/,
    ],
    [
      'dr_grpo with a completion longer than maxCompletionLength',
      () =>
        policyLoss(
          { logprobs: t([[1, 1, 1]]), advantages: [1], mask: t([[1, 1, 1]]) },
          { ...base, lossType: 'dr_grpo', maxCompletionLength: 2 },
        ),
      /a row of the mask has 3 active tokens but maxCompletionLength is 2/,
    ],
    [
      'negative numItemsInBatch',
      () =>
        policyLoss(
          { logprobs: t([[1]]), advantages: [1], mask: t([[1]]) },
          { ...base, lossType: 'dapo', numItemsInBatch: -1 },
        ),
      /numItemsInBatch must be/,
    ],
  ])('rejects %s', (_name, call, message) => {
    expect(call).toThrow(message);
  });
});

// ---- Properties

const value = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

/** A random batch: B ∈ [1, 4], T ∈ [1, 5], old/ref near logp, some padded tokens and sometimes all-padded rows. */
const caseArb = (withOld: boolean, withRef: boolean) =>
  fc
    .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }))
    .chain(([B, T]) => {
      const grid = (arb: fc.Arbitrary<number>) =>
        fc.array(fc.array(arb, { minLength: T, maxLength: T }), { minLength: B, maxLength: B });
      return fc.record({
        logp: grid(value(-6, 0)),
        oldDelta: grid(value(-0.8, 0.8)),
        refDelta: grid(value(-2, 2)),
        adv: fc.array(value(-3, 3), { minLength: B, maxLength: B }),
        mask: grid(fc.constantFrom(0, 1, 1)),
      });
    })
    .map(
      ({ logp, oldDelta, refDelta, adv, mask }): Case => ({
        logp,
        old: withOld ? logp.map((row, b) => row.map((x, t) => x + (oldDelta[b]?.[t] ?? 0))) : undefined,
        ref: withRef ? logp.map((row, b) => row.map((x, t) => x + (refDelta[b]?.[t] ?? 0))) : undefined,
        adv,
        mask,
      }),
    );

const optionsArb = (beta: fc.Arbitrary<number>) =>
  fc.record({
    lossType: fc.constantFrom(...LOSS_TYPES),
    epsilon: value(0.05, 0.4),
    epsilonHigh: value(0.05, 0.5),
    beta,
    maxCompletionLength: fc.integer({ min: 5, max: 12 }),
    numItemsInBatch: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
  });

/** True when some active token's ratio sits within 1e-4 of a clip edge, where float32 and float64 may pick
 * different sides of the (discontinuous) gradient. The loss itself is continuous there. */
function nearClipEdge(c: Case, o: PolicyLossOptions): boolean {
  if (c.old === undefined) return false;
  const f = Math.fround;
  return c.logp.some((row, b) =>
    row.some((lp, t) => {
      const r = Math.exp(f(lp) - f(c.old?.[b]?.[t] ?? 0));
      return Math.abs(r - (1 - o.epsilon)) < 1e-4 || Math.abs(r - (1 + (o.epsilonHigh ?? o.epsilon))) < 1e-4;
    }),
  );
}

describe('policyLoss properties', () => {
  test.each([
    { name: 'without β', beta: fc.constant(0), withRef: false },
    { name: 'with β (k3)', beta: value(0.001, 1), withRef: true },
  ])('loss, gradient and metrics match the plain-JS reference for every lossType, $name', ({ beta, withRef }) => {
    fc.assert(
      fc.property(caseArb(true, withRef), optionsArb(beta), (c, o) => {
        fc.pre(!nearClipEdge(c, o));
        const want = reference(c, o);
        const got = run(c, o);
        // 1e-5 relative to the summed terms: with numItemsInBatch = 0 (denominator 1) a loss near 0 can be the sum of
        // terms of size ~100, whose float32 rounding alone exceeds 1e-5 absolute.
        expectClose(got.loss, want.loss, (1e-5 * Math.max(1, want.lossScale)) / Math.max(1, Math.abs(want.loss)));
        got.grad.forEach((row, b) => {
          row.forEach((g, t) => {
            expectClose(g, want.grad[b]?.[t] ?? Number.NaN);
          });
        });
        expectClose(got.clipLowFraction, want.low);
        expectClose(got.clipHighFraction, want.high);
        expectClose(got.clipFraction, want.region);
        if (withRef) expectClose(got.kl ?? Number.NaN, want.kl ?? Number.NaN, 1e-4);
      }),
      { numRuns: 60 },
    );
  });

  test('at r = 1 the clipped loss equals the unclipped objective −Σ w·A', () => {
    fc.assert(
      fc.property(caseArb(false, false), optionsArb(fc.constant(0)), (c, o) => {
        const clippedLoss = run(c, o).loss;
        // Same batch through the reference with ε so large that nothing can clip: the plain policy gradient loss.
        const unclipped = reference(c, { ...o, epsilon: 0.999999, epsilonHigh: 1e9 }).loss;
        expectClose(clippedLoss, unclipped);
        const withOldEqual = run({ ...c, old: c.logp }, o).loss;
        expectClose(withOldEqual, unclipped);
      }),
      { numRuns: 40 },
    );
  });

  test('padding is ignored: appending masked columns of junk changes nothing, for every lossType', () => {
    fc.assert(
      fc.property(caseArb(true, true), optionsArb(value(0, 0.5)), value(-50, 50), (c, options, junk) => {
        // dr_grpo's constant must cover the padded width too; it does not depend on the padding itself.
        const o = { ...options, maxCompletionLength: (options.maxCompletionLength ?? 0) + 2 };
        const pad = (m: number[][] | undefined, v: number) => m?.map((row) => [...row, v, v]);
        const padded: Case = {
          logp: pad(c.logp, junk) ?? [],
          old: pad(c.old, -junk),
          ref: pad(c.ref, junk / 2),
          adv: c.adv,
          mask: pad(c.mask, 0) ?? [],
        };
        const a = run(c, o);
        const b = run(padded, o);
        expectClose(b.loss, a.loss);
        expectClose(b.clipFraction, a.clipFraction);
      }),
      { numRuns: 40 },
    );
  });
});

describe('dr_grpo on a packed prompt + completion layout', () => {
  test('mask columns beyond maxCompletionLength are fine when each row has at most that many active tokens', () => {
    const t = (rows: number[][]) => tf.tensor2d(rows);
    const packed = policyLoss(
      { logprobs: t([[-1, -2, -3, -4]]), advantages: [1], mask: t([[0, 0, 1, 1]]) },
      { lossType: 'dr_grpo', epsilon: 0.2, beta: 0, maxCompletionLength: 2 },
    );
    const plain = policyLoss(
      { logprobs: t([[-3, -4]]), advantages: [1], mask: t([[1, 1]]) },
      { lossType: 'dr_grpo', epsilon: 0.2, beta: 0, maxCompletionLength: 2 },
    );
    expect(packed.loss.dataSync()[0]).toBeCloseTo(plain.loss.dataSync()[0]!, 6);
  });
});
