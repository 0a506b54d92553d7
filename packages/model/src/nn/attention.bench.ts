/**
 * What one training attention block costs beyond its four projections, on the reference shape (batch 16, seq 64,
 * hidden 128, 4 heads, 4 kv heads, head_dim 32: `engine.train_step`'s and `engine.moe_step`'s attention).
 *
 * - `engine.attention_block_step`: ms per forward + backward of `selfAttention` (q/k/v/o projections with biases,
 *   RoPE, the head split and merge, causal scores, softmax, the weighted sum), gradients for x and every weight, as
 *   training runs it: on wasm through the fused `R1Attention` / `R1AttentionGrad` kernels.
 * - `engine.attention_block_composed_step` (wasm only): the same with the fused kernels unregistered, i.e. the
 *   composition of tfjs ops every other backend runs.
 * - `engine.attention_projections_step`: the same four projections and their gradients with nothing between them.
 *   `core_ms` = a block minus this: what the attention core costs.
 * All are timed interleaved, so load from other processes hits them alike.
 *
 * Run: `pnpm bench --filter attention.bench` (backend: `initBackend()`, override with R1_BACKEND; R1_WASM_THREADS).
 */
import * as tf from '@tensorflow/tfjs';
import { median, report, timeIt } from '../../../../scripts/bench-lib';
import { initBackend } from '../backend/index';
import { ATTENTION, attentionConfig } from '../backend/kernels/attention';
import { DENSE_BENCH_CONFIG } from '../bench/reference-shape';
import { type AttentionWeights, selfAttention } from './attention';
import { linear } from './linear';
import { attentionBias } from './mask';
import { ropeAngles } from './rope';

const BATCH = 16;
const SEQ = 64;
const ITERATIONS = Number(process.env.R1_BENCH_ITERATIONS ?? 20);

const info = await initBackend();
const c = DENSE_BENCH_CONFIG;
const heads = c.num_attention_heads;
const kvHeads = c.num_key_value_heads;
const headDim = c.hidden_size / heads;
const d = c.hidden_size;
const param = (shape: number[], seed: number) => tf.variable(tf.randomNormal(shape, 0, 0.05, 'float32', seed));
const w: AttentionWeights = {
  q: param([heads * headDim, d], 1) as tf.Variable<tf.Rank.R2>,
  qBias: param([heads * headDim], 2) as tf.Variable<tf.Rank.R1>,
  k: param([kvHeads * headDim, d], 3) as tf.Variable<tf.Rank.R2>,
  kBias: param([kvHeads * headDim], 4) as tf.Variable<tf.Rank.R1>,
  v: param([kvHeads * headDim, d], 5) as tf.Variable<tf.Rank.R2>,
  vBias: param([kvHeads * headDim], 6) as tf.Variable<tf.Rank.R1>,
  o: param([d, heads * headDim], 7) as tf.Variable<tf.Rank.R2>,
};
const variables = Object.values(w) as tf.Variable[];
const x = tf.randomNormal([BATCH * SEQ, d], 0, 1, 'float32', 8) as tf.Tensor2D;
const positions = new Int32Array(BATCH * SEQ).map((_, i) => i % SEQ);
const rope = {
  q: ropeAngles(positions, BATCH, SEQ, headDim, c.rope_theta, heads),
  k: ropeAngles(positions, BATCH, SEQ, headDim, c.rope_theta, kvHeads),
};
const bias = attentionBias(new Uint8Array(BATCH * SEQ).fill(1), BATCH, SEQ, SEQ);

/** Forward + backward of `loss(x)` for every weight (and x), waiting for the result. */
const gradStep = (loss: () => tf.Tensor2D) => () => {
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(loss())) as tf.Scalar, variables);
  value.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
};
const block = gradStep(
  () =>
    selfAttention(x, w, { heads, kvHeads, headDim }, { batch: BATCH, time: SEQ }, rope, bias, undefined, { kv: false })
      .out,
);
const fused = tf.getKernel(ATTENTION, tf.getBackend()) !== undefined;
/** The block with the fused kernel unregistered for the call (wasm), so it runs the composition. */
const composed = () => {
  tf.unregisterKernel(ATTENTION, 'wasm');
  try {
    block();
  } finally {
    tf.registerKernel(attentionConfig);
  }
};
const projections = gradStep(() => {
  const sum = tf.add(tf.add(linear(x, w.q, w.qBias), linear(x, w.k, w.kBias)), linear(x, w.v, w.vBias));
  return linear(sum as tf.Tensor2D, w.o);
});

for (let i = 0; i < 3; i++) {
  block();
  if (fused) composed();
  projections();
}
const times = { block: [] as number[], composed: [] as number[], projections: [] as number[] };
for (let i = 0; i < ITERATIONS; i++) {
  times.block.push(...(await timeIt(block, { warmup: 0, iterations: 1 })));
  if (fused) times.composed.push(...(await timeIt(composed, { warmup: 0, iterations: 1 })));
  times.projections.push(...(await timeIt(projections, { warmup: 0, iterations: 1 })));
}
const blockMs = median(times.block);
const projectionsMs = median(times.projections);
const extra = {
  backend: tf.getBackend(),
  threads: info.threads,
  batch: BATCH,
  seq: SEQ,
  hidden: d,
  heads,
  head_dim: headDim,
};
report({
  name: 'engine.attention_block_step',
  value: blockMs,
  unit: 'ms',
  ...extra,
  fused,
  core_ms: blockMs - projectionsMs,
});
if (fused) {
  const composedMs = median(times.composed);
  report({
    name: 'engine.attention_block_composed_step',
    value: composedMs,
    unit: 'ms',
    ...extra,
    core_ms: composedMs - projectionsMs,
  });
}
report({ name: 'engine.attention_projections_step', value: projectionsMs, unit: 'ms', ...extra });
