/**
 * The MoE FFN of DeepSeek-V3: always-on shared experts plus k routed experts per token, combined with the router's
 * weights. Two dispatch strategies with the same result:
 * - `sparse`: each expert gathers its tokens' rows, runs its SwiGLU on them only, and one weighted scatter-add
 *   puts every expert's rows back on their tokens. Work: k/E of dense. All of it is one custom op with a hand-written
 *   gradient (`routed-experts.ts`): as plain taped ops, the per-op overhead on wasm cost as much as the matmuls.
 * - `dense`: every expert on every token, outputs weighted by a `[N, E]` matrix that is zero off the routing — the
 *   naive reference and the benchmark baseline.
 * Experts that get no tokens are skipped, but stay on the tape with a zero gradient (tfjs optimizers index their
 * slots by the position of each gradient in the map, so the set of variables with gradients must not change).
 */
import * as tf from '@tensorflow/tfjs';
import type { MoeConfig } from './config';
import { type SwiGluWeights, swiglu } from './linear';
import { countLoad, type Routing, route, sequenceBalanceLoss } from './moe-router';
import { routedExperts } from './routed-experts';
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

/** Routed experts, each on its own tokens only (one fused op, see `routed-experts.ts`). `x` `[N, D]` → `[N, D]`. */
export function dispatchSparse(x: tf.Tensor2D, experts: SwiGluWeights[], routing: Routing): tf.Tensor2D {
  return routedExperts(x, experts, routing.weights, routing.experts);
}

/** Every routed expert on every token, masked by the routing. `x` `[N, D]` → `[N, D]`. */
export function dispatchDense(x: tf.Tensor2D, experts: SwiGluWeights[], routing: Routing): tf.Tensor2D {
  return tf.tidy(() => {
    const [n, k] = routing.weights.shape;
    const selected = tf.oneHot(tf.tensor2d(routing.experts, [n, k], 'int32'), experts.length); // [N, k, E]
    const dense = tf.sum(tf.mul(selected, tf.expandDims(routing.weights, 2)), 1); // [N, E], 0 off the routing
    const weighted = experts.map((w, e) => tf.mul(swiglu(x, w), tf.slice(dense, [0, e], [n, 1])));
    return (weighted.length === 1 ? weighted[0]! : tf.addN(weighted)) as tf.Tensor2D;
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
