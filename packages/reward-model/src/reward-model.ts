/**
 * The reward model: our transformer's backbone (embedding → decoder layers → final RMSNorm, @r1/model's
 * `hiddenStates`) with a scalar head `score.weight` `[1, D]` applied to the hidden state of the last real token of
 * each row — transformers' `Qwen2ForSequenceClassification` with `num_labels: 1`. No LM head: the backbone is built
 * with tied embeddings so no `lm_head` variable exists, whatever the source model had.
 *
 * It reads no files (see reward-model-io.ts) and knows nothing about text or losses.
 */
import { createModel, type Model, type ModelConfig, tf } from '@r1/model';
import { createRng } from '@r1/tasks';

/** HF name of the scalar head. */
export const SCORE_WEIGHT = 'score.weight';

/** A backbone plus a scalar head. Every method that returns tensors returns new ones the caller owns. */
export interface RewardModel {
  /**
   * The backbone's config as a checkpoint records it (the source LM's `tie_word_embeddings` is kept for the record;
   * the head is never used).
   */
  readonly config: ModelConfig;
  /**
   * `[B]` rewards of `ids` `[B, T]`: `score · h[b, last(b)]`, where last(b) is the last position with
   * `attentionMask[b] = 1` (padding may be on either side). Differentiable.
   */
  rewards(ids: tf.Tensor2D, attentionMask?: tf.Tensor2D): tf.Tensor1D;
  /** Backbone weights by HF name (no `lm_head`) and `score.weight` last. */
  parameters(): Map<string, tf.Variable>;
  trainableVariables(): tf.Variable[];
  dispose(): void;
}

/** Index of the last real token of each row, flattened (`b·T + t`); a row with no real token is an error. */
export function lastTokenIndices(mask: ArrayLike<number> | undefined, batch: number, time: number): Int32Array {
  const out = new Int32Array(batch);
  for (let b = 0; b < batch; b++) {
    let last = mask === undefined ? time - 1 : -1;
    if (mask !== undefined) for (let t = 0; t < time; t++) if (mask[b * time + t] === 1) last = t;
    if (last < 0) throw new Error(`rewards: row ${b} is all padding; every row needs at least one real token`);
    out[b] = b * time + last;
  }
  return out;
}

class ScalarHeadModel implements RewardModel {
  readonly config: ModelConfig;
  readonly #backbone: Model;
  readonly #score: tf.Variable;

  constructor(config: ModelConfig, backbone: Model, score: tf.Variable) {
    this.config = config;
    this.#backbone = backbone;
    this.#score = score;
  }

  rewards(ids: tf.Tensor2D, attentionMask?: tf.Tensor2D): tf.Tensor1D {
    const [B, T] = ids.shape;
    const last = lastTokenIndices(attentionMask?.dataSync(), B, T);
    const D = this.config.hidden_size;
    return tf.tidy(() => {
      const hidden = this.#backbone.hiddenStates(ids, attentionMask ? { attentionMask } : {}); // [B, T, D]
      const picked = tf.gather(tf.reshape(hidden, [B * T, D]), tf.tensor1d(last, 'int32')); // [B, D]
      return tf.reshape(tf.matMul(picked, this.#score, false, true), [B]) as tf.Tensor1D; // [B]
    });
  }

  parameters(): Map<string, tf.Variable> {
    const params = this.#backbone.parameters();
    params.set(SCORE_WEIGHT, this.#score);
    return params;
  }

  trainableVariables(): tf.Variable[] {
    return [...this.#backbone.trainableVariables(), this.#score];
  }

  dispose(): void {
    this.#backbone.dispose();
    this.#score.dispose();
  }
}

/** A backbone of `config` without an LM head (seeded init; loaders overwrite it). */
function headlessBackbone(config: ModelConfig): Model {
  return createModel({ ...config, tie_word_embeddings: true }, { seed: 0 });
}

/** Seeded N(0, std²) values (Box–Muller over @r1/tasks' PRNG), as HF initialises a fresh `score` head. */
function normalValues(n: number, std: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(rng.float(), Number.MIN_VALUE);
    out[i] = std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.float());
  }
  return out;
}

/** A reward model of `config` whose weights a loader assigns next (placeholder backbone init, zero head). */
export function emptyRewardModel(config: ModelConfig): RewardModel {
  return new ScalarHeadModel(config, headlessBackbone(config), tf.variable(tf.zeros([1, config.hidden_size])));
}

export interface FromCausalLmOptions {
  /** Seed of the head's init. */
  seed: number;
  /** Std of the head's N(0, std²) init. Default the model's `initializer_range` (HF's `_init_weights`, 0.02). */
  scoreStd?: number;
}

/**
 * A reward model whose backbone is a copy of `lm`'s weights (the LM is left untouched and still owned by the caller)
 * and whose head is small and seeded.
 * @example
 * ```ts
 * const lm = await loadModel('ckpt/sft');
 * const rm = rewardModelFromLm(lm, { seed: 1 });
 * lm.dispose();
 * ```
 */
export function rewardModelFromLm(lm: Model, options: FromCausalLmOptions): RewardModel {
  if (!Number.isInteger(options?.seed)) {
    throw new Error(`rewardModelFromLm: pass { seed: <integer> } (got ${JSON.stringify(options)})`);
  }
  const std = options.scoreStd ?? lm.config.initializer_range;
  if (!(std >= 0 && Number.isFinite(std))) throw new Error(`rewardModelFromLm: scoreStd must be ≥ 0, got ${std}`);
  const backbone = headlessBackbone(lm.config);
  const source = lm.parameters();
  for (const [name, variable] of backbone.parameters()) {
    const from = source.get(name);
    if (from === undefined) throw new Error(`rewardModelFromLm: the language model has no parameter "${name}"`);
    variable.assign(from);
  }
  const D = lm.config.hidden_size;
  const score = tf.variable(tf.tensor2d(normalValues(D, std, options.seed), [1, D]));
  return new ScalarHeadModel(lm.config, backbone, score);
}
