/**
 * disposeBackend() then initBackend() again gives a working engine: a fresh Emscripten module, so every kernel of
 * the pack must be bound to it — including the stock kernels our replacements fall back to (their setup re-runs),
 * our wasm module (gemm, SIMD loops) and the gemm pool's workers. Regression: the stock `Sum` fallback stayed bound
 * to the first module and aborted the second one.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, expect, it } from 'vitest';
import { createModel, resolveModelConfig } from '../nn/index';
import { disposeBackend, initBackend } from './init-backend';

const config = resolveModelConfig({
  model_type: 'r1_moe',
  vocab_size: 32,
  hidden_size: 32,
  intermediate_size: 48,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  n_routed_experts: 4,
  num_experts_per_tok: 2,
  n_shared_experts: 1,
  moe_intermediate_size: 16,
  first_k_dense_replace: 1,
});

afterAll(async () => {
  await disposeBackend();
});

/** Loss and gradient norm of one training step of a fresh seeded model on the current backend. */
function step(): [number, number] {
  const model = createModel(config, { seed: 2 });
  try {
    return tf.tidy(() => {
      const ids = tf.tensor2d(
        Array.from({ length: 4 * 24 }, (_, i) => (i * 5 + 1) % 32),
        [4, 24],
        'int32',
      );
      const { value, grads } = tf.variableGrads(
        () => tf.neg(tf.mean(model.tokenLogprobs(ids, ids))) as tf.Scalar,
        model.trainableVariables(),
      );
      const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
      return [value.dataSync()[0]!, norm.dataSync()[0]!];
    });
  } finally {
    model.dispose();
  }
}

it('a second and third wasm engine after disposeBackend compute what the first did', async () => {
  const results: Array<[number, number]> = [];
  for (let round = 0; round < 3; round++) {
    await initBackend('wasm', { threads: 2, log: () => {} });
    results.push(step());
    await disposeBackend();
  }
  expect(Number.isFinite(results[0]![0])).toBe(true);
  expect(results[1]).toEqual(results[0]);
  expect(results[2]).toEqual(results[0]);
});
