/**
 * The MoE FFN of DeepSeek-V3: always-on shared experts plus k routed experts per token, combined with the router's
 * weights. Two dispatch strategies with the same result:
 * - `sparse`: tokens are permuted so each expert's tokens are contiguous (one gather), each expert's SwiGLU runs on
 *   its slice only (split), and the outputs are permuted back to (token, slot) order (one gather) and summed with the
 *   weights. Work: k/E of dense. Gradients flow through gather / split / concat (tfjs's own kernels; gather's
 *   gradient needs the UnsortedSegmentSum kernel).
 * - `dense`: every expert on every token, outputs weighted by a `[N, E]` matrix that is zero off the routing — the
 *   naive reference and the benchmark baseline.
 * Experts that get no tokens are skipped, but stay on the tape with a zero gradient (see `dispatchSparse`).
 */
import * as tf from '@tensorflow/tfjs';
import type { MoeConfig } from './config';
import { type SwiGluWeights, swiglu } from './linear';
import { countLoad, type Routing, route, sequenceBalanceLoss } from './moe-router';
import type { MoeDispatch } from './types';

export interface MoeWeights {
  gate: tf.Tensor2D; // [E, D]
  /** `e_score_correction_bias` `[E]`: selection-only bias. */
  bias: tf.Tensor1D;
  experts: SwiGluWeights[];
  shared: SwiGluWeights | null;
}

export interface MoeOptions {
  dispatch: MoeDispatch;
  /** `[B·T]` 1 = real token; load and aux loss count real tokens only. */
  tokenMask: Uint8Array;
  batch: number;
  time: number;
  /** Compute the sequence-wise balance loss (only when alpha > 0). */
  withAuxLoss: boolean;
}

export interface MoeOutput {
  out: tf.Tensor2D; // [N, D]
  /** α-weighted balance loss, or null when not requested / alpha is 0. */
  auxLoss: tf.Scalar | null;
  /** Real tokens routed to each expert. */
  tokensPerExpert: number[];
}

/** Routed experts, each on its own tokens only. `x` `[N, D]` → `[N, D]`. */
export function dispatchSparse(x: tf.Tensor2D, experts: SwiGluWeights[], routing: Routing): tf.Tensor2D {
  return tf.tidy(() => {
    const [n, d] = x.shape;
    const k = routing.weights.shape[1];
    const numExperts = experts.length;
    const counts = new Array<number>(numExperts).fill(0);
    for (const ex of routing.experts) counts[ex]! += 1;
    const starts = new Array<number>(numExperts).fill(0);
    for (let ex = 1; ex < numExperts; ex++) starts[ex] = starts[ex - 1]! + counts[ex - 1]!;
    // order[p] = token at sorted position p; back[n·k + j] = sorted position of (token n, slot j).
    const order = new Int32Array(n * k);
    const back = new Int32Array(n * k);
    const fill = starts.slice();
    for (let i = 0; i < n * k; i++) {
      const ex = routing.experts[i]!;
      const p = fill[ex]!++;
      order[p] = Math.floor(i / k);
      back[i] = p;
    }
    const used = experts.map((w, ex) => ({ w, count: counts[ex]! })).filter((u) => u.count > 0);
    const sorted = tf.gather(x, tf.tensor1d(order, 'int32')); // [N·k, D]
    const pieces =
      used.length === 1
        ? [sorted]
        : tf.split(
            sorted,
            used.map((u) => u.count),
          );
    const outs = pieces.map((piece, i) => swiglu(piece as tf.Tensor2D, used[i]!.w));
    const joined = outs.length === 1 ? outs[0]! : tf.concat(outs, 0); // [N·k, D], expert-sorted
    const perSlot = tf.reshape(tf.gather(joined, tf.tensor1d(back, 'int32')), [n, k, d]);
    const combined = tf.sum(tf.mul(perSlot, tf.expandDims(routing.weights, 2)), 1) as tf.Tensor2D;
    const idle = experts.filter((_, ex) => counts[ex] === 0);
    if (idle.length === 0) return combined;
    // Keep idle experts on the tape with a zero gradient: tfjs optimizers (Adam, …) index their slots by the
    // position of each gradient in the map, so the set of variables with gradients must not change between steps.
    const zero = tf.mul(tf.addN(idle.flatMap((w) => [tf.sum(w.gate), tf.sum(w.up), tf.sum(w.down)])), 0);
    return tf.add(combined, zero);
  });
}

/** Every routed expert on every token, masked by the routing. `x` `[N, D]` → `[N, D]`. */
export function dispatchDense(x: tf.Tensor2D, experts: SwiGluWeights[], routing: Routing): tf.Tensor2D {
  return tf.tidy(() => {
    const [n, k] = routing.weights.shape;
    const numExperts = experts.length;
    const selected = tf.oneHot(tf.tensor2d(routing.experts, [n, k], 'int32'), numExperts); // [N, k, E]
    const dense = tf.sum(tf.mul(selected, tf.expandDims(routing.weights, 2)), 1); // [N, E]
    const outs = tf.stack(experts.map((w) => swiglu(x, w))); // [E, N, D]
    const w = tf.expandDims(tf.transpose(dense), 2); // [E, N, 1]
    return tf.sum(tf.mul(outs, w), 0) as tf.Tensor2D;
  });
}

function dispatch(kind: MoeDispatch, x: tf.Tensor2D, experts: SwiGluWeights[], routing: Routing): tf.Tensor2D {
  switch (kind) {
    case 'sparse':
      return dispatchSparse(x, experts, routing);
    case 'dense':
      return dispatchDense(x, experts, routing);
    default: {
      const never: never = kind;
      throw new Error(`unknown moeDispatch "${String(never)}"; use 'sparse' or 'dense'`);
    }
  }
}

/** The MoE FFN on normalised input `x` `[N, D]`. */
export function moeFfn(x: tf.Tensor2D, w: MoeWeights, config: MoeConfig, opts: MoeOptions): MoeOutput {
  const bias = w.bias.dataSync();
  let tokensPerExpert: number[] = [];
  const [out, auxLoss] = tf.tidy(() => {
    const routing = route(x, w.gate, bias, {
      scoringFunc: config.scoring_func,
      topK: config.num_experts_per_tok,
      normTopkProb: config.norm_topk_prob,
      routedScalingFactor: config.routed_scaling_factor,
    });
    tokensPerExpert = countLoad(routing.experts, opts.tokenMask, config.n_routed_experts, config.num_experts_per_tok);
    const routed = dispatch(opts.dispatch, x, w.experts, routing);
    const total = w.shared === null ? routed : tf.add(routed, swiglu(x, w.shared));
    if (!opts.withAuxLoss || config.aux_loss_alpha === 0) return [total];
    const dims = { batch: opts.batch, time: opts.time, topK: config.num_experts_per_tok };
    return [total, sequenceBalanceLoss(routing.scores, routing.experts, opts.tokenMask, dims, config.aux_loss_alpha)];
  }) as [tf.Tensor2D, tf.Scalar?];
  return { out, auxLoss: auxLoss ?? null, tokensPerExpert };
}
