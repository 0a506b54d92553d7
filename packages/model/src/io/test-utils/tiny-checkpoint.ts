/** Test helper: tiny configs and deterministic weights that match them, for checkpoint round trips. */
import { type ModelConfig, resolveModelConfig } from '../../nn/index';
import { checkpointTensorShapes } from '../checkpoint-layout';
import type { WritableTensor } from '../safetensors-write';
import { numElements } from '../tensor-data';

export function tinyConfig(overrides: Record<string, unknown> = {}): ModelConfig {
  return resolveModelConfig({
    model_type: 'qwen2',
    vocab_size: 11,
    hidden_size: 8,
    intermediate_size: 12,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    num_key_value_heads: 1,
    ...overrides,
  });
}

export function tinyMoeConfig(overrides: Record<string, unknown> = {}): ModelConfig {
  return tinyConfig({
    model_type: 'r1_moe',
    n_routed_experts: 3,
    num_experts_per_tok: 2,
    n_shared_experts: 1,
    moe_intermediate_size: 4,
    first_k_dense_replace: 1,
    ...overrides,
  });
}

/** Every tensor of `config`, filled with `seed + i × 0.001` so tensors and checkpoints are distinguishable. */
export function tinyWeights(config: ModelConfig, seed = 0): Map<string, WritableTensor & { data: Float32Array }> {
  const out = new Map<string, WritableTensor & { data: Float32Array }>();
  for (const [name, shape] of checkpointTensorShapes(config)) {
    const data = new Float32Array(numElements(shape)).map((_, i) => seed + i * 0.001);
    out.set(name, { shape, data });
  }
  return out;
}
