/**
 * Sparse upcycling (Komatsuzaki et al. 2023) of a dense Qwen2 model into a DeepSeek-V3-style MoE model, so
 * `r1-train zero --moe` can run R1-Zero on an MoE policy starting from the same base:
 *
 * - the dense SwiGLU of each layer becomes the always-on shared expert (same weights);
 * - each routed expert starts as a copy of it with a zero `down_proj`, so the upcycled model computes exactly what
 *   the dense one did; the routed experts grow their contribution during RL, the router (random init, zero bias)
 *   decides which ones.
 * Attention, norms and embeddings are copied unchanged.
 */
import { createModel, type Model, type ModelConfig, tf } from '@r1/model';

export interface UpcycleOptions {
  nRoutedExperts: number;
  numExpertsPerTok: number;
  seed: number;
}

export const DEFAULT_UPCYCLE_OPTIONS: UpcycleOptions = { nRoutedExperts: 4, numExpertsPerTok: 2, seed: 0 };

export function upcycleToMoe(dense: Model, options: UpcycleOptions = DEFAULT_UPCYCLE_OPTIONS): Model {
  const c = dense.config;
  if (c.moe !== null) throw new Error('upcycleToMoe: the model is already MoE');
  const config = {
    ...c,
    model_type: 'r1_moe',
    n_routed_experts: options.nRoutedExperts,
    num_experts_per_tok: options.numExpertsPerTok,
    n_shared_experts: 1,
    moe_intermediate_size: c.intermediate_size,
    first_k_dense_replace: 0,
    scoring_func: 'sigmoid',
    norm_topk_prob: true,
    routed_scaling_factor: 1,
  } as unknown as ModelConfig;
  const moe = createModel(config, { seed: options.seed });
  const source = dense.parameters();
  for (const [name, variable] of moe.parameters()) {
    const shared = /^model\.layers\.(\d+)\.mlp\.shared_experts\.(gate|up|down)_proj\.weight$/.exec(name);
    const routed = /^model\.layers\.(\d+)\.mlp\.experts\.\d+\.(gate|up|down)_proj\.weight$/.exec(name);
    const match = shared ?? routed;
    if (match) {
      const from = source.get(`model.layers.${match[1]}.mlp.${match[2]}_proj.weight`)!;
      if (routed && match[2] === 'down') variable.assign(tf.zerosLike(variable));
      else variable.assign(from);
      continue;
    }
    const same = source.get(name);
    if (same !== undefined) variable.assign(same);
    // Left at their init: the router (mlp.gate.weight) and its selection bias (zeros).
  }
  return moe;
}
