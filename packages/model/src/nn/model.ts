/**
 * The decoder-only transformer: Qwen2 (token embedding → N × [RMSNorm → GQA attention with RoPE → residual →
 * RMSNorm → SwiGLU or DeepSeek-V3 MoE FFN → residual] → RMSNorm → LM head), with full-sequence forward, the final
 * hidden states (for other heads), chunked token log-probabilities/entropy, and KV-cache prefill/decode for sampling.
 *
 * Everything a call creates besides its results is freed before it returns. It does not sample, tokenise, load
 * checkpoints or pick a backend: see the sampler package, `io/` and `backend/`.
 */
import * as tf from '@tensorflow/tfjs';
import {
  type AttentionWeights,
  canDecodeInPlace,
  canFuseAttention,
  inPlaceDecodeAttention,
  selfAttention,
} from './attention';
import { isMoeLayer, type ModelConfig, resolveModelConfig } from './config';
import { initParameters } from './init';
import { KVCache, type LayerKV } from './kv-cache';
import { linear, type SwiGluWeights, swiglu } from './linear';
import { attentionBias, positionIds, readMask, readSegments, segmentAttentionBias, segmentPositionIds } from './mask';
import { type MoeWeights, moeFfn } from './moe';
import { rmsNorm } from './rms-norm';
import { ropeAngles } from './rope';
import { defaultChunkRows, tokenStats } from './token-stats';
import type {
  ForwardOptions,
  Model,
  MoeAux,
  MoeBiasUpdateOptions,
  MoeDispatch,
  MoeLoad,
  PrefillResult,
  ScoreOptions,
  TokenScores,
} from './types';

export interface CreateModelOptions {
  /** Seed of the weight init; the same (config, seed) gives bit-identical weights on every backend. */
  seed: number;
}

interface LayerWeights {
  inputNorm: tf.Tensor1D;
  attention: AttentionWeights;
  postNorm: tf.Tensor1D;
  ffn: { kind: 'dense'; mlp: SwiGluWeights } | { kind: 'moe'; moe: MoeWeights };
}

/** What one pass through the layers needs besides the ids. */
interface TrunkContext {
  batch: number;
  time: number;
  tokenMask: Uint8Array; // [B·T] real tokens of this call
  positions: Int32Array; // [B·T]
  keyMask: Uint8Array; // [B·S] all keys (cached + this call's)
  /** [B·T] packed-sequence segment ids (0 = padding), or null for one sequence per row. */
  segments: Int32Array | null;
  past: KVCache | null;
  /** Decode one token per row through `inPlaceDecodeAttention` (the cache is reserved; the trunk returns no kv). */
  inPlace: boolean;
  /** Return each layer's keys and values (prefill and decode build a cache from them; training needs none). */
  keepKv: boolean;
  dispatch: MoeDispatch;
  withAux: boolean;
}

interface TrunkOutput {
  hidden: tf.Tensor2D; // [B·T, D], after the final norm
  auxLoss: tf.Scalar;
  kv: LayerKV[];
}

const DEFAULT_BIAS_RATE = 0.001;

function checkIds(ids: tf.Tensor, vocab: number, what: string): Int32Array {
  if (!(ids instanceof tf.Tensor) || ids.rank !== 2 || ids.dtype !== 'int32') {
    const got = ids instanceof tf.Tensor ? `a ${ids.dtype} tensor of shape [${ids.shape.join(', ')}]` : typeof ids;
    throw new Error(
      `${what}: expected an int32 tensor of shape [B, T], got ${got}; use tf.tensor2d(rows, undefined, 'int32')`,
    );
  }
  if (ids.shape[0] === 0 || ids.shape[1] === 0) throw new Error(`${what}: empty shape [${ids.shape.join(', ')}]`);
  const v = ids.dataSync() as Int32Array;
  const t = ids.shape[1]!;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (x < 0 || x >= vocab) {
      throw new Error(`${what}[${Math.floor(i / t)}][${i % t}] = ${x} is outside the vocabulary [0, ${vocab})`);
    }
  }
  return v;
}

class Transformer implements Model {
  readonly config: ModelConfig;
  #params: Map<string, tf.Variable>;
  #layers: LayerWeights[];
  #embed: tf.Tensor2D;
  #norm: tf.Tensor1D;
  #head: tf.Tensor2D;
  #disposed = false;

  constructor(config: ModelConfig, params: Map<string, tf.Variable>) {
    this.config = config;
    this.#params = params;
    const get = <T extends tf.Tensor>(name: string): T => {
      const v = params.get(name);
      if (v === undefined) throw new Error(`internal: parameter ${name} was not created`);
      return v as unknown as T;
    };
    const mlp = (p: string): SwiGluWeights => ({
      gate: get(`${p}.gate_proj.weight`),
      up: get(`${p}.up_proj.weight`),
      down: get(`${p}.down_proj.weight`),
    });
    this.#embed = get('model.embed_tokens.weight');
    this.#norm = get('model.norm.weight');
    this.#head = config.tie_word_embeddings ? this.#embed : get('lm_head.weight');
    this.#layers = [];
    for (let i = 0; i < config.num_hidden_layers; i++) {
      const p = `model.layers.${i}`;
      const a = `${p}.self_attn`;
      const moe = config.moe;
      this.#layers.push({
        inputNorm: get(`${p}.input_layernorm.weight`),
        attention: {
          q: get(`${a}.q_proj.weight`),
          qBias: get(`${a}.q_proj.bias`),
          k: get(`${a}.k_proj.weight`),
          kBias: get(`${a}.k_proj.bias`),
          v: get(`${a}.v_proj.weight`),
          vBias: get(`${a}.v_proj.bias`),
          o: get(`${a}.o_proj.weight`),
        },
        postNorm: get(`${p}.post_attention_layernorm.weight`),
        ffn:
          moe !== null && isMoeLayer(config, i)
            ? {
                kind: 'moe',
                moe: {
                  gate: get(`${p}.mlp.gate.weight`),
                  bias: get(`${p}.mlp.gate.e_score_correction_bias`),
                  experts: Array.from({ length: moe.n_routed_experts }, (_, e) => mlp(`${p}.mlp.experts.${e}`)),
                  shared: moe.n_shared_experts > 0 ? mlp(`${p}.mlp.shared_experts`) : null,
                },
              }
            : { kind: 'dense', mlp: mlp(`${p}.mlp`) },
      });
    }
  }

  forward(ids: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor3D {
    const { logits, auxLoss } = this.forwardWithAux(ids, opts);
    auxLoss.dispose();
    return logits;
  }

  forwardWithAux(ids: tf.Tensor2D, opts: ForwardOptions = {}): MoeAux & { logits: tf.Tensor3D } {
    const ctx = this.#fullContext(ids, opts, 'forward', true);
    const seen: { load: MoeLoad | null } = { load: null };
    const [logits, auxLoss] = tf.tidy(() => {
      const out = this.#trunk(ids, ctx, (l) => {
        seen.load = l;
      });
      const logits = tf.reshape(linear(out.hidden, this.#head), [ctx.batch, ctx.time, this.config.vocab_size]);
      return [logits, out.auxLoss];
    }) as [tf.Tensor3D, tf.Scalar];
    return { logits, auxLoss, load: seen.load };
  }

  hiddenStates(ids: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor3D {
    const ctx = this.#fullContext(ids, opts, 'hiddenStates', false);
    return tf.tidy(() =>
      tf.reshape(this.#trunk(ids, ctx, () => {}).hidden, [ctx.batch, ctx.time, this.config.hidden_size]),
    );
  }

  tokenLogprobs(ids: tf.Tensor2D, targets: tf.Tensor2D, opts: ScoreOptions = {}): tf.Tensor2D {
    const s = this.#score(ids, targets, opts, false);
    s.entropy.dispose();
    s.auxLoss.dispose();
    return s.logprobs;
  }

  score(ids: tf.Tensor2D, targets: tf.Tensor2D, opts: ScoreOptions = {}): TokenScores {
    return this.#score(ids, targets, opts, true);
  }

  #score(ids: tf.Tensor2D, targets: tf.Tensor2D, opts: ScoreOptions, withAux: boolean): TokenScores {
    const ctx = this.#fullContext(ids, opts, 'score', withAux);
    const vocab = this.config.vocab_size;
    const t = checkIds(targets, vocab, 'targets');
    if (targets.shape[0] !== ctx.batch || targets.shape[1] !== ctx.time) {
      throw new Error(`targets: shape [${targets.shape.join(', ')}] must equal ids' [${ctx.batch}, ${ctx.time}]`);
    }
    const seen: { load: MoeLoad | null } = { load: null };
    const [logprobs, entropy, auxLoss] = tf.tidy(() => {
      const out = this.#trunk(ids, ctx, (l) => {
        seen.load = l;
      });
      const stats = tokenStats(out.hidden, this.#head, t, {
        temperature: opts.temperature ?? 1,
        chunkRows: opts.chunkRows ?? defaultChunkRows(vocab),
      });
      const n = ctx.batch * ctx.time;
      const shape: [number, number] = [ctx.batch, ctx.time];
      return [
        tf.reshape(tf.slice(stats, [0, 0], [n, 1]), shape),
        tf.reshape(tf.slice(stats, [0, 1], [n, 1]), shape),
        out.auxLoss,
      ];
    }) as [tf.Tensor2D, tf.Tensor2D, tf.Scalar];
    return { logprobs, entropy, auxLoss, load: seen.load };
  }

  prefill(ids: tf.Tensor2D, opts: Pick<ForwardOptions, 'attentionMask' | 'moeDispatch'> = {}): PrefillResult {
    if ((opts as ForwardOptions).segmentIds !== undefined) {
      throw new Error('prefill: segmentIds (packed sequences) are for training; prefill one sequence per row');
    }
    const ctx = this.#fullContext(ids, opts, 'prefill', false);
    const { batch, time } = ctx;
    const next = new Int32Array(batch);
    for (let b = 0; b < batch; b++) {
      if (ctx.tokenMask[b * time + time - 1] !== 1) {
        throw new Error(`prefill: row ${b} ends with padding; pad prompts on the left so every row ends with a token`);
      }
      for (let s = 0; s < time; s++) next[b]! += ctx.tokenMask[b * time + s]!;
    }
    const [logits, ...kv] = tf.tidy(() => {
      const out = this.#trunk(ids, ctx, () => {});
      const last = new Int32Array(batch);
      for (let b = 0; b < batch; b++) last[b] = b * time + time - 1;
      const logits = linear(tf.gather(out.hidden, tf.tensor1d(last, 'int32')), this.#head); // [B, V]
      return [logits, ...out.kv.flatMap((l) => [l.keys, l.values])];
    }) as [tf.Tensor2D, ...tf.Tensor4D[]];
    const layers: LayerKV[] = [];
    for (let i = 0; i < kv.length; i += 2) layers.push({ keys: kv[i]!, values: kv[i + 1]! });
    return { cache: new KVCache(layers, ctx.tokenMask, next, batch, time), logits };
  }

  decodeStep(cache: KVCache, ids: tf.Tensor2D): tf.Tensor3D {
    this.#check();
    if (cache.disposed) throw new Error('decodeStep: the cache was used after dispose(); prefill again');
    checkIds(ids, this.config.vocab_size, 'decodeStep ids');
    const [batch, time] = ids.shape;
    if (batch !== cache.batchSize) {
      throw new Error(
        `decodeStep: ids have ${batch} rows but the cache has ${cache.batchSize}; select cache rows first`,
      );
    }
    if (cache.numLayers !== this.config.num_hidden_layers) {
      throw new Error(`decodeStep: cache has ${cache.numLayers} layers, model ${this.config.num_hidden_layers}`);
    }
    const past = cache.length;
    const keys = past + time;
    const old = cache.keyMask();
    const keyMask = new Uint8Array(batch * keys).fill(1);
    for (let b = 0; b < batch; b++) keyMask.set(old.subarray(b * past, (b + 1) * past), b * keys);
    const ctx: TrunkContext = {
      batch,
      time,
      tokenMask: new Uint8Array(batch * time).fill(1),
      positions: positionIds(new Uint8Array(batch * time).fill(1), batch, time, cache.nextPositions()),
      keyMask,
      segments: null,
      past: cache,
      inPlace: time === 1 && canDecodeInPlace(this.config.head_dim),
      keepKv: true,
      dispatch: 'sparse',
      withAux: false,
    };
    if (ctx.inPlace) cache.reserve(keys);
    const [logits, ...kv] = tf.tidy(() => {
      const out = this.#trunk(ids, ctx, () => {});
      const logits = tf.reshape(linear(out.hidden, this.#head), [batch, time, this.config.vocab_size]);
      return [logits, ...out.kv.flatMap((l) => [l.keys, l.values])];
    }) as [tf.Tensor3D, ...tf.Tensor4D[]];
    if (ctx.inPlace) {
      cache.advance(time);
      return logits;
    }
    const layers: LayerKV[] = [];
    for (let i = 0; i < kv.length; i += 2) layers.push({ keys: kv[i]!, values: kv[i + 1]! });
    cache.append(layers, time);
    return logits;
  }

  parameters(): Map<string, tf.Variable> {
    this.#check();
    return new Map(this.#params);
  }

  trainableVariables(): tf.Variable[] {
    this.#check();
    return [...this.#params.values()].filter((v) => v.trainable);
  }

  updateMoeBias(load: MoeLoad, opts: MoeBiasUpdateOptions = {}): void {
    this.#check();
    const moe = this.config.moe;
    if (moe === null) throw new Error('updateMoeBias: this model is dense (no MoE layers); do not call it');
    const rate = opts.rate ?? DEFAULT_BIAS_RATE;
    if (!(rate >= 0) || !Number.isFinite(rate)) throw new Error(`updateMoeBias: rate must be ≥ 0, got ${rate}`);
    for (const entry of load.layers) {
      const w = this.#layers[entry.layer]?.ffn;
      if (w === undefined || w.kind !== 'moe') {
        throw new Error(`updateMoeBias: layer ${entry.layer} is not an MoE layer; pass the load a forward returned`);
      }
      if (entry.tokensPerExpert.length !== moe.n_routed_experts) {
        throw new Error(
          `updateMoeBias: layer ${entry.layer} has ${entry.tokensPerExpert.length} counts, expected ${moe.n_routed_experts}`,
        );
      }
      const mean = entry.tokensPerExpert.reduce((a, b) => a + b, 0) / moe.n_routed_experts;
      const bias = Float32Array.from(w.moe.bias.dataSync());
      for (let e = 0; e < bias.length; e++) bias[e]! += rate * Math.sign(mean - entry.tokensPerExpert[e]!);
      const next = tf.tensor1d(bias);
      (w.moe.bias as tf.Variable).assign(next);
      next.dispose();
    }
  }

  dispose(): void {
    if (this.#disposed) return;
    for (const v of this.#params.values()) v.dispose();
    this.#disposed = true;
  }

  #check(): void {
    if (this.#disposed) throw new Error('model used after dispose(); create or load it again');
  }

  /** Context of a full-sequence call (no cache). */
  #fullContext(ids: tf.Tensor2D, opts: ForwardOptions, what: string, withAux: boolean): TrunkContext {
    this.#check();
    checkIds(ids, this.config.vocab_size, `${what} ids`);
    const [batch, time] = ids.shape;
    if (opts.segmentIds !== undefined) {
      if (opts.attentionMask !== undefined) {
        throw new Error(`${what}: pass attentionMask or segmentIds, not both (segment 0 already marks padding)`);
      }
      const segments = readSegments(opts.segmentIds, batch, time);
      const tokenMask = new Uint8Array(batch * time);
      for (let i = 0; i < segments.length; i++) tokenMask[i] = segments[i]! > 0 ? 1 : 0;
      return {
        batch,
        time,
        tokenMask,
        positions: segmentPositionIds(segments, batch, time),
        keyMask: tokenMask,
        segments,
        past: null,
        inPlace: false,
        keepKv: what === 'prefill',
        dispatch: opts.moeDispatch ?? 'sparse',
        withAux,
      };
    }
    const tokenMask = readMask(opts.attentionMask, batch, time);
    return {
      batch,
      time,
      tokenMask,
      positions: positionIds(tokenMask, batch, time),
      keyMask: tokenMask,
      segments: null,
      past: null,
      inPlace: false,
      keepKv: what === 'prefill',
      dispatch: opts.moeDispatch ?? 'sparse',
      withAux,
    };
  }

  /** Embedding → layers → final norm. Call inside a tidy. */
  #trunk(ids: tf.Tensor2D, ctx: TrunkContext, onLoad: (load: MoeLoad | null) => void): TrunkOutput {
    const c = this.config;
    const { batch, time } = ctx;
    const keys = (ctx.past?.length ?? 0) + time;
    const angles = (heads: number) => ropeAngles(ctx.positions, batch, time, c.head_dim, c.rope_theta, heads);
    // The fused kernels read one head's angles; the composition multiplies equal shapes faster than broadcasts.
    const oneHead = ctx.inPlace || (ctx.past === null && canFuseAttention(c.head_dim));
    const qAngles = angles(oneHead ? 1 : c.num_attention_heads);
    const rope = {
      q: qAngles,
      k: oneHead || c.num_key_value_heads === c.num_attention_heads ? qAngles : angles(c.num_key_value_heads),
    };
    const bias =
      ctx.segments === null
        ? attentionBias(ctx.keyMask, batch, time, keys)
        : segmentAttentionBias(ctx.segments, batch, time);
    const shape = { heads: c.num_attention_heads, kvHeads: c.num_key_value_heads, headDim: c.head_dim };
    let x = tf.gather(this.#embed, tf.reshape(ids, [batch * time])) as tf.Tensor2D; // [N, D]
    const kv: LayerKV[] = [];
    const auxLosses: tf.Scalar[] = [];
    const loads: MoeLoad['layers'] = [];
    this.#layers.forEach((layer, i) => {
      const normed = rmsNorm(x, layer.inputNorm, c.rms_norm_eps);
      if (ctx.inPlace) {
        const att = inPlaceDecodeAttention(normed, layer.attention, shape.heads, qAngles, bias, ctx.past!, i, keys);
        x = tf.add(x, att);
      } else {
        const past = ctx.past === null ? undefined : { ...ctx.past.layer(i), length: ctx.past.length };
        const att = selfAttention(normed, layer.attention, shape, ctx, rope, bias, past, { kv: ctx.keepKv });
        if (att.keys !== null && att.values !== null) kv.push({ keys: att.keys, values: att.values });
        x = tf.add(x, att.out);
      }
      const h = rmsNorm(x, layer.postNorm, c.rms_norm_eps);
      const ffn = layer.ffn;
      switch (ffn.kind) {
        case 'dense':
          x = tf.add(x, swiglu(h, ffn.mlp));
          break;
        case 'moe': {
          const r = moeFfn(h, ffn.moe, c.moe!, { ...ctx, withAuxLoss: ctx.withAux });
          x = tf.add(x, r.out);
          if (r.auxLoss !== null) auxLosses.push(r.auxLoss);
          loads.push({ layer: i, tokensPerExpert: r.tokensPerExpert });
          break;
        }
        default: {
          const never: never = ffn;
          throw new Error(`unknown ffn ${JSON.stringify(never)}`);
        }
      }
    });
    let tokens = 0;
    for (const m of ctx.tokenMask) tokens += m;
    onLoad(loads.length === 0 ? null : { tokens, layers: loads });
    const auxLoss = auxLosses.length === 0 ? tf.scalar(0) : (tf.addN(auxLosses) as tf.Scalar);
    return { hidden: rmsNorm(x, this.#norm, c.rms_norm_eps), auxLoss, kv };
  }
}

/**
 * Creates a transformer with seeded random weights (load real ones with `io/` through `parameters()`).
 *
 * @example
 * ```ts
 * const model = createModel(resolveModelConfig({ model_type: 'qwen2', vocab_size: 64, hidden_size: 32,
 *   intermediate_size: 64, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2 }), { seed: 0 });
 * const logits = model.forward(tf.tensor2d([[1, 2, 3]], undefined, 'int32')); // [1, 3, 64]
 * model.dispose();
 * ```
 */
export function createModel(config: ModelConfig, opts: CreateModelOptions): Model {
  if (opts === undefined || !Number.isInteger(opts.seed)) {
    throw new Error(`createModel: pass { seed: <integer> } (got ${JSON.stringify(opts)}); every init is seeded`);
  }
  const resolved = resolveModelConfig(config);
  return new Transformer(resolved, initParameters(resolved, opts.seed));
}
