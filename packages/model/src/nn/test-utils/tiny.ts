/** Shared helpers for the nn tests: tiny configs and tensor comparisons. Test-only (excluded from the build). */
import * as tf from '@tensorflow/tfjs';
import { type ModelConfig, resolveModelConfig } from '../config';

/** A 2-layer dense Qwen2 small enough for the cpu backend; GQA (4 query heads, 2 kv heads). */
export function tinyDense(overrides: Record<string, unknown> = {}): ModelConfig {
  return resolveModelConfig({
    model_type: 'qwen2',
    vocab_size: 17,
    hidden_size: 16,
    intermediate_size: 24,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    rope_theta: 10_000,
    initializer_range: 0.2,
    ...overrides,
  });
}

/** tinyDense with a DeepSeek-V3 MoE FFN on layer 1 (layer 0 dense). */
export function tinyMoe(overrides: Record<string, unknown> = {}): ModelConfig {
  return tinyDense({
    model_type: 'r1_moe',
    n_routed_experts: 4,
    num_experts_per_tok: 2,
    n_shared_experts: 1,
    moe_intermediate_size: 8,
    first_k_dense_replace: 1,
    scoring_func: 'sigmoid',
    norm_topk_prob: true,
    routed_scaling_factor: 1.5,
    aux_loss_alpha: 0.01,
    ...overrides,
  });
}

export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

export function int2d(rows: number[][]): tf.Tensor2D {
  return tf.tensor2d(rows, undefined, 'int32');
}

/** A seeded float tensor with entries in [-scale, scale). */
export function randomTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.sub(tf.mul(tf.randomUniform(shape, 0, 1, 'float32', seed), 2), 1), scale));
}
