/**
 * The MoE benchmarks' model (`nn/moe.bench.ts`, `optim/adamw.bench.ts`): the engine's reference shape (vocab 64,
 * hidden 128, 2 layers, 4 heads, 4 kv heads) with every layer's FFN a DeepSeek-V3 MoE of 8 routed experts, top-2,
 * 1 shared, `moe_intermediate_size` 128 — the shape issue 2 names for `engine.moe_step`.
 */
import { type ModelConfig, resolveModelConfig } from '../nn/config';

export const MOE_BENCH_CONFIG: ModelConfig = resolveModelConfig({
  model_type: 'r1_moe',
  vocab_size: 64,
  hidden_size: 128,
  intermediate_size: 512,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 4,
  n_routed_experts: 8,
  num_experts_per_tok: 2,
  n_shared_experts: 1,
  moe_intermediate_size: 128,
  first_k_dense_replace: 0,
  scoring_func: 'sigmoid',
  aux_loss_alpha: 0.0001,
});
