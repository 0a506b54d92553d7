import { tf } from '@r1/model';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AdamW, type AdamWOptions } from './adamw';

const hf: AdamWOptions = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 };

/** Plain-JS AdamW (float64), written from the paper/PyTorch formulas, one array per parameter. */
function referenceAdamW(params: number[][], gradsPerStep: number[][][], lrs: number[], o: AdamWOptions): number[][] {
  const p = params.map((x) => x.map(Math.fround));
  const m = p.map((x) => x.map(() => 0));
  const v = p.map((x) => x.map(() => 0));
  gradsPerStep.forEach((grads, s) => {
    const t = s + 1;
    const lr = lrs[s] ?? 0;
    for (let i = 0; i < p.length; i++) {
      const pi = p[i] as number[];
      const mi = m[i] as number[];
      const vi = v[i] as number[];
      for (let j = 0; j < pi.length; j++) {
        const g = Math.fround(grads[i]?.[j] ?? 0);
        pi[j] = (pi[j] as number) * (1 - lr * o.weightDecay);
        mi[j] = o.beta1 * (mi[j] as number) + (1 - o.beta1) * g;
        vi[j] = o.beta2 * (vi[j] as number) + (1 - o.beta2) * g * g;
        const mHat = (mi[j] as number) / (1 - o.beta1 ** t);
        const vHat = (vi[j] as number) / (1 - o.beta2 ** t);
        pi[j] = (pi[j] as number) - (lr * mHat) / (Math.sqrt(vHat) + o.epsilon);
      }
    }
  });
  return p;
}

function makeParams(values: number[][]): Map<string, tf.Variable> {
  return new Map(values.map((v, i) => [`layer${i}.weight`, tf.variable(tf.tensor1d(v))]));
}

function gradsMap(values: number[][]): Map<string, tf.Tensor> {
  return new Map(values.map((v, i) => [`layer${i}.weight`, tf.tensor1d(v)]));
}

/** One optimiser step per entry of `gradsPerStep`, disposing each step's gradients. */
function steps(opt: AdamW, gradsPerStep: number[][][], lrs: number[]): void {
  gradsPerStep.forEach((g, s) => {
    const gm = gradsMap(g);
    opt.step(gm, lrs[s] ?? 0);
    tf.dispose([...gm.values()]);
  });
}

function read(params: Map<string, tf.Variable>): number[][] {
  return [...params.values()].map((p) => Array.from(p.dataSync()));
}

describe('AdamW worked cases', () => {
  test('the first step moves each weight by ≈ lr against the gradient sign (m̂/√v̂ = ±1)', () => {
    const params = makeParams([[1, -2, 0.5]]);
    const opt = new AdamW(params, hf);
    opt.step(gradsMap([[0.5, -3, 1e-3]]), 0.1);
    const got = read(params)[0] ?? [];
    [0.9, -1.9, 0.4].forEach((want, i) => {
      expect(got[i]).toBeCloseTo(want, 5);
    });
    expect(opt.stepOf('layer0.weight')).toBe(1);
  });

  test('decoupled weight decay shrinks the weight by lr·λ before the Adam step, even with zero gradient', () => {
    const params = makeParams([[1, 2]]);
    new AdamW(params, { ...hf, weightDecay: 0.1 }).step(gradsMap([[0, 0]]), 0.5);
    // p·(1 − 0.5·0.1); m = v = 0, so the Adam part is 0/(0 + ε) = 0.
    expect(read(params)[0]).toEqual([Math.fround(0.95), Math.fround(1.9)]);
  });

  test('learning rate 0 changes nothing but still advances the step count', () => {
    const params = makeParams([[1, 2]]);
    const opt = new AdamW(params, { ...hf, weightDecay: 0.1 });
    opt.step(gradsMap([[3, 4]]), 0);
    expect(read(params)[0]).toEqual([1, 2]);
    expect(opt.stepOf('layer0.weight')).toBe(1);
  });
});

describe('AdamW against the plain-JS reference', () => {
  const arb = fc
    .record({
      sizes: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }),
      steps: fc.integer({ min: 1, max: 6 }),
      beta1: fc.double({ min: 0, max: 0.95, noNaN: true }),
      beta2: fc.double({ min: 0.9, max: 0.9999, noNaN: true }),
      weightDecay: fc.constantFrom(0, 0.01, 0.1),
      seed: fc.integer(),
    })
    .chain(({ sizes, steps, seed, ...o }) => {
      const vec = (n: number) => fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n, maxLength: n });
      return fc.record({
        options: fc.constant({ ...o, epsilon: 1e-8 }),
        params: fc.tuple(...sizes.map(vec)),
        grads: fc.array(fc.tuple(...sizes.map(vec)), { minLength: steps, maxLength: steps }),
        lrs: fc.array(fc.double({ min: 0, max: 0.05, noNaN: true }), { minLength: steps, maxLength: steps }),
        seed: fc.constant(seed),
      });
    });

  test('matches within 1e-6 over several steps', () => {
    fc.assert(
      fc.property(arb, ({ options, params, grads, lrs }) => {
        const vars = makeParams(params);
        const opt = new AdamW(vars, options);
        steps(opt, grads, lrs);
        const want = referenceAdamW(params, grads, lrs, options);
        read(vars).forEach((row, i) => {
          row.forEach((x, j) => {
            expect(Math.abs(x - (want[i]?.[j] ?? Number.NaN))).toBeLessThanOrEqual(1e-6);
          });
        });
        opt.dispose();
        tf.dispose([...vars.values()]);
      }),
      { numRuns: 60 },
    );
  });

  test('export → import into a fresh optimiser → continue equals the uninterrupted run exactly', () => {
    fc.assert(
      fc.property(arb, fc.nat(), ({ options, params, grads, lrs }, cut) => {
        const at = cut % (grads.length + 1);
        // Uninterrupted.
        const a = makeParams(params);
        const optA = new AdamW(a, options);
        steps(optA, grads, lrs);
        // Interrupted after `at` steps: copy the weights and the optimiser state out, rebuild both, go on.
        const b = makeParams(params);
        const optB = new AdamW(b, options);
        steps(optB, grads.slice(0, at), lrs);
        const state = optB.exportState();
        const resumed = makeParams(read(b));
        const optC = new AdamW(resumed, options);
        optC.importState(state);
        tf.dispose([...state.values()]);
        steps(optC, grads.slice(at), lrs.slice(at));
        expect(read(resumed)).toEqual(read(a));
        expect(optC.stepOf('layer0.weight')).toBe(grads.length);
        for (const opt of [optA, optB, optC]) opt.dispose();
        tf.dispose([...a.values(), ...b.values(), ...resumed.values()]);
      }),
      { numRuns: 40 },
    );
  });
});

describe('AdamW edge cases', () => {
  test('accepts the record tf.variableGrads returns', () => {
    const w = tf.variable(tf.tensor1d([1, 2]), true, 'w_adamw_record');
    const opt = new AdamW(new Map([['w', w]]), hf);
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(w)), [w]);
    opt.step({ w: grads.w_adamw_record as tf.Tensor }, 0.1);
    expect(Array.from(w.dataSync()).map((x) => Math.round(x * 1e5) / 1e5)).toEqual([0.9, 1.9]);
  });

  test("steps taken inside a caller's tf.tidy keep the optimiser state alive", () => {
    const params = makeParams([[1, 2]]);
    const opt = new AdamW(params, hf);
    const twice = makeParams([[1, 2]]);
    const ref = new AdamW(twice, hf);
    for (let i = 0; i < 3; i++) {
      tf.tidy(() => opt.step(gradsMap([[0.5, -1]]), 0.1));
      steps(ref, [[[0.5, -1]]], [0.1]);
    }
    expect(read(params)).toEqual(read(twice));
  });

  test('a parameter without a gradient is left alone, its step count too (as PyTorch)', () => {
    const params = makeParams([[1], [2]]);
    const opt = new AdamW(params, { ...hf, weightDecay: 0.5 });
    opt.step(new Map([['layer0.weight', tf.tensor1d([1])]]), 0.1);
    expect(read(params)[1]).toEqual([2]);
    expect([opt.stepOf('layer0.weight'), opt.stepOf('layer1.weight')]).toEqual([1, 0]);
  });

  test('exported state uses PyTorch names, int32 steps, and leaks nothing', () => {
    const params = makeParams([[1, 2]]);
    const opt = new AdamW(params, hf);
    const g = gradsMap([[0.1, 0.2]]);
    const before = tf.memory().numTensors;
    opt.step(g, 0.01);
    expect(tf.memory().numTensors).toBe(before);
    const state = opt.exportState();
    expect([...state.keys()]).toEqual(['layer0.weight.exp_avg', 'layer0.weight.exp_avg_sq', 'layer0.weight.step']);
    expect(state.get('layer0.weight.step')?.dtype).toBe('int32');
    expect(Array.from(state.get('layer0.weight.exp_avg')?.dataSync() ?? [])).toEqual([
      Math.fround(Math.fround(0.1) * Math.fround(0.1)),
      Math.fround(Math.fround(0.2) * Math.fround(0.1)),
    ]);
  });

  test.each<[string, () => void, RegExp]>([
    [
      'unknown gradient',
      () => new AdamW(makeParams([[1]]), hf).step(new Map([['x', tf.tensor1d([1])]]), 0.1),
      /gradient for 'x', which is not a parameter/,
    ],
    [
      'gradient shape',
      () => new AdamW(makeParams([[1]]), hf).step(gradsMap([[1, 2]]), 0.1),
      /has shape \[2\] but the parameter is \[1\]/,
    ],
    [
      'NaN learning rate',
      () => new AdamW(makeParams([[1]]), hf).step(gradsMap([[1]]), Number.NaN),
      /learningRate must be a finite number ≥ 0/,
    ],
    ['beta1 = 1', () => new AdamW(makeParams([[1]]), { ...hf, beta1: 1 }), /beta1 must be in \[0, 1\)/],
    ['epsilon 0', () => new AdamW(makeParams([[1]]), { ...hf, epsilon: 0 }), /epsilon must be a finite number > 0/],
    ['negative decay', () => new AdamW(makeParams([[1]]), { ...hf, weightDecay: -1 }), /weightDecay must be/],
    [
      'state from another model',
      () => new AdamW(makeParams([[1]]), hf).importState(new AdamW(makeParams([[1], [2]]), hf).exportState()),
      /unexpected layer1\.weight\.exp_avg/,
    ],
    [
      'state with the wrong shape',
      () => new AdamW(makeParams([[1]]), hf).importState(new AdamW(makeParams([[1, 2]]), hf).exportState()),
      /'layer0.weight.exp_avg' has shape \[2\] but the parameter is \[1\]/,
    ],
    [
      'negative step',
      () =>
        new AdamW(makeParams([[1]]), hf).importState({
          'layer0.weight.exp_avg': tf.zeros([1]),
          'layer0.weight.exp_avg_sq': tf.zeros([1]),
          'layer0.weight.step': tf.scalar(-1, 'int32'),
        }),
      /'layer0.weight.step' must be one integer ≥ 0/,
    ],
  ])('rejects %s', (_name, call, message) => {
    expect(call).toThrow(message);
  });

  test('a failed step changes nothing', () => {
    const params = makeParams([[1], [2]]);
    const opt = new AdamW(params, hf);
    expect(() =>
      opt.step(
        new Map([
          ['layer0.weight', tf.tensor1d([1])],
          ['layer1.weight', tf.tensor1d([1, 2])],
        ]),
        0.1,
      ),
    ).toThrow();
    expect(read(params)).toEqual([[1], [2]]);
    expect(opt.stepOf('layer0.weight')).toBe(0);
  });
});
