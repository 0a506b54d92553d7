/**
 * Engine benchmarks on the reference shape (names are contracts):
 * - `engine.train_step`: ms per forward + backward + AdamW step, cross-entropy on next tokens.
 * - `engine.forward`: ms per forward (logits) on the same shape.
 * Reference shape: Qwen2 {vocab 64, hidden 128, 2 layers, 4 heads, 4 kv heads, FFN 512}, batch 16, sequence 64.
 * `scripts/reference/torch_train_step.py` runs the identical step in PyTorch for the side-by-side ratio.
 *
 * The backend is whatever `initBackend()` picks (`R1_BACKEND` / `R1_WASM_THREADS` to choose). AdamW is written out
 * here with PyTorch's update rule (@r1/grpo-core's AdamW cannot be imported from @r1/model), so the op count per
 * step matches what a trainer does.
 */
import * as tf from '@tensorflow/tfjs';
import { median, report, timeIt } from '../../../../scripts/bench-lib';
import { initBackend } from '../backend/index';
import { createModel, resolveModelConfig } from '../nn/index';

const BATCH = 16;
const SEQ = 64;
const WARMUP = 3;
const ITERATIONS = Number(process.env.R1_BENCH_ITERATIONS ?? 10);

const config = resolveModelConfig({
  model_type: 'qwen2',
  vocab_size: 64,
  hidden_size: 128,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 4,
  intermediate_size: 512,
});

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

/** PyTorch's AdamW (lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0.01), one state per variable. */
function adamw(vars: tf.Variable[]) {
  const [lr, b1, b2, eps, wd] = [1e-3, 0.9, 0.999, 1e-8, 0.01];
  const state: Array<{ m: tf.Tensor; v: tf.Tensor }> = vars.map((v) => ({
    m: tf.keep(tf.zerosLike(v) as tf.Tensor),
    v: tf.keep(tf.zerosLike(v) as tf.Tensor),
  }));
  let t = 0;
  return (grads: Record<string, tf.Tensor>) => {
    t++;
    const stepSize = lr / (1 - b1 ** t);
    const bc2 = Math.sqrt(1 - b2 ** t);
    vars.forEach((p, i) => {
      const g = grads[p.name];
      const s = state[i]!;
      if (g === undefined) return;
      const [m, v] = tf.tidy(() => {
        const m = tf.add(tf.mul(s.m, b1), tf.mul(g, 1 - b1));
        const v = tf.add(tf.mul(s.v, b2), tf.mul(tf.mul(g, g), 1 - b2));
        const update = tf.div(m, tf.add(tf.div(tf.sqrt(v), bc2), eps));
        p.assign(tf.sub(tf.mul(p, 1 - lr * wd), tf.mul(update, stepSize)));
        return [tf.keep(m), tf.keep(v)];
      });
      s.m.dispose();
      s.v.dispose();
      s.m = m;
      s.v = v;
    });
  };
}

const info = await initBackend();
const model = createModel(config, { seed: 0 });
const { ids, targets } = tokens();
const vars = model.trainableVariables();
const step = adamw(vars);
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
