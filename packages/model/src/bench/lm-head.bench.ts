/**
 * `engine.lm_head_step`: ms per forward + backward of embedding lookup + tied LM head + mean cross-entropy at Qwen's
 * vocabulary (151,936), D 64, batch 8 × sequence 128 — the part of a step that grows with the vocabulary, which
 * dominates small models trained on a real tokenizer. It goes through the model's own path: `tf.gather` of the
 * embedding rows, then `tokenStats` on the same `[V, D]` matrix as the head (as `Model.score` does), then
 * `−mean(log p(target))`, gradients w.r.t. the one shared matrix. `scripts/reference/torch_lm_head.py` runs the
 * identical step in PyTorch; `scripts/reference/side_by_side_lm_head.py` alternates the two.
 *
 * The backend is whatever `initBackend()` picks (`R1_BACKEND` / `R1_WASM_THREADS` to choose).
 */
import * as tf from '@tensorflow/tfjs';
import { median, report, timeIt } from '../../../../scripts/bench-lib';
import { initBackend } from '../backend/index';
import { defaultChunkRows, tokenStats } from '../nn/token-stats';

const BATCH = 8;
const SEQ = 128;
const DIM = 64;
const VOCAB = 151_936;
const ROWS = BATCH * SEQ;
const WARMUP = 1;
const ITERATIONS = Number(process.env.R1_BENCH_ITERATIONS ?? 5);

/** Deterministic ids in [0, VOCAB) (LCG): `[ROWS + 1]`, inputs are the first ROWS and targets the next ones. */
function tokens(): { ids: Int32Array; targets: Int32Array } {
  const all = new Int32Array(ROWS + 1);
  let s = 12345;
  for (let i = 0; i < all.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    all[i] = s % VOCAB;
  }
  return { ids: all.subarray(0, ROWS), targets: all.slice(1) };
}

const info = await initBackend();
const embedding = tf.variable(
  tf.randomNormal([VOCAB, DIM], 0, 0.02, 'float32', 1),
  true,
  'embed',
) as tf.Variable<tf.Rank.R2>;
const { ids, targets } = tokens();
const idTensor = tf.tensor1d(ids, 'int32');
let lastLoss = Number.NaN;

function step(): void {
  const { value, grads } = tf.variableGrads(() => {
    const h = tf.gather(embedding, idTensor) as tf.Tensor2D; // [ROWS, DIM]
    const stats = tokenStats(h, embedding, targets, { temperature: 1, chunkRows: defaultChunkRows(VOCAB) });
    return tf.neg(tf.mean(tf.slice(stats, [0, 0], [ROWS, 1]))) as tf.Scalar;
  }, [embedding]);
  lastLoss = value.dataSync()[0]!;
  grads.embed!.dataSync(); // the gradient is ready (wasm is synchronous; this keeps a lazy backend honest)
  value.dispose();
  tf.dispose(grads);
}

const times = await timeIt(step, { warmup: WARMUP, iterations: ITERATIONS });
const ms = median(times);
// products: logits, and in backward d(hidden) and d(head) — 3 × 2·N·V·D (a recomputing kernel does a 4th)
const flops = 3 * 2 * ROWS * VOCAB * DIM;
report({
  name: 'engine.lm_head_step',
  value: ms,
  unit: 'ms',
  backend: info.name,
  threads: info.threads,
  simd: info.simd,
  batch: BATCH,
  seq: SEQ,
  dim: DIM,
  vocab: VOCAB,
  min_ms: Math.min(...times),
  gflops: flops / ms / 1e6,
  loss: lastLoss,
  iterations: ITERATIONS,
});
if (tf.memory().numTensors > 10) {
  throw new Error(`lm-head.bench: ${tf.memory().numTensors} tensors alive after the runs — a leak`);
}
tf.dispose([embedding, idTensor]);
