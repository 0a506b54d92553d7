/**
 * Host-side bookkeeping for padded batches: reading an attention mask, position ids that count real tokens only
 * (HF `cumsum(mask) − 1`, padding clamped to 0), and the additive attention bias (causal ∧ key is real).
 * Masked scores get a large finite negative (not −∞), so a query row with nothing to attend to (a padding position)
 * gives a uniform, finite softmax instead of NaN; its output is garbage that callers mask out.
 */
import * as tf from '@tensorflow/tfjs';

/** Added to masked attention scores. Finite on purpose (see the header). */
export const MASKED_SCORE = -1e9;

/** `[B, T]` mask tensor → host bytes (1 = real); all ones when `mask` is undefined. Throws on bad shape or values. */
export function readMask(mask: tf.Tensor2D | undefined, batch: number, time: number): Uint8Array {
  if (mask === undefined) return new Uint8Array(batch * time).fill(1);
  if (mask.rank !== 2 || mask.shape[0] !== batch || mask.shape[1] !== time) {
    throw new Error(`attentionMask: expected shape [${batch}, ${time}] (same as ids), got [${mask.shape.join(', ')}]`);
  }
  const v = mask.dataSync();
  const out = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (x !== 0 && x !== 1) {
      const b = Math.floor(i / time);
      throw new Error(`attentionMask[${b}][${i - b * time}] = ${x}: use 1 for real tokens and 0 for padding`);
    }
    out[i] = x;
  }
  return out;
}

/** Position ids `[B, T]`: number of real tokens before each position in its row (padding gets 0). */
export function positionIds(mask: Uint8Array, batch: number, time: number, start?: Int32Array): Int32Array {
  const out = new Int32Array(batch * time);
  for (let b = 0; b < batch; b++) {
    let seen = start?.[b] ?? 0;
    for (let t = 0; t < time; t++) {
      const real = mask[b * time + t] === 1;
      out[b * time + t] = real ? seen : Math.max(0, seen - 1);
      if (real) seen++;
    }
  }
  return out;
}

/**
 * Additive bias `[B, 1, Tq, S]` for `Tq` queries that sit at key slots `S − Tq … S − 1`: query j sees key s iff
 * `s ≤ S − Tq + j` and `keyMask[b, s]` is 1. `keyMask` is `[B, S]` row-major.
 */
export function attentionBias(keyMask: Uint8Array, batch: number, queries: number, keys: number): tf.Tensor4D {
  const offset = keys - queries;
  const bias = new Float32Array(batch * queries * keys);
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < queries; j++) {
      const row = (b * queries + j) * keys;
      for (let s = 0; s < keys; s++) {
        if (s > offset + j || keyMask[b * keys + s] !== 1) bias[row + s] = MASKED_SCORE;
      }
    }
  }
  return tf.tensor4d(bias, [batch, 1, queries, keys]);
}

/** `[B, T]` segment-id tensor → host int32 (0 = padding, k ≥ 1 = segment k; each segment one contiguous run). */
export function readSegments(segmentIds: tf.Tensor2D, batch: number, time: number): Int32Array {
  if (segmentIds.rank !== 2 || segmentIds.shape[0] !== batch || segmentIds.shape[1] !== time) {
    throw new Error(
      `segmentIds: expected shape [${batch}, ${time}] (same as ids), got [${segmentIds.shape.join(', ')}]`,
    );
  }
  const v = segmentIds.dataSync();
  const out = new Int32Array(v.length);
  for (let b = 0; b < batch; b++) {
    const closed = new Set<number>();
    let current = 0;
    for (let t = 0; t < time; t++) {
      const x = v[b * time + t]!;
      if (!Number.isInteger(x) || x < 0) {
        throw new Error(`segmentIds[${b}][${t}] = ${x}: use 0 for padding and integers ≥ 1 for packed rows`);
      }
      if (x !== current) {
        if (x !== 0 && closed.has(x)) {
          throw new Error(
            `segmentIds[${b}][${t}]: segment ${x} resumes after another one; keep each segment contiguous`,
          );
        }
        if (current !== 0) closed.add(current);
        current = x;
      }
      out[b * time + t] = x;
    }
  }
  return out;
}

/** Position ids `[B, T]` that restart at 0 in every segment (padding gets 0). */
export function segmentPositionIds(segments: Int32Array, batch: number, time: number): Int32Array {
  const out = new Int32Array(batch * time);
  for (let b = 0; b < batch; b++) {
    let previous = 0;
    let seen = 0;
    for (let t = 0; t < time; t++) {
      const s = segments[b * time + t]!;
      if (s !== previous) seen = 0;
      previous = s;
      out[b * time + t] = s === 0 ? 0 : seen++;
    }
  }
  return out;
}

/** Additive bias `[B, 1, T, T]` of a packed batch: query j sees key s iff s ≤ j and both are in one segment ≥ 1. */
export function segmentAttentionBias(segments: Int32Array, batch: number, time: number): tf.Tensor4D {
  const bias = new Float32Array(batch * time * time).fill(MASKED_SCORE);
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < time; j++) {
      const segment = segments[b * time + j]!;
      if (segment === 0) continue;
      const row = (b * time + j) * time;
      for (let s = j; s >= 0 && segments[b * time + s] === segment; s--) bias[row + s] = 0;
    }
  }
  return tf.tensor4d(bias, [batch, 1, time, time]);
}
