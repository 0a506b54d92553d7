/**
 * Model configuration: the subset of a Hugging Face `config.json` that our decoder-only transformer reads, so a real
 * Qwen2 checkpoint's config maps 1:1, plus DeepSeek-V3's MoE keys for the mixture-of-experts FFN.
 *
 * How an MoE model is recognised: `n_routed_experts > 0`. `model_type` is `"qwen2"` (dense, or MoE when the MoE keys
 * are present) or our own `"r1_moe"` (which requires `n_routed_experts > 0`; use it when saving MoE checkpoints so HF
 * tools do not mistake them for plain Qwen2). Attention is always Qwen2's GQA — DeepSeek-V3's MLA is not implemented,
 * so `model_type: "deepseek_v3"` is rejected rather than silently mis-loaded.
 *
 * `resolveModelConfig` tolerates unknown keys (HF configs carry dozens: architectures, torch_dtype, use_cache, …)
 * but rejects wrong types, missing required keys and inconsistent values with messages that say how to fix them.
 * It does not read files: pass it the parsed JSON.
 */

/** Routing score function of the MoE gate (DeepSeek-V3 uses `sigmoid`, DeepSeek-V2 / Mixtral-style `softmax`). */
export type ScoringFunc = 'sigmoid' | 'softmax';

/** `model_type` values we accept. */
export type ModelType = 'qwen2' | 'r1_moe';

/** Mixture-of-experts FFN settings (DeepSeek-V3 names). Present on a resolved config only when the model is MoE. */
export interface MoeConfig {
  /** Number of routed experts (DeepSeek-V3: 256). Must be ≥ 1 for an MoE model. */
  n_routed_experts: number;
  /** Routed experts chosen per token, top-k (DeepSeek-V3: 8). 1 ≤ k ≤ n_routed_experts. */
  num_experts_per_tok: number;
  /** Always-on shared experts, fused into one SwiGLU of width `moe_intermediate_size × n_shared_experts`. Default 1. */
  n_shared_experts: number;
  /** Hidden width of each routed expert's SwiGLU (and of each shared expert). */
  moe_intermediate_size: number;
  /** Gate score function. Default 'sigmoid' (DeepSeek-V3). */
  scoring_func: ScoringFunc;
  /** Renormalise the k selected scores to sum to 1 before scaling. Default true (DeepSeek-V3). */
  norm_topk_prob: boolean;
  /** Multiplies the routed experts' combined output weights. Default 1 (DeepSeek-V3 uses 2.5). */
  routed_scaling_factor: number;
  /** The first k layers keep a dense SwiGLU of width `intermediate_size`; the rest are MoE. Default 0. */
  first_k_dense_replace: number;
  /**
   * Weight α of DeepSeek-V3's sequence-wise balance loss (eq. 17–20); 0 turns it off. Default 0 — DeepSeek-V3 relies
   * on the auxiliary-loss-free bias (`e_score_correction_bias`) and keeps α tiny (0.0001).
   */
  aux_loss_alpha: number;
}

/** A validated model configuration. Field names are Hugging Face's. */
export interface ModelConfig {
  model_type: ModelType;
  /** Vocabulary size V (rows of `embed_tokens` and `lm_head`). */
  vocab_size: number;
  /** Model width D. Must be divisible by `num_attention_heads`. */
  hidden_size: number;
  /** Width of the dense SwiGLU FFN (all layers of a dense model; the first `first_k_dense_replace` layers of MoE). */
  intermediate_size: number;
  /** Number of decoder layers. */
  num_hidden_layers: number;
  /** Query heads H. */
  num_attention_heads: number;
  /** Key/value heads (GQA). Must divide `num_attention_heads`. Default `num_attention_heads` (plain MHA). */
  num_key_value_heads: number;
  /** Per-head width. Always `hidden_size / num_attention_heads` (Qwen2 has no separate head_dim); must be even. */
  head_dim: number;
  /** RMSNorm epsilon. Default 1e-6 (Qwen2). */
  rms_norm_eps: number;
  /** RoPE base θ. Default 10000 (Qwen2.5 checkpoints set 1e6). */
  rope_theta: number;
  /** Longest position the model was trained for. Default 32768. Not enforced: RoPE extrapolates, quality may not. */
  max_position_embeddings: number;
  /** `lm_head` shares `embed_tokens` (then `lm_head.weight` is absent). Default false. */
  tie_word_embeddings: boolean;
  /** Std of the normal init of linear and embedding weights (HF `_init_weights`). Default 0.02. */
  initializer_range: number;
  /** MoE settings; `null` for a dense model. */
  moe: MoeConfig | null;
}

/** Defaults for optional keys (HF Qwen2Config defaults, DeepSeek-V3 names for MoE). */
export const DEFAULT_MODEL_CONFIG = {
  rms_norm_eps: 1e-6,
  rope_theta: 10_000,
  max_position_embeddings: 32_768,
  tie_word_embeddings: false,
  initializer_range: 0.02,
} as const;

export const DEFAULT_MOE_CONFIG = {
  n_shared_experts: 1,
  scoring_func: 'sigmoid',
  norm_topk_prob: true,
  routed_scaling_factor: 1,
  first_k_dense_replace: 0,
  aux_loss_alpha: 0,
} as const satisfies Partial<MoeConfig>;

/** Thrown for an invalid config; `field` names the offending key. */
export class ModelConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`model config: ${field}: ${message}`);
    this.name = 'ModelConfigError';
  }
}

type Json = Record<string, unknown>;

function readInt(json: Json, key: string, opts: { min: number; fallback?: number }): number {
  const v = json[key];
  if (v === undefined || v === null) {
    if (opts.fallback !== undefined) return opts.fallback;
    throw new ModelConfigError(key, `required; add "${key}": <integer ≥ ${opts.min}> to config.json`);
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < opts.min) {
    throw new ModelConfigError(key, `expected an integer ≥ ${opts.min}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function readNumber(json: Json, key: string, opts: { fallback: number; positive?: boolean }): number {
  const v = json[key];
  if (v === undefined || v === null) return opts.fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || (opts.positive === true ? v <= 0 : v < 0)) {
    const want = opts.positive === true ? 'a finite number > 0' : 'a finite number ≥ 0';
    throw new ModelConfigError(key, `expected ${want}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function readBool(json: Json, key: string, fallback: boolean): boolean {
  const v = json[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw new ModelConfigError(key, `expected true or false, got ${JSON.stringify(v)}`);
  return v;
}

function readModelType(json: Json): ModelType {
  const v = json.model_type;
  if (v === 'qwen2' || v === 'r1_moe') return v;
  if (v === undefined) throw new ModelConfigError('model_type', 'required; set "model_type": "qwen2" (or "r1_moe")');
  if (v === 'deepseek_v3' || v === 'deepseek_v2') {
    throw new ModelConfigError(
      'model_type',
      `"${v}" uses MLA attention, which is not implemented; for a GQA model with DeepSeek-V3's MoE FFN use "r1_moe"`,
    );
  }
  throw new ModelConfigError('model_type', `expected "qwen2" or "r1_moe", got ${JSON.stringify(v)}`);
}

function resolveMoe(json: Json, numLayers: number, modelType: ModelType): MoeConfig | null {
  const routed = json.n_routed_experts;
  const isMoe = typeof routed === 'number' && routed > 0;
  if (!isMoe) {
    if (modelType === 'r1_moe') {
      throw new ModelConfigError('n_routed_experts', 'model_type "r1_moe" needs "n_routed_experts" ≥ 1');
    }
    if (routed !== undefined && routed !== null && routed !== 0) {
      throw new ModelConfigError('n_routed_experts', `expected an integer ≥ 0, got ${JSON.stringify(routed)}`);
    }
    return null;
  }
  const n_routed_experts = readInt(json, 'n_routed_experts', { min: 1 });
  const num_experts_per_tok = readInt(json, 'num_experts_per_tok', { min: 1 });
  if (num_experts_per_tok > n_routed_experts) {
    throw new ModelConfigError(
      'num_experts_per_tok',
      `${num_experts_per_tok} > n_routed_experts (${n_routed_experts}); choose at most n_routed_experts per token`,
    );
  }
  const scoring = json.scoring_func ?? DEFAULT_MOE_CONFIG.scoring_func;
  if (scoring !== 'sigmoid' && scoring !== 'softmax') {
    throw new ModelConfigError('scoring_func', `expected "sigmoid" or "softmax", got ${JSON.stringify(scoring)}`);
  }
  const first_k_dense_replace = readInt(json, 'first_k_dense_replace', {
    min: 0,
    fallback: DEFAULT_MOE_CONFIG.first_k_dense_replace,
  });
  if (first_k_dense_replace > numLayers) {
    throw new ModelConfigError(
      'first_k_dense_replace',
      `${first_k_dense_replace} > num_hidden_layers (${numLayers}); at most every layer can be dense`,
    );
  }
  // DeepSeek-V3 keys whose non-default values change the math in ways we do not implement: refuse, never ignore.
  const nGroup = json.n_group;
  if (nGroup !== undefined && nGroup !== null && nGroup !== 1) {
    throw new ModelConfigError('n_group', 'group-limited routing is not implemented; set "n_group": 1 or remove it');
  }
  const freq = json.moe_layer_freq;
  if (freq !== undefined && freq !== null && freq !== 1) {
    throw new ModelConfigError('moe_layer_freq', 'only every layer after first_k_dense_replace can be MoE; set 1');
  }
  return {
    n_routed_experts,
    num_experts_per_tok,
    n_shared_experts: readInt(json, 'n_shared_experts', { min: 0, fallback: DEFAULT_MOE_CONFIG.n_shared_experts }),
    moe_intermediate_size: readInt(json, 'moe_intermediate_size', { min: 1 }),
    scoring_func: scoring,
    norm_topk_prob: readBool(json, 'norm_topk_prob', DEFAULT_MOE_CONFIG.norm_topk_prob),
    routed_scaling_factor: readNumber(json, 'routed_scaling_factor', {
      fallback: DEFAULT_MOE_CONFIG.routed_scaling_factor,
      positive: true,
    }),
    first_k_dense_replace,
    aux_loss_alpha: readNumber(json, 'aux_loss_alpha', { fallback: DEFAULT_MOE_CONFIG.aux_loss_alpha }),
  };
}

/**
 * Validates a parsed HF `config.json` (or a partial one written by hand) and fills defaults.
 *
 * @example
 * ```ts
 * const config = resolveModelConfig(JSON.parse(readFileSync('config.json', 'utf8')));
 * const tiny = resolveModelConfig({ model_type: 'qwen2', vocab_size: 64, hidden_size: 32, intermediate_size: 64,
 *   num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2 });
 * ```
 * @throws ModelConfigError naming the key and the fix.
 */
export function resolveModelConfig(json: unknown): ModelConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ModelConfigError('(root)', 'expected a JSON object (the parsed config.json)');
  }
  // A resolved config (nested `moe`) resolves to itself: flatten it back to HF's layout first.
  const raw = json as Json;
  const nested = raw.moe;
  const j: Json =
    typeof nested === 'object' && nested !== null && raw.n_routed_experts === undefined
      ? { ...(nested as Json), ...raw }
      : raw;
  const model_type = readModelType(j);
  const hidden_size = readInt(j, 'hidden_size', { min: 1 });
  const num_attention_heads = readInt(j, 'num_attention_heads', { min: 1 });
  const num_key_value_heads = readInt(j, 'num_key_value_heads', { min: 1, fallback: num_attention_heads });
  if (hidden_size % num_attention_heads !== 0) {
    throw new ModelConfigError(
      'num_attention_heads',
      `hidden_size ${hidden_size} is not divisible by num_attention_heads ${num_attention_heads}; pick a head count that divides it`,
    );
  }
  if (num_attention_heads % num_key_value_heads !== 0) {
    throw new ModelConfigError(
      'num_key_value_heads',
      `num_attention_heads ${num_attention_heads} is not divisible by num_key_value_heads ${num_key_value_heads}; each kv head must serve a whole group of query heads`,
    );
  }
  const head_dim = hidden_size / num_attention_heads;
  if (head_dim % 2 !== 0) {
    throw new ModelConfigError(
      'hidden_size',
      `head_dim = hidden_size / num_attention_heads = ${head_dim} must be even for RoPE`,
    );
  }
  const explicitHeadDim = j.head_dim;
  if (explicitHeadDim !== undefined && explicitHeadDim !== null && explicitHeadDim !== head_dim) {
    throw new ModelConfigError(
      'head_dim',
      `${JSON.stringify(explicitHeadDim)} ≠ hidden_size / num_attention_heads = ${head_dim}; remove head_dim`,
    );
  }
  const num_hidden_layers = readInt(j, 'num_hidden_layers', { min: 1 });
  const rope = j.rope_scaling;
  if (rope !== undefined && rope !== null) {
    throw new ModelConfigError(
      'rope_scaling',
      'RoPE scaling (YaRN, linear, …) is not implemented; remove rope_scaling',
    );
  }
  const swa = j.use_sliding_window;
  if (swa === true) {
    throw new ModelConfigError('use_sliding_window', 'sliding-window attention is not implemented; set false');
  }
  const act = j.hidden_act;
  if (act !== undefined && act !== 'silu') {
    throw new ModelConfigError('hidden_act', `only "silu" (SwiGLU) is implemented, got ${JSON.stringify(act)}`);
  }
  return {
    model_type,
    vocab_size: readInt(j, 'vocab_size', { min: 1 }),
    hidden_size,
    intermediate_size: readInt(j, 'intermediate_size', { min: 1 }),
    num_hidden_layers,
    num_attention_heads,
    num_key_value_heads,
    head_dim,
    rms_norm_eps: readNumber(j, 'rms_norm_eps', { fallback: DEFAULT_MODEL_CONFIG.rms_norm_eps, positive: true }),
    rope_theta: readNumber(j, 'rope_theta', { fallback: DEFAULT_MODEL_CONFIG.rope_theta, positive: true }),
    max_position_embeddings: readInt(j, 'max_position_embeddings', {
      min: 1,
      fallback: DEFAULT_MODEL_CONFIG.max_position_embeddings,
    }),
    tie_word_embeddings: readBool(j, 'tie_word_embeddings', DEFAULT_MODEL_CONFIG.tie_word_embeddings),
    initializer_range: readNumber(j, 'initializer_range', { fallback: DEFAULT_MODEL_CONFIG.initializer_range }),
    moe: resolveMoe(j, num_hidden_layers, model_type),
  };
}

/** True when `config` has a mixture-of-experts FFN (then `config.moe` is set). */
export function isMoeConfig(config: ModelConfig): config is ModelConfig & { moe: MoeConfig } {
  return config.moe !== null;
}

/** Whether layer `layer` (0-based) uses the MoE FFN. */
export function isMoeLayer(config: ModelConfig, layer: number): boolean {
  return config.moe !== null && layer >= config.moe.first_k_dense_replace;
}

/**
 * The flat Hugging Face `config.json` object for `config` (MoE keys at top level, `architectures` filled in), for
 * writing checkpoints. `resolveModelConfig(toHfConfig(c))` deep-equals `c`.
 */
export function toHfConfig(config: ModelConfig): Record<string, unknown> {
  const { moe, head_dim: _headDim, ...dense } = config;
  const architectures = [config.model_type === 'qwen2' && moe === null ? 'Qwen2ForCausalLM' : 'R1MoeForCausalLM'];
  return { architectures, ...dense, ...(moe ?? {}), hidden_act: 'silu', torch_dtype: 'float32' };
}
