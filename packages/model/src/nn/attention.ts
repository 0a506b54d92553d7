/**
 * Grouped-query self-attention (Qwen2): q/k/v projections with bias, RoPE on q and k, softmax(q·kᵀ/√hd + bias)·v,
 * o_proj without bias. GQA is done without repeating k/v: the H = Hkv·g query heads are regrouped as
 * `[B, Hkv, g·T, hd]`, so each kv head is multiplied once against its g query heads (HF `repeat_kv` order: query head
 * h uses kv head ⌊h / g⌋). No MLA, no sliding window, no dropout.
 * Where the backend has the fused kernels (`R1Attention` / `R1AttentionGrad`, the wasm kernel pack) a full-sequence
 * block's core — RoPE, scores, softmax, values — is one kernel each way between the projections; elsewhere, and for
 * calls that extend a KV cache, the composition of tfjs ops below.
 */
import * as tf from '@tensorflow/tfjs';
import { ATTENTION, ATTENTION_GRAD, type AttentionAttrs } from '../backend/kernels/attention';
import { DECODE_ATTENTION, type DecodeAttentionAttrs } from '../backend/kernels/decode-attention';
import type { KVCache } from './kv-cache';
import { linear } from './linear';
import { applyRope, type RopeAngles } from './rope';
import { recordingGradients } from './tape';

export interface AttentionWeights {
  q: tf.Tensor2D; // [H·hd, D]
  qBias: tf.Tensor1D;
  k: tf.Tensor2D; // [Hkv·hd, D]
  kBias: tf.Tensor1D;
  v: tf.Tensor2D; // [Hkv·hd, D]
  vBias: tf.Tensor1D;
  o: tf.Tensor2D; // [D, H·hd]
}

export interface AttentionShape {
  heads: number;
  kvHeads: number;
  headDim: number;
}

export interface AttentionOutput {
  out: tf.Tensor2D; // [B·T, D]
  /**
   * This call's keys / values (after RoPE), or the cache's concatenated with them, `[B, Hkv, S, hd]`; null when the
   * call asked for none (`{ kv: false }`).
   */
  keys: tf.Tensor4D | null;
  values: tf.Tensor4D | null;
}

/**
 * Whether `selfAttention` runs a full-sequence block's core as the fused kernels: the backend has them and the head
 * dimension suits them (a multiple of 8). They read the angles of one head, so `ropeAngles(…, 1)` is enough there.
 */
export function canFuseAttention(headDim: number): boolean {
  const backend = tf.getBackend();
  return (
    headDim % 8 === 0 &&
    tf.getKernel(ATTENTION, backend) !== undefined &&
    tf.getKernel(ATTENTION_GRAD, backend) !== undefined
  );
}

/**
 * The fused core on projections `q`, `k`, `v` (biases added, token-major): merged heads `[B·T, H·hd]`, and the
 * roped keys and the values when `kv`. Differentiable in q, k, v when the tape records (then without kv).
 */
function fusedAttention(
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  v: tf.Tensor2D,
  angles: RopeAngles,
  bias: tf.Tensor4D,
  heads: number,
  kv: boolean,
): { out: tf.Tensor2D; keys: tf.Tensor4D | null; values: tf.Tensor4D | null } {
  const engine = tf.engine();
  const attrs = { heads } satisfies AttentionAttrs as unknown as tf.NamedAttrMap;
  const { cos, sin } = angles;
  const run = (qi: tf.Tensor, ki: tf.Tensor, vi: tf.Tensor) =>
    engine.runKernel(ATTENTION, { q: qi, k: ki, v: vi, cos, sin, bias }, attrs) as tf.Tensor[];
  if (!recordingGradients()) {
    const [out, qr, keys, values, p] = run(q, k, v) as [tf.Tensor2D, tf.Tensor, tf.Tensor4D, tf.Tensor4D, tf.Tensor];
    qr.dispose();
    p.dispose();
    if (!kv) {
      keys.dispose();
      values.dispose();
    }
    return { out, keys: kv ? keys : null, values: kv ? values : null };
  }
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [qi, ki, vi, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const [out, ...kept] = run(qi, ki, vi) as [tf.Tensor, ...tf.Tensor[]];
    // The angles go with the saved tensors: an enclosing tidy may dispose them before the backward pass runs.
    save([...kept, cos, sin]);
    for (const t of kept) t.dispose();
    return {
      value: out,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [qr, kr, vh, p, c, s] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        return engine.runKernel(ATTENTION_GRAD, { dy, qr, kr, vh, p, cos: c, sin: s }, attrs) as tf.Tensor[];
      },
    };
  });
  return { out: op(q, k, v) as tf.Tensor2D, keys: null, values: null };
}

/** `[B·T, H·hd]` → `[B, H, T, hd]`. */
function splitHeads(x: tf.Tensor2D, batch: number, time: number, heads: number, headDim: number): tf.Tensor4D {
  return tf.transpose(tf.reshape(x, [batch, time, heads, headDim]), [0, 2, 1, 3]);
}

/**
 * Scaled dot-product attention with grouped kv heads.
 * `q` `[B, H, Tq, hd]`, `k`/`v` `[B, Hkv, S, hd]`, `bias` `[B, 1, Tq, S]` → `[B, H, Tq, hd]`.
 */
export function groupedAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, bias: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, tq, hd] = q.shape;
    const [, hkv, s] = k.shape;
    const g = h / hkv;
    const qg = tf.reshape(q, [b, hkv, g * tq, hd]);
    const scores = tf.mul(tf.matMul(qg, k, false, true), 1 / Math.sqrt(hd)); // [B, Hkv, g·Tq, S]
    const probs = tf.softmax(tf.add(tf.reshape(scores, [b, h, tq, s]), bias)); // [B, H, Tq, S]
    const out = tf.matMul(tf.reshape(probs, [b, hkv, g * tq, s]), v); // [B, Hkv, g·Tq, hd]
    return tf.reshape(out, [b, h, tq, hd]);
  });
}

/**
 * One attention block on normalised input `x` `[B·T, D]`. With `past`, this call's keys/values are appended to its
 * first `length` slots (decode); `bias` must then cover all `S = length + T` keys. `opts.kv: false` says the caller
 * does not need the keys and values (training): they come back null, and a recorded call can then use the fused
 * kernels.
 */
export function selfAttention(
  x: tf.Tensor2D,
  w: AttentionWeights,
  shape: AttentionShape,
  dims: { batch: number; time: number },
  /** Angles for the query heads and for the kv heads (`ropeAngles(…, heads)` of each count). */
  rope: { q: RopeAngles; k: RopeAngles },
  bias: tf.Tensor4D,
  past?: { keys: tf.Tensor4D; values: tf.Tensor4D; length: number },
  opts: { kv?: boolean } = {},
): AttentionOutput {
  // tidy keeps the tensors of what it returns; null keys / values are skipped (its type does not admit null).
  const body = (): AttentionOutput => {
    const { batch, time } = dims;
    const { heads, kvHeads, headDim } = shape;
    const kv = opts.kv ?? true;
    if (past === undefined && x.dtype === 'float32' && (!kv || !recordingGradients()) && canFuseAttention(headDim)) {
      const q = linear(x, w.q, w.qBias);
      const k = linear(x, w.k, w.kBias);
      const v = linear(x, w.v, w.vBias);
      const core = fusedAttention(q, k, v, rope.q, bias, heads, kv);
      return { out: linear(core.out, w.o), keys: core.keys, values: core.values };
    }
    const q = applyRope(splitHeads(linear(x, w.q, w.qBias), batch, time, heads, headDim), rope.q);
    let keys = applyRope(splitHeads(linear(x, w.k, w.kBias), batch, time, kvHeads, headDim), rope.k);
    let values = splitHeads(linear(x, w.v, w.vBias), batch, time, kvHeads, headDim);
    if (past !== undefined) {
      const filled = (t: tf.Tensor4D) =>
        t.shape[2] === past.length ? t : tf.slice(t, [0, 0, 0, 0], [-1, -1, past.length, -1]);
      keys = tf.concat([filled(past.keys), keys], 2);
      values = tf.concat([filled(past.values), values], 2);
    }
    const attended = groupedAttention(q, keys, values, bias); // [B, H, T, hd]
    const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [batch * time, heads * headDim]);
    return { out: linear(merged as tf.Tensor2D, w.o), keys: kv ? keys : null, values: kv ? values : null };
  };
  return tf.tidy(body as unknown as () => tf.TensorContainer) as unknown as AttentionOutput;
}

/**
 * Whether `inPlaceDecodeAttention` runs here: the backend has the fused kernel, the head dimension suits it (a
 * multiple of 4) and no gradient is being recorded (the kernel has none). Otherwise decode uses `selfAttention`.
 */
export function canDecodeInPlace(headDim: number): boolean {
  return headDim % 4 === 0 && tf.getKernel(DECODE_ATTENTION, tf.getBackend()) !== undefined && !recordingGradients();
}

/**
 * One decode step of attention for one new token per row (`x` `[B, D]`): the projections' biases, RoPE, this
 * token's keys and values written into slot `length − 1` of layer `layer` of `cache` in place (call
 * `cache.reserve(length)` first, `cache.advance(1)` after the last layer) and attention over the first `length`
 * slots, as one `R1DecodeAttention` kernel between the projections. `angles`: each row's cos/sin for one head
 * (`ropeAngles(…, 1)`); `bias`: `[B, 1, 1, length]`.
 */
export function inPlaceDecodeAttention(
  x: tf.Tensor2D,
  w: AttentionWeights,
  heads: number,
  angles: RopeAngles,
  bias: tf.Tensor4D,
  cache: KVCache,
  layer: number,
  length: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const { keys, values } = cache.layer(layer);
    const attrs: DecodeAttentionAttrs = { heads, length };
    const attended = tf.engine().runKernel(
      DECODE_ATTENTION,
      {
        q: linear(x, w.q),
        k: linear(x, w.k),
        v: linear(x, w.v),
        qBias: w.qBias,
        kBias: w.kBias,
        vBias: w.vBias,
        cos: angles.cos,
        sin: angles.sin,
        bias,
        keys,
        values,
      },
      attrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor2D;
    return linear(attended, w.o);
  });
}
