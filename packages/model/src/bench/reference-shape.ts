/**
 * The engine benchmarks' models (issue 2 names the shape): Qwen2 with vocab 64, hidden 128, 2 layers, 4 heads,
 * 4 kv heads, FFN 512 (`engine.bench.ts`), and the same with every layer's FFN a DeepSeek-V3 MoE of 8 routed
 * experts, top-2, 1 shared, `moe_intermediate_size` 128 (`nn/moe.bench.ts`, `optim/adamw.bench.ts`).
 */
import { type ModelConfig, resolveModelConfig } from '../nn/config';

const REFERENCE_SHAPE = {
  vocab_size: 64,
  hidden_size: 128,
  intermediate_size: 512,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 4,
};

/** `engine.train_step` / `engine.forward`. */
export const DENSE_BENCH_CONFIG: ModelConfig = resolveModelConfig({ model_type: 'qwen2', ...REFERENCE_SHAPE });

/** `engine.moe_step` / `engine.moe_dense_step` / `engine.moe_decode_token`, `optim.adamw_*`. */
export const MOE_BENCH_CONFIG: ModelConfig = resolveModelConfig({
  model_type: 'r1_moe',
  ...REFERENCE_SHAPE,
  n_routed_experts: 8,
  num_experts_per_tok: 2,
  n_shared_experts: 1,
  moe_intermediate_size: 128,
  first_k_dense_replace: 0,
  scoring_func: 'sigmoid',
  aux_loss_alpha: 0.0001,
});
