/**
 * Engine benchmarks on the reference shape (names are contracts):
 * - `engine.train_step`: ms per forward + backward + AdamW step, cross-entropy on next tokens.
 * - `engine.forward`: ms per forward (logits) on the same shape.
 * Reference shape: Qwen2 {vocab 64, hidden 128, 2 layers, 4 heads, 4 kv heads, FFN 512}, batch 16, sequence 64.
 * `scripts/reference/torch_train_step.py` runs the identical step in PyTorch for the side-by-side ratio.
 *
 * The backend is whatever `initBackend()` picks (`R1_BACKEND` / `R1_WASM_THREADS` to choose). The AdamW step is
 * `adamwUpdate` (`bench-adamw.ts`), the arithmetic @r1/grpo-core's AdamW runs, so the step is what a trainer does.
 */
import * as tf from '@tensorflow/tfjs';
import { median, report, timeIt } from '../../../../scripts/bench-lib';
import { initBackend } from '../backend/index';
import { createModel } from '../nn/index';
import { benchAdamW } from './bench-adamw';
import { DENSE_BENCH_CONFIG } from './reference-shape';

const BATCH = 16;
const SEQ = 64;
const WARMUP = 3;
const ITERATIONS = Number(process.env.R1_BENCH_ITERATIONS ?? 10);

const config = DENSE_BENCH_CONFIG;

/** Multiply-adds ×2 of one forward pass (matmuls only: projections, full T×T attention, LM head). */
function forwardFlops(): number {
  const d = config.hidden_size;
  const kv = config.num_key_value_heads * config.head_dim;
  const tokens = BATCH * SEQ;
  const perLayer =
    2 * tokens * (d * d + 2 * d * kv + d * d + 3 * d * config.intermediate_size) + 2 * 2 * tokens * SEQ * d;
  return config.num_hidden_layers * perLayer + 2 * tokens * d * config.vocab_size;
}

/** Deterministic token ids in [0, vocab) (LCG), `[BATCH, SEQ + 1]` so inputs and next-token targets both fit. */
function tokens(): { ids: tf.Tensor2D; targets: tf.Tensor2D } {
  const all = new Int32Array(BATCH * (SEQ + 1));
  let s = 12345;
  for (let i = 0; i < all.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    all[i] = (s >>> 16) % config.vocab_size;
  }
  const t = tf.tensor2d(all, [BATCH, SEQ + 1], 'int32');
  const ids = tf.slice(t, [0, 0], [BATCH, SEQ]);
  const targets = tf.slice(t, [0, 1], [BATCH, SEQ]);
  t.dispose();
  return { ids, targets };
}

const info = await initBackend();
const model = createModel(config, { seed: 0 });
const { ids, targets } = tokens();
const vars = model.trainableVariables();
const step = benchAdamW(vars);
let lastLoss = Number.NaN;

function trainStep(): void {
  const { value, grads } = tf.variableGrads(
    () => tf.neg(tf.mean(model.tokenLogprobs(ids, targets))) as tf.Scalar,
    vars,
  );
  step(grads);
  lastLoss = value.dataSync()[0]!;
  value.dispose();
  tf.dispose(grads);
}

function forward(): void {
  const logits = model.forward(ids);
  logits.dataSync();
  logits.dispose();
}

const firstLoss = (() => {
  trainStep();
  return lastLoss;
})();
const trainTimes = await timeIt(trainStep, { warmup: WARMUP, iterations: ITERATIONS });
const forwardTimes = await timeIt(forward, { warmup: WARMUP, iterations: ITERATIONS });
const trainMs = median(trainTimes);
const forwardMs = median(forwardTimes);
const common = { backend: info.name, threads: info.threads, simd: info.simd, batch: BATCH, seq: SEQ };
report({
  name: 'engine.train_step',
  value: trainMs,
  unit: 'ms',
  ...common,
  gflops: (3 * forwardFlops()) / trainMs / 1e6,
  min_ms: Math.min(...trainTimes),
  loss_first: firstLoss,
  loss_last: lastLoss,
  iterations: ITERATIONS,
});
report({
  name: 'engine.forward',
  value: forwardMs,
  unit: 'ms',
  ...common,
  gflops: forwardFlops() / forwardMs / 1e6,
  min_ms: Math.min(...forwardTimes),
  iterations: ITERATIONS,
});
if (tf.memory().numTensors > vars.length * 3 + 10) {
  throw new Error(`engine.bench: ${tf.memory().numTensors} tensors alive after the runs — a leak`);
}
model.dispose();
