import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { MoeConfig } from './config';
import type { SwiGluWeights } from './linear';
import { moeFfn } from './moe';
import { maxAbsDiff, randomTensor } from './test-utils/tiny';
import type { MoeDispatch } from './types';

const D = 6;
const I = 5;

function moeConfig(over: Partial<MoeConfig> = {}): MoeConfig {
  return {
    n_routed_experts: 4,
    num_experts_per_tok: 2,
    n_shared_experts: 1,
    moe_intermediate_size: I,
    scoring_func: 'sigmoid',
    norm_topk_prob: true,
    routed_scaling_factor: 2.5,
    first_k_dense_replace: 0,
    aux_loss_alpha: 0,
    ...over,
  };
}

/** Written from the DeepSeek-V3 equations with plain ops only: every expert on every token, masked by top-k. */
function naiveMoe(
  x: tf.Tensor2D,
  gate: tf.Tensor2D,
  bias: tf.Tensor1D,
  experts: SwiGluWeights[],
  shared: SwiGluWeights | null,
  c: MoeConfig,
): tf.Tensor2D {
  return tf.tidy(() => {
    const mlp = (w: SwiGluWeights) => {
      const g = tf.matMul(x, tf.transpose(w.gate));
      const u = tf.matMul(x, tf.transpose(w.up));
      return tf.matMul(tf.mul(tf.mul(g, tf.sigmoid(g)), u), tf.transpose(w.down));
    };
    const logits = tf.matMul(x, tf.transpose(gate));
    const scores = c.scoring_func === 'sigmoid' ? tf.sigmoid(logits) : tf.softmax(logits);
    // Selection is a constant of the routing: copy the biased scores off the tape (TopK has no gradient).
    const biased = tf.add(scores, bias);
    const chosen = tf.topk(tf.tensor(biased.dataSync(), biased.shape), c.num_experts_per_tok).indices; // [N, k]
    const mask = tf.sum(tf.oneHot(chosen, c.n_routed_experts), 1); // [N, E]
    let w = tf.mul(scores, mask);
    if (c.norm_topk_prob) w = tf.div(w, tf.add(tf.sum(w, 1, true), 1e-20));
    w = tf.mul(w, c.routed_scaling_factor);
    let out = tf.zerosLike(x) as tf.Tensor;
    experts.forEach((e, i) => {
      out = tf.add(out, tf.mul(tf.slice(w, [0, i], [-1, 1]), mlp(e)));
    });
    if (shared !== null) out = tf.add(out, mlp(shared));
    return out as tf.Tensor2D;
  });
}

interface Fixture {
  x: tf.Tensor2D;
  gate: tf.Tensor2D;
  bias: tf.Tensor1D;
  flat: tf.Tensor[]; // expert then shared weights, 3 each
  proj: tf.Tensor2D;
}

function fixture(n: number, c: MoeConfig, seed: number, biasValues?: number[]): Fixture {
  const e = c.n_routed_experts;
  const si = c.moe_intermediate_size * Math.max(1, c.n_shared_experts);
  const flat: tf.Tensor[] = [];
  for (let i = 0; i <= e; i++) {
    const inter = i < e ? c.moe_intermediate_size : si;
    if (i === e && c.n_shared_experts === 0) break;
    flat.push(randomTensor([inter, D], seed + 10 * i + 1), randomTensor([inter, D], seed + 10 * i + 2));
    flat.push(randomTensor([D, inter], seed + 10 * i + 3));
  }
  return {
    x: randomTensor([n, D], seed) as tf.Tensor2D,
    gate: randomTensor([e, D], seed + 1000) as tf.Tensor2D,
    bias: tf.tensor1d(biasValues ?? Array.from({ length: e }, (_, i) => 0.05 * (i - 1))),
    flat,
    proj: randomTensor([n, D], seed + 2000) as tf.Tensor2D,
  };
}

function unflatten(flat: tf.Tensor[], c: MoeConfig): { experts: SwiGluWeights[]; shared: SwiGluWeights | null } {
  const mlps: SwiGluWeights[] = [];
  for (let i = 0; i < flat.length; i += 3) {
    mlps.push({ gate: flat[i] as tf.Tensor2D, up: flat[i + 1] as tf.Tensor2D, down: flat[i + 2] as tf.Tensor2D });
  }
  return {
    experts: mlps.slice(0, c.n_routed_experts),
    shared: c.n_shared_experts > 0 ? mlps[c.n_routed_experts]! : null,
  };
}

function run(f: Fixture, c: MoeConfig, dispatch: MoeDispatch | 'naive', batch = 1) {
  const n = f.x.shape[0];
  /** The layer's output from `x`, the gate and the flat expert matrices, by the chosen dispatch. */
  const forward = (x: tf.Tensor2D, gate: tf.Tensor2D, flat: tf.Tensor[]) => {
    const { experts, shared } = unflatten(flat, c);
    return dispatch === 'naive'
      ? naiveMoe(x, gate, f.bias, experts, shared, c)
      : moeFfn(x, { gate, bias: f.bias, experts, shared }, c, {
          dispatch,
          tokenMask: new Uint8Array(n).fill(1),
          batch,
          time: n / batch,
          withAuxLoss: false,
        }).out;
  };
  const loss = (...args: tf.Tensor[]) => {
    const [x, gate, ...flat] = args as [tf.Tensor2D, tf.Tensor2D, ...tf.Tensor[]];
    return tf.sum(tf.mul(forward(x, gate, flat), f.proj)) as tf.Scalar;
  };
  const { value, grads } = tf.valueAndGrads(loss)([f.x, f.gate, ...f.flat]);
  const out = tf.tidy(() => forward(f.x, f.gate, f.flat));
  return { out, value, grads };
}

function disposeFixture(f: Fixture): void {
  tf.dispose([f.x, f.gate, f.bias, f.proj, ...f.flat]);
}

describe('MoE dispatch equals the naive reference (forward and gradients, 1e-4)', () => {
  test.each([
    ['sigmoid, top-2, shared, scaled', moeConfig()],
    [
      'softmax, top-1, no renorm',
      moeConfig({ scoring_func: 'softmax', num_experts_per_tok: 1, norm_topk_prob: false, routed_scaling_factor: 1 }),
    ],
    ['no shared experts, top-3', moeConfig({ n_shared_experts: 0, num_experts_per_tok: 3 })],
    ['2 shared experts, all experts chosen', moeConfig({ n_shared_experts: 2, num_experts_per_tok: 4 })],
  ])('%s', (_, c) => {
    const f = fixture(12, c, 7);
    const naive = run(f, c, 'naive');
    for (const dispatch of ['sparse', 'dense'] as const) {
      const got = run(f, c, dispatch);
      expect(maxAbsDiff(got.out, naive.out)).toBeLessThan(1e-4);
      expect(Math.abs(got.value.dataSync()[0]! - naive.value.dataSync()[0]!)).toBeLessThan(1e-4);
      got.grads.forEach((g, i) => {
        expect(maxAbsDiff(g, naive.grads[i]!)).toBeLessThan(1e-4);
      });
      tf.dispose([got.out, got.value, ...got.grads]);
    }
    tf.dispose([naive.out, naive.value, ...naive.grads]);
    disposeFixture(f);
  });

  test('edge: experts that get no tokens (bias forces everything onto experts 0 and 1)', () => {
    const c = moeConfig();
    const f = fixture(6, c, 3, [100, 100, 0, 0]);
    const naive = run(f, c, 'naive');
    const sparse = run(f, c, 'sparse');
    expect(maxAbsDiff(sparse.out, naive.out)).toBeLessThan(1e-4);
    // every input gets a gradient (tfjs optimizers need a stable set); the idle experts' are exactly zero
    sparse.grads.forEach((g, i) => {
      expect(maxAbsDiff(g, naive.grads[i]!)).toBeLessThan(1e-4);
    });
    for (const i of [8, 9, 10, 11, 12, 13])
      expect(maxAbsDiff(sparse.grads[i]!, tf.zerosLike(sparse.grads[i]!))).toBe(0);
    tf.dispose([naive.out, naive.value, ...naive.grads, sparse.out, sparse.value, ...sparse.grads]);
    disposeFixture(f);
  });

  test('edge: a single token', () => {
    const c = moeConfig();
    const f = fixture(1, c, 11);
    const naive = run(f, c, 'naive');
    const sparse = run(f, c, 'sparse');
    expect(maxAbsDiff(sparse.out, naive.out)).toBeLessThan(1e-4);
    tf.dispose([naive.out, naive.value, ...naive.grads, sparse.out, sparse.value, ...sparse.grads]);
    disposeFixture(f);
  });

  test('fast-check: sparse = dense for random inputs, sizes and biases', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
        (n, k, seed, bias) => {
          const c = moeConfig({ num_experts_per_tok: k });
          const f = fixture(n, c, seed, bias);
          const outs = (['sparse', 'dense'] as const).map((dispatch) =>
            tf.tidy(() => {
              const { experts, shared } = unflatten(f.flat, c);
              return moeFfn(f.x, { gate: f.gate, bias: f.bias, experts, shared }, c, {
                dispatch,
                tokenMask: new Uint8Array(n).fill(1),
                batch: 1,
                time: n,
                withAuxLoss: false,
              }).out;
            }),
          );
          expect(maxAbsDiff(outs[0]!, outs[1]!)).toBeLessThan(1e-5);
          tf.dispose(outs);
          disposeFixture(f);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('moeFfn reports', () => {
  test('load counts real tokens × k; aux loss only when requested and alpha > 0', () => {
    const c = moeConfig({ aux_loss_alpha: 0.1 });
    const f = fixture(6, c, 5);
    const { experts, shared } = unflatten(f.flat, c);
    const w = { gate: f.gate, bias: f.bias, experts, shared };
    const mask = Uint8Array.from([0, 1, 1, 1, 1, 1]);
    const withAux = moeFfn(f.x, w, c, { dispatch: 'sparse', tokenMask: mask, batch: 2, time: 3, withAuxLoss: true });
    expect(withAux.tokensPerExpert.reduce((a, b) => a + b, 0)).toBe(5 * 2);
    expect(withAux.auxLoss).not.toBeNull();
    expect(withAux.auxLoss!.dataSync()[0]).toBeGreaterThan(0);
    const without = moeFfn(f.x, w, c, { dispatch: 'sparse', tokenMask: mask, batch: 2, time: 3, withAuxLoss: false });
    expect(without.auxLoss).toBeNull();
    const zeroAlpha = moeFfn(f.x, w, moeConfig(), {
      dispatch: 'sparse',
      tokenMask: mask,
      batch: 2,
      time: 3,
      withAuxLoss: true,
    });
    expect(zeroAlpha.auxLoss).toBeNull();
    tf.dispose([withAux.out, withAux.auxLoss!, without.out, zeroAlpha.out]);
    disposeFixture(f);
  });
});
