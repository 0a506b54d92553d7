/**
 * The public shape of a model: what the sampler, the GRPO trainer and the checkpoint loader code against.
 * Implementation lives in `model.ts`; this file only declares types.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from './config';
import type { KVCache } from './kv-cache';

/**
 * How an MoE layer evaluates its routed experts.
 * - `sparse`: each expert runs only on the tokens routed to it (gather → expert SwiGLU → weighted scatter-add).
 * - `dense`: every expert runs on every token and the outputs are masked by the routing — the naive reference, and
 *   the baseline of the `engine.moe_dense_step` benchmark. Same result, ~n_routed_experts / k times the FFN work.
 */
export type MoeDispatch = 'sparse' | 'dense';

export interface ForwardOptions {
  /**
   * `[B, T]`, 1 = real token, 0 = padding. Padding must be on the left (the sampler's layout), so every row ends with
   * a real token. Padded keys are never attended to; position ids count real tokens only. Default: all ones.
   */
  attentionMask?: tf.Tensor2D;
  /**
   * `[B, T]` int32 segment ids for packed sequences (several rows sharing one sequence): 0 = padding (anywhere),
   * k ≥ 1 = the k-th row packed into this sequence, each segment one contiguous run. Position ids restart at 0 in
   * every segment and a token attends only to earlier tokens of its own segment (block-diagonal causal mask), so each
   * segment is computed as if it were alone. Replaces `attentionMask` (pass one or the other). Not for `prefill`.
   * The MoE sequence-wise balance loss still treats the whole packed sequence as one sequence.
   */
  segmentIds?: tf.Tensor2D;
  /** MoE models only. Default 'sparse'. */
  moeDispatch?: MoeDispatch;
}

export interface ScoreOptions extends ForwardOptions {
  /**
   * Log-probabilities and entropy are taken under softmax(logits / temperature), as TRL's GRPOTrainer does for the
   * policy. Default 1.
   */
  temperature?: number;
  /**
   * Rows (of the flattened B·T tokens) per chunk when computing `[rows, V]` logits. Default: enough rows for about
   * 4 Mi logits per chunk. Only memory changes with this, not results.
   */
  chunkRows?: number;
}

/** Tokens routed to each expert, counted on the host (no tensors to dispose). Padding tokens are not counted. */
export interface MoeLoad {
  /** Real tokens that were routed (each counted once per MoE layer). */
  tokens: number;
  /** One entry per MoE layer, in layer order. */
  layers: Array<{
    /** 0-based decoder layer index. */
    layer: number;
    /** Length n_routed_experts; sums to tokens × num_experts_per_tok. */
    tokensPerExpert: number[];
  }>;
}

/** What an MoE forward reports besides its main output. For a dense model `auxLoss` is 0 and `load` is null. */
export interface MoeAux {
  /**
   * DeepSeek-V3's sequence-wise balance loss, summed over MoE layers, already multiplied by `aux_loss_alpha`
   * (a differentiable scalar; 0 when alpha is 0). Add it to the training loss.
   */
  auxLoss: tf.Scalar;
  load: MoeLoad | null;
}

/** Result of {@link Model.score}. */
export interface TokenScores extends MoeAux {
  /** `[B, T]` log p(target_t | ids_≤t), differentiable. */
  logprobs: tf.Tensor2D;
  /** `[B, T]` entropy of the next-token distribution, in nats, differentiable. */
  entropy: tf.Tensor2D;
}

/** Result of {@link Model.prefill}. */
export interface PrefillResult {
  /** Keys and values of every prompt position; owned by the caller (`cache.dispose()`). */
  cache: KVCache;
  /** `[B, V]` logits at the last position (the next-token distribution of every row). */
  logits: tf.Tensor2D;
}

/** Options of {@link Model.updateMoeBias}. */
export interface MoeBiasUpdateOptions {
  /** Bias update speed γ (DeepSeek-V3: 0.001). Default 0.001. */
  rate?: number;
}

/**
 * A decoder-only transformer (Qwen2 dense, or Qwen2 attention + DeepSeek-V3 MoE FFN).
 *
 * Every method that returns tensors returns new tensors the caller owns; intermediates are freed. Tensors passed in
 * are never disposed by the model.
 */
export interface Model {
  readonly config: ModelConfig;

  /**
   * Full forward: `ids` `[B, T]` int32 → logits `[B, T, V]`.
   * @example
   * ```ts
   * const logits = model.forward(tf.tensor2d([[1, 2, 3]], undefined, 'int32'));
   * ```
   */
  forward(ids: tf.Tensor2D, opts?: ForwardOptions): tf.Tensor3D;

  /** {@link forward} plus the MoE balance loss and expert load. */
  forwardWithAux(ids: tf.Tensor2D, opts?: ForwardOptions): MoeAux & { logits: tf.Tensor3D };

  /**
   * The final hidden states `[B, T, D]`: the output of the last decoder layer after the final RMSNorm, i.e. exactly
   * what the LM head multiplies (`forward` = `hiddenStates · lm_headᵀ`); differentiable. What a model with another
   * head on the same backbone (a reward model's scalar `score` head) reads. The MoE balance loss is not computed.
   * @example
   * ```ts
   * const h = model.hiddenStates(ids, { attentionMask }); // [B, T, D]
   * ```
   */
  hiddenStates(ids: tf.Tensor2D, opts?: ForwardOptions): tf.Tensor3D;

  /**
   * `[B, T]` log-probabilities of `targets` (`[B, T]` int32, usually `ids` shifted left by one) under the model fed
   * `ids`; differentiable. Never materialises a full `[B, T, V]` log-softmax: logits are computed in row chunks and
   * recomputed in the backward pass.
   * @example
   * ```ts
   * const { value, grads } = tf.variableGrads(() => tf.neg(tf.mean(model.tokenLogprobs(ids, targets))));
   * ```
   */
  tokenLogprobs(ids: tf.Tensor2D, targets: tf.Tensor2D, opts?: ScoreOptions): tf.Tensor2D;

  /** Log-probabilities, per-token entropy and the MoE aux loss / load in one pass (what a GRPO step needs). */
  score(ids: tf.Tensor2D, targets: tf.Tensor2D, opts?: ScoreOptions): TokenScores;

  /**
   * Runs the prompt `ids` `[B, T]` (left-padded, with `attentionMask`) and returns the KV cache and the logits of the
   * last position. Not for training: the cache holds no gradient tape.
   * @example
   * ```ts
   * const { cache, logits } = model.prefill(ids, { attentionMask });
   * let next = argmax(logits);                     // [B, 1]
   * const stepLogits = model.decodeStep(cache, next); // [B, 1, V]; cache grew by one slot
   * ```
   */
  prefill(ids: tf.Tensor2D, opts?: Pick<ForwardOptions, 'attentionMask' | 'moeDispatch'>): PrefillResult;

  /**
   * Feeds `ids` `[B, t]` (t new real tokens per row, usually 1) after what `cache` holds, appends their keys and
   * values to `cache` (in place) and returns their logits `[B, t, V]`.
   */
  decodeStep(cache: KVCache, ids: tf.Tensor2D): tf.Tensor3D;

  /**
   * Every weight by its Hugging Face name (`model.layers.0.self_attn.q_proj.weight`, …), in HF order. Linear weights
   * are `[out, in]` as HF stores them. Includes the non-trainable `mlp.gate.e_score_correction_bias` of MoE layers.
   */
  parameters(): Map<string, tf.Variable>;

  /** The variables an optimizer should update (all of `parameters()` except the MoE selection biases). */
  trainableVariables(): tf.Variable[];

  /**
   * Auxiliary-loss-free balancing (DeepSeek-V3 §2.1.2): for every MoE layer,
   * `bias_e += rate · sign(mean_load − load_e)`. Call once per optimizer step with the summed load of that step.
   */
  updateMoeBias(load: MoeLoad, opts?: MoeBiasUpdateOptions): void;

  /** Frees every variable and constant. Further use throws. */
  dispose(): void;
}
