/**
 * The optimiser step of the engine benchmarks: PyTorch's AdamW (lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight
 * decay 0.01) over every variable, via `adamwUpdate` — the same arithmetic @r1/grpo-core's AdamW runs (which cannot
 * be imported from @r1/model), so the benchmarks time what training runs.
 */
import * as tf from '@tensorflow/tfjs';
import { adamwUpdate } from '../optim/adamw-update';

export function benchAdamW(vars: tf.Variable[]): (grads: Record<string, tf.Tensor>) => void {
  const hyper = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 };
  const state = vars.map((v) => ({
    m: tf.keep(tf.zerosLike(v) as tf.Tensor),
    v: tf.keep(tf.zerosLike(v) as tf.Tensor),
  }));
  let step = 0;
  return (grads) => {
    step++;
    vars.forEach((p, i) => {
      const g = grads[p.name];
      if (g === undefined) return;
      const s = state[i]!;
      const next = adamwUpdate(p, g, s.m, s.v, { ...hyper, step });
      tf.dispose([s.m, s.v]);
      s.m = tf.keep(next.m);
      s.v = tf.keep(next.v);
    });
  };
}
