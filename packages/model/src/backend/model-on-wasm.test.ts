/**
 * End-to-end check of the kernel pack: a small GQA transformer's training loss and every parameter gradient come
 * out the same on wasm as on cpu (the reference backend), and a few optimizer-style steps on wasm lower the loss.
 * This is how missing or wrong wasm kernels show up (UnsortedSegmentSum, broadcast matMul gradients, …).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, resolveModelConfig } from '../nn/index';
import { initBackend } from './init-backend';
import { expectClose, onBackend } from './test-utils/on-backend';

const shape = {
  vocab_size: 32,
  hidden_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  intermediate_size: 48,
};
const config = resolveModelConfig({ model_type: 'qwen2', ...shape });
const [B, T] = [3, 12];
const tokens = Array.from({ length: B * (T + 1) }, (_, i) => (i * 7 + 3) % config.vocab_size);

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

/** The same shapes with a DeepSeek-V3 MoE FFN on layer 1 (8 routed experts, top-2, 1 shared): on wasm its routed
 * experts run on the fused R1RoutedExperts kernels, on cpu as composed tfjs ops. */
const moeConfig = resolveModelConfig({
  model_type: 'r1_moe',
  ...shape,
  n_routed_experts: 8,
  num_experts_per_tok: 2,
  n_shared_experts: 1,
  moe_intermediate_size: 12,
  first_k_dense_replace: 1,
  scoring_func: 'sigmoid',
});

function lossAndGrads(name: 'cpu' | 'wasm', modelConfig = config) {
  return onBackend(name, () => {
    const model = createModel(modelConfig, { seed: 3 });
    try {
      return tf.tidy(() => {
        const all = tf.tensor2d(tokens, [B, T + 1], 'int32');
        const ids = tf.slice(all, [0, 0], [B, T]) as tf.Tensor2D;
        const targets = tf.slice(all, [0, 1], [B, T]) as tf.Tensor2D;
        const { value, grads } = tf.variableGrads(
          () => tf.neg(tf.mean(model.tokenLogprobs(ids, targets))) as tf.Scalar,
          model.trainableVariables(),
        );
        // Variable names are global counters (they differ between the two models): key by parameter order.
        const ordered = model.trainableVariables().map((v) => grads[v.name]!.dataSync() as Float32Array);
        return { loss: value.dataSync()[0]!, grads: ordered };
      });
    } finally {
      model.dispose();
    }
  });
}

describe('a transformer training step on wasm', () => {
  it.each([
    ['dense', config],
    ['with a sparse MoE layer (fused routed-experts kernels)', moeConfig],
  ])('gives the cpu loss and gradients: %s', async (_name, modelConfig) => {
    const cpu = await lossAndGrads('cpu', modelConfig);
    const wasm = await lossAndGrads('wasm', modelConfig);
    expect(wasm.loss).toBeCloseTo(cpu.loss, 4);
    expect(wasm.grads).toHaveLength(cpu.grads.length);
    cpu.grads.forEach((g, i) => {
      const scale = Math.max(...Array.from(g, Math.abs), 1e-6);
      expectClose(wasm.grads[i]!, g, 2e-3 * scale, 2e-3);
    });
  });

  it('MoE KV-cache decoding reproduces full-forward logits (left-padded batch, fused kernels)', async () => {
    const worst = await onBackend('wasm', () => {
      const model = createModel(moeConfig, { seed: 5 });
      let max = 0;
      try {
        tf.tidy(() => {
          const ids = [
            [3, 1, 4, 1, 5, 9],
            [0, 0, 2, 6, 5, 3],
          ];
          const mask = ids.map((row, b) => row.map((_, t) => (b === 1 && t < 2 ? 0 : 1)));
          const steps = [[7], [8], [9]];
          const { cache, logits } = model.prefill(tf.tensor2d(ids, [2, 6], 'int32'), {
            attentionMask: tf.tensor2d(mask, [2, 6], 'int32'),
          });
          // prefill gives [B, V] at the last position, each decode step [B, 1, V]
          const outs = [
            tf.expandDims(logits, 1) as tf.Tensor3D,
            ...steps.map((tok) => model.decodeStep(cache, tf.tensor2d([tok, tok], [2, 1], 'int32'))),
          ];
          const all = ids.map((row) => [...row, ...steps.flat()]);
          const allMask = mask.map((row) => [...row, 1, 1, 1]);
          const full = model.forward(tf.tensor2d(all, [2, 9], 'int32'), {
            attentionMask: tf.tensor2d(allMask, [2, 9], 'int32'),
          });
          outs.forEach((got, i) => {
            const want = tf.slice(full, [0, 5 + i, 0], [2, 1, moeConfig.vocab_size]);
            const last = tf.slice(got, [0, got.shape[1]! - 1, 0], [2, 1, moeConfig.vocab_size]);
            max = Math.max(max, tf.max(tf.abs(tf.sub(last, want))).dataSync()[0]!);
          });
          cache.dispose();
        });
      } finally {
        model.dispose();
      }
      return max;
    });
    expect(worst).toBeLessThan(1e-4);
  });

  it('learns: a few SGD steps lower the loss', async () => {
    const losses = await onBackend('wasm', () => {
      const model = createModel(config, { seed: 4 });
      const ids = tf.tensor2d(tokens.slice(0, B * T), [B, T], 'int32');
      const targets = tf.tensor2d(tokens.slice(B, B + B * T), [B, T], 'int32');
      const opt = tf.train.sgd(0.5);
      const out: number[] = [];
      for (let i = 0; i < 8; i++) {
        const loss = opt.minimize(() => tf.neg(tf.mean(model.tokenLogprobs(ids, targets))) as tf.Scalar, true);
        out.push(loss!.dataSync()[0]!);
        loss!.dispose();
      }
      tf.dispose([ids, targets]);
      opt.dispose();
      model.dispose();
      return out;
    });
    expect(losses.at(-1)!).toBeLessThan(losses[0]! - 0.1);
  });
});
