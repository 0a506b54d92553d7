/**
 * adamwUpdate against a float64 transcription of PyTorch's AdamW, on cpu (composed ops) and on wasm (the fused
 * R1AdamW kernel), over several steps with and without weight decay; plus edge cases.
 */
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { initBackend } from '../backend/init-backend';
import { ADAMW } from '../backend/kernels/adamw';
import { expectClose, randomArray } from '../backend/test-utils/on-backend';
import { type AdamWStep, adamwUpdate } from './adamw-update';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

type Hyper = Omit<AdamWStep, 'step'>;

/** PyTorch's AdamW in float64 over `grads.length` steps; returns the final parameter and moments. */
function reference(p0: Float32Array, grads: Float32Array[], h: Hyper) {
  const p = Float64Array.from(p0);
  const m = new Float64Array(p.length);
  const v = new Float64Array(p.length);
  grads.forEach((g, i) => {
    const t = i + 1;
    for (let j = 0; j < p.length; j++) {
      p[j] = p[j]! * (1 - h.learningRate * h.weightDecay);
      m[j] = h.beta1 * m[j]! + (1 - h.beta1) * g[j]!;
      v[j] = h.beta2 * v[j]! + (1 - h.beta2) * g[j]! * g[j]!;
      const denom = Math.sqrt(v[j]!) / Math.sqrt(1 - h.beta2 ** t) + h.epsilon;
      p[j] = p[j]! - (h.learningRate / (1 - h.beta1 ** t)) * (m[j]! / denom);
    }
  });
  return { p, m, v };
}

function run(p0: Float32Array, shape: number[], grads: Float32Array[], h: Hyper) {
  const param = tf.tidy(() => tf.variable(tf.tensor(p0, shape)));
  let m = tf.zeros(shape);
  let v = tf.zeros(shape);
  grads.forEach((g, i) => {
    const gt = tf.tensor(g, shape);
    const next = adamwUpdate(param, gt, m, v, { ...h, step: i + 1 });
    tf.dispose([gt, m, v]);
    ({ m, v } = next);
  });
  const out = { p: param.dataSync().slice(), m: m.dataSync().slice(), v: v.dataSync().slice() };
  tf.dispose([param, m, v]);
  return out;
}

const HYPER: Hyper[] = [
  { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 },
  { learningRate: 3e-2, beta1: 0.8, beta2: 0.95, epsilon: 1e-6, weightDecay: 0.1 },
];

test('the fused kernel is registered for wasm only', () => {
  expect(tf.getKernel(ADAMW, 'wasm')).toBeDefined();
  expect(tf.getKernel(ADAMW, 'cpu')).toBeUndefined();
});

describe.each(['cpu', 'wasm'] as const)('adamwUpdate on %s', (backend) => {
  beforeAll(async () => {
    expect(await tf.setBackend(backend)).toBe(true);
  });

  test.each(HYPER)('five steps equal PyTorch’s rule in float64 (%o)', (h) => {
    const shape = [7, 5];
    const p0 = randomArray(35, 1);
    const grads = Array.from({ length: 5 }, (_, i) => randomArray(35, 10 + i));
    const got = run(p0, shape, grads, h);
    const want = reference(p0, grads, h);
    expectClose(got.p, want.p, 1e-6, 1e-5);
    expectClose(got.m, want.m, 1e-7, 1e-5);
    expectClose(got.v, want.v, 1e-8, 1e-5);
  });

  test('worked example: the first step moves each weight by lr against the sign of its gradient', () => {
    // m̂ = g and v̂ = g² at t = 1, so the step is lr · g / (|g| + ε) ≈ lr · sign(g).
    const got = run(Float32Array.from([1, 1, 1]), [3], [Float32Array.from([0.5, -2, 1e-3])], HYPER[0]!);
    expectClose(got.p, [1 - 1e-3, 1 + 1e-3, 1 - 1e-3 * (1e-3 / (1e-3 + 1e-8))], 1e-7, 1e-7);
  });

  test('a zero gradient leaves a weight alone when λ = 0 and only decays it otherwise', () => {
    const zero = new Float32Array(2);
    expectClose(run(Float32Array.from([2, -3]), [2], [zero], HYPER[0]!).p, [2, -3], 0, 0);
    const h = HYPER[1]!;
    const decay = 1 - h.learningRate * h.weightDecay;
    expectClose(run(Float32Array.from([2, -3]), [2], [zero], h).p, [2 * decay, -3 * decay], 1e-6, 1e-6);
  });

  test('property: any gradients agree with the reference; no tensors leak', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 4 }),
        fc.nat(1000),
        (size, steps, seed) => {
          const before = tf.memory().numTensors;
          const p0 = randomArray(size, seed);
          const grads = Array.from({ length: steps }, (_, i) => randomArray(size, seed + 100 + i).map((x) => x * 10));
          const got = run(p0, [size], grads, HYPER[1]!);
          expectClose(got.p, reference(p0, grads, HYPER[1]!).p, 1e-5, 1e-4);
          expect(tf.memory().numTensors).toBe(before);
        },
      ),
      { numRuns: 40 },
    );
  });

  test('rejects a step count below 1', () => {
    const p = tf.variable(tf.zeros([2]));
    const z = tf.zeros([2]);
    expect(() => adamwUpdate(p, z, z, z, { ...HYPER[0]!, step: 0 })).toThrow(/step must be an integer ≥ 1/);
    tf.dispose([p, z]);
  });
});
