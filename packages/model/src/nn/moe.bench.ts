/**
 * MoE training-step benchmarks on the reference shape (vocab 64, hidden 128, 2 layers, 4 heads, 4 kv heads,
 * batch 16, seq 64; every layer MoE: 8 routed experts, top-2, 1 shared, moe_intermediate_size 128).
 *
 * - `engine.moe_step`: ms per forward + backward + AdamW step with the sparse dispatch (each expert on its tokens).
 * - `engine.moe_dense_step`: the same step computing all 8 experts on every token (`moeDispatch: 'dense'`).
 * BAR: moe_step ≤ 0.5 × moe_dense_step. Both run the same model, loss and optimizer; only the dispatch differs.
 * Also `engine.moe_decode_token`: ms per decoded token (KV cache) for the same model, batch 16, 64-token prompt.
 *
 * Run: `pnpm bench --filter moe.bench` (backend: `initBackend()`, override with R1_BACKEND).
 */
import * as tf from '@tensorflow/tfjs';
import { median, report, timeIt } from '../../../../scripts/bench-lib';
import { initBackend } from '../backend/index';
import { benchAdamW } from '../bench/bench-adamw';
import { MOE_BENCH_CONFIG } from '../bench/reference-shape';
import { createModel } from './model';
import type { MoeDispatch } from './types';

const BATCH = 16;
const SEQ = 64;
const ITERATIONS = Number(process.env.R1_BENCH_ITERATIONS ?? 10);

const config = MOE_BENCH_CONFIG;

function tokens(seed: number): tf.Tensor2D {
  return tf.tidy(() => tf.randomUniformInt([BATCH, SEQ], 0, config.vocab_size, seed) as tf.Tensor2D);
}

/** A forward + backward + AdamW step of a fresh seeded model, with the given dispatch. */
function makeStep(dispatch: MoeDispatch): { step: () => void; dispose: () => void } {
  const model = createModel(config, { seed: 0 });
  const optimizer = benchAdamW(model.trainableVariables());
  const ids = tokens(1);
  const targets = tokens(2);
  const step = () => {
    const { value, grads } = tf.variableGrads(() => {
      const s = model.score(ids, targets, { moeDispatch: dispatch });
      const loss = tf.add(tf.neg(tf.mean(s.logprobs)), s.auxLoss) as tf.Scalar;
      tf.dispose([s.logprobs, s.entropy]);
      return loss;
    }, model.trainableVariables());
    optimizer(grads);
    value.dataSync(); // wait for the step to finish
    tf.dispose([value, ...Object.values(grads)]);
  };
  const dispose = () => {
    tf.dispose([ids, targets]);
    model.dispose();
  };
  return { step, dispose };
}

/**
 * Times both dispatches interleaved (sparse, dense, sparse, …) so that load from other processes on this shared
 * machine hits both alike; returns every timing.
 */
async function benchSteps(): Promise<{ sparse: number[]; dense: number[] }> {
  const sparse = makeStep('sparse');
  const dense = makeStep('dense');
  const times = { sparse: [] as number[], dense: [] as number[] };
  for (let i = 0; i < 2; i++) {
    sparse.step();
    dense.step();
  }
  for (let i = 0; i < ITERATIONS; i++) {
    times.sparse.push(...(await timeIt(sparse.step, { warmup: 0, iterations: 1 })));
    times.dense.push(...(await timeIt(dense.step, { warmup: 0, iterations: 1 })));
  }
  sparse.dispose();
  dense.dispose();
  return times;
}

async function benchDecode(newTokens: number): Promise<number> {
  const model = createModel(config, { seed: 0 });
  const ids = tokens(3);
  const next = tf.zeros([BATCH, 1], 'int32') as tf.Tensor2D;
  const run = () => {
    const { cache, logits } = model.prefill(ids);
    logits.dispose();
    const t0 = performance.now();
    for (let i = 0; i < newTokens; i++) {
      const l = model.decodeStep(cache, next);
      l.dataSync();
      l.dispose();
    }
    const ms = performance.now() - t0;
    cache.dispose();
    return ms;
  };
  run();
  const times = [run(), run(), run()];
  tf.dispose([ids, next]);
  model.dispose();
  return median(times) / newTokens;
}

const info = await initBackend();
const backend = tf.getBackend();
const shape = { batch: BATCH, seq: SEQ, hidden: 128, layers: 2, experts: 8, top_k: 2 };
const times = await benchSteps();
const sparseMs = median(times.sparse);
const denseMs = median(times.dense);
const extra = { backend, threads: info.threads, ...shape };
report({ name: 'engine.moe_step', value: sparseMs, unit: 'ms', ...extra, times: times.sparse.map(Math.round) });
report({
  name: 'engine.moe_dense_step',
  value: denseMs,
  unit: 'ms',
  ...extra,
  times: times.dense.map(Math.round),
  ratio_sparse_over_dense: sparseMs / denseMs,
  bar: 'moe_step <= 0.5 * moe_dense_step',
  bar_met: sparseMs <= 0.5 * denseMs,
});
report({ name: 'engine.moe_decode_token', value: await benchDecode(32), unit: 'ms', ...extra, new_tokens: 32 });
