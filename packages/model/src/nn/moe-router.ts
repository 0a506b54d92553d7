/**
 * The MoE gate of DeepSeek-V3: affinity scores `s = sigmoid(x·Wgᵀ)` (or softmax), top-k expert selection on
 * `s + e_score_correction_bias` (the auxiliary-loss-free balancing bias steers WHICH experts are chosen, never how
 * much they weigh), combine weights gathered from the unbiased scores, optionally renormalised over the k chosen, then
 * scaled by `routed_scaling_factor`. Also the sequence-wise balance loss (DeepSeek-V3 eq. 17–20) and load counting.
 *
 * Selection is data-dependent, so it is computed on the host (one `dataSync` of the `[N, E]` scores per layer); the
 * weights stay on the tape, so gradients reach the gate through them. No group-limited routing (`n_group`), no
 * token dropping or capacity limits.
 */
import * as tf from '@tensorflow/tfjs';
import type { ScoringFunc } from './config';
import { linear } from './linear';
import { gatherRows } from './row-ops';

export interface RouterOptions {
  scoringFunc: ScoringFunc;
  topK: number;
  normTopkProb: boolean;
  routedScalingFactor: number;
}

export interface Routing {
  /** `[N, E]` affinity scores (differentiable). */
  scores: tf.Tensor2D;
  /** `[N·k]` chosen expert of (token n, slot j) at `n·k + j`, host-side. */
  experts: Int32Array;
  /** `[N, k]` combine weights (differentiable). */
  weights: tf.Tensor2D;
}

function scoreFn(logits: tf.Tensor2D, f: ScoringFunc): tf.Tensor2D {
  switch (f) {
    case 'sigmoid':
      return tf.sigmoid(logits);
    case 'softmax':
      return tf.softmax(logits);
    default: {
      const never: never = f;
      throw new Error(`unknown scoring_func ${String(never)}`);
    }
  }
}

/**
 * Top-k of each row of `scores + bias`, host-side. Ties go to the lower expert index. Slots are in descending order.
 * `scores` is `[n, e]` row-major.
 */
export function selectTopK(
  scores: ArrayLike<number>,
  bias: ArrayLike<number>,
  n: number,
  e: number,
  k: number,
): Int32Array {
  const out = new Int32Array(n * k);
  const taken = new Uint8Array(e);
  for (let t = 0; t < n; t++) {
    taken.fill(0);
    for (let j = 0; j < k; j++) {
      let best = -1;
      let bestScore = Number.NEGATIVE_INFINITY;
      for (let x = 0; x < e; x++) {
        if (taken[x] === 1) continue;
        const s = scores[t * e + x]! + bias[x]!;
        // `best === -1` also takes NaN scores, so a NaN row still routes somewhere (its output is NaN anyway).
        if (best === -1 || s > bestScore) {
          best = x;
          bestScore = s;
        }
      }
      taken[best] = 1;
      out[t * k + j] = best;
    }
  }
  return out;
}

/** Routes `x` `[N, D]` with gate weight `[E, D]` and selection bias `bias` (host copy, length E). */
export function route(x: tf.Tensor2D, gate: tf.Tensor2D, bias: ArrayLike<number>, opts: RouterOptions): Routing {
  const [n] = x.shape;
  const e = gate.shape[0];
  const k = opts.topK;
  const scores = tf.tidy(() => scoreFn(linear(x, gate), opts.scoringFunc));
  const experts = selectTopK(scores.dataSync(), bias, n, e, k);
  const weights = tf.tidy(() => {
    const flat = new Int32Array(n * k);
    for (let i = 0; i < n * k; i++) flat[i] = Math.floor(i / k) * e + experts[i]!;
    let w = tf.reshape(gatherRows(tf.reshape(scores, [n * e, 1]), flat), [n, k]) as tf.Tensor2D;
    if (opts.normTopkProb) w = tf.div(w, tf.add(tf.sum(w, 1, true), 1e-20)) as tf.Tensor2D;
    return opts.routedScalingFactor === 1 ? w : (tf.mul(w, opts.routedScalingFactor) as tf.Tensor2D);
  });
  return { scores, experts, weights };
}

/** Tokens per expert, counting only tokens with `tokenMask[n] = 1`. */
export function countLoad(experts: Int32Array, tokenMask: Uint8Array, numExperts: number, k: number): number[] {
  const load = new Array<number>(numExperts).fill(0);
  for (let i = 0; i < experts.length; i++) {
    if (tokenMask[Math.floor(i / k)] === 1) load[experts[i]!]! += 1;
  }
  return load;
}

/**
 * DeepSeek-V3's sequence-wise balance loss, `α · mean_b Σ_i f_i·P_i` with, per sequence b over its T_b real tokens,
 * `f_i = E / (k·T_b) · #{t : i ∈ topk(t)}` (a constant) and `P_i = (1/T_b) Σ_t s'_{i,t}`, `s' = s / Σ_j s_j`
 * (differentiable). Sequences without real tokens contribute 0. `scores` `[B·T, E]`, `tokenMask` `[B·T]`.
 */
export function sequenceBalanceLoss(
  scores: tf.Tensor2D,
  experts: Int32Array,
  tokenMask: Uint8Array,
  dims: { batch: number; time: number; topK: number },
  alpha: number,
): tf.Scalar {
  const { batch, time, topK } = dims;
  const e = scores.shape[1];
  const f = new Float32Array(batch * e);
  const invLen = new Float32Array(batch * time); // mask / T_b, per token
  for (let b = 0; b < batch; b++) {
    let real = 0;
    for (let t = 0; t < time; t++) real += tokenMask[b * time + t]!;
    if (real === 0) continue;
    for (let t = 0; t < time; t++) {
      const n = b * time + t;
      if (tokenMask[n] !== 1) continue;
      invLen[n] = 1 / real;
      for (let j = 0; j < topK; j++) f[b * e + experts[n * topK + j]!]! += e / (topK * real);
    }
  }
  return tf.tidy(() => {
    const normalised = tf.div(scores, tf.sum(scores, 1, true)); // [N, E]
    const weighted = tf.mul(normalised, tf.tensor2d(invLen, [batch * time, 1]));
    const p = tf.sum(tf.reshape(weighted, [batch, time, e]), 1); // [B, E]
    const perSeq = tf.sum(tf.mul(p, tf.tensor2d(f, [batch, e])), 1); // [B]
    return tf.mul(tf.mean(perSeq), alpha) as tf.Scalar;
  });
}
