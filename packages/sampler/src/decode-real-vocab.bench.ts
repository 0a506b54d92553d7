/**
 * `sampler.decode_real_vocab` (issue 17): generated tokens/s of the local engine (the decode loop `r1-eval run` uses,
 * with the KV cache) on a tiny random Qwen2 at Qwen's real vocabulary — {vocab 151,936, hidden 32, 1 layer, 4 heads,
 * 4 kv heads, FFN 64}, seed 0 — for 2 prompts × n = 8 (16 rows), prompt 16 tokens, 48 new tokens, T 0.6, top-p 0.95.
 * At this shape the step is the vocabulary's: the LM head [16, 32] · [151,936, 32]ᵀ, reading the logits back, and
 * the logits processing of 16 rows. A random model's logits are nearly flat, so the top-p nucleus is most of the
 * vocabulary (reported as `nucleus`) — the sampler's worst case.
 *
 * Extra fields: backend, threads, and a per-step profile of the same decode (ms per step, median over the steps of
 * one generation): `forwardMs` (model.decodeStep, LM head included), `downloadMs` (dataSync of the [16, V] logits),
 * `chooseMs` (chooseToken over the 16 rows), and the LM head alone: `lmHeadMs` (the `linear()` the model runs:
 * matMul with transposeB), `headTransposeMs` (transposing the [V, 32] weight, which that matMul does every call) and
 * `headPretransposedMs` (the same product against a weight stored as [32, V]).
 * `scripts/reference/torch_decode_real_vocab.py` is the same loop in PyTorch; `side_by_side_sampler.py` runs both.
 */
import { createModel, initBackend, resolveModelConfig, tf } from '@r1/model';
import { median, report } from '../../../scripts/bench-lib';
import { createLocalEngine } from './local/engine';
import { chooseToken, type TokenChoiceParams } from './logits';
import { createRng } from './rng';
import { createSampler } from './sampler';
import { nucleusSize } from './test-utils/nucleus';

const VOCAB = 151_936;
const PROMPTS = 2;
const N = 8;
const ROWS = PROMPTS * N;
const PROMPT_LEN = 16;
const NEW_TOKENS = 48;
const ITERATIONS = Number(process.env.R1_BENCH_ITERATIONS ?? 3);

const info = await initBackend();
const config = resolveModelConfig({
  model_type: 'qwen2',
  vocab_size: VOCAB,
  hidden_size: 32,
  num_hidden_layers: 1,
  num_attention_heads: 4,
  num_key_value_heads: 4,
  intermediate_size: 64,
});
const model = createModel(config, { seed: 0 });
// No EOS, so every row generates exactly NEW_TOKENS tokens.
const tokenizer = { eosTokenId: null, encode: () => [], decode: (ids: number[]) => ids.join(' ') };
const requests = Array.from({ length: PROMPTS }, (_, p) => ({
  promptTokenIds: Array.from({ length: PROMPT_LEN }, (_, t) => (p * 7919 + t * 104_729) % VOCAB),
}));
const params = { n: N, maxNewTokens: NEW_TOKENS, temperature: 0.6, topP: 0.95, seed: 1 };

const sampler = createSampler(createLocalEngine({ model, tokenizer, maxBatchRows: ROWS }));
await sampler.generate(requests, params); // warm-up: kernel compilation, caches, scratch buffers
const rates: number[] = [];
for (let i = 0; i < ITERATIONS; i++) {
  const t0 = performance.now();
  const out = await sampler.generate(requests, params);
  const seconds = (performance.now() - t0) / 1000;
  rates.push(out.flat().reduce((s, c) => s + c.tokenIds.length, 0) / seconds);
}

// ---- the profile: the engine's step, phase by phase ----

const choice: TokenChoiceParams = {
  temperature: 0.6,
  topK: 0,
  topP: 0.95,
  minP: 0,
  repetitionPenalty: 1,
  logprobsMode: 'temperature',
};
const none = new Set<number>();
const phases = { forwardMs: [] as number[], downloadMs: [] as number[], chooseMs: [] as number[] };
let nucleus = 0;
{
  const ids = tf.tensor2d(
    requests.flatMap((r) => r.promptTokenIds),
    [PROMPTS, PROMPT_LEN],
    'int32',
  );
  const prefilled = model.prefill(ids);
  ids.dispose();
  const expand = Array.from({ length: ROWS }, (_, r) => Math.floor(r / N));
  const cache = prefilled.cache.select(expand);
  prefilled.cache.dispose();
  prefilled.logits.dispose();
  const uniforms = Array.from({ length: ROWS }, (_, r) => createRng(r + 1));
  let next = Array.from({ length: ROWS }, (_, r) => (r * 31) % VOCAB);
  for (let step = 0; step < NEW_TOKENS - 1; step++) {
    const t0 = performance.now();
    const input = tf.tensor2d(next, [ROWS, 1], 'int32');
    const logits = tf.tidy(() => tf.reshape(model.decodeStep(cache, input), [ROWS, VOCAB]));
    input.dispose();
    const t1 = performance.now();
    const data = logits.dataSync() as Float32Array;
    logits.dispose();
    const t2 = performance.now();
    next = next.map(
      (_, r) => chooseToken(data.subarray(r * VOCAB, (r + 1) * VOCAB), choice, none, uniforms[r]!, VOCAB).token,
    );
    const t3 = performance.now();
    phases.forwardMs.push(t1 - t0);
    phases.downloadMs.push(t2 - t1);
    phases.chooseMs.push(t3 - t2);
    if (step === 0) nucleus = nucleusSize(data.subarray(0, VOCAB), 0.6, 0.95);
  }
  cache.dispose();
}

/** Median ms of `fn` (which returns a tensor, disposed untimed) over 15 calls after 2 warm-ups. */
function timeOp(fn: () => tf.Tensor): number {
  const times: number[] = [];
  for (let i = 0; i < 17; i++) {
    const t0 = performance.now();
    const y = fn();
    const t1 = performance.now();
    y.dispose();
    if (i >= 2) times.push(t1 - t0);
  }
  return median(times);
}

const weight = model.parameters().get('lm_head.weight')!;
const hidden = tf.randomNormal([ROWS, config.hidden_size], 0, 1, 'float32', 1) as tf.Tensor2D;
const weightT = tf.transpose(weight) as tf.Tensor2D;
const lmHeadMs = timeOp(() => tf.matMul(hidden, weight, false, true));
const headTransposeMs = timeOp(() => tf.transpose(weight));
const headPretransposedMs = timeOp(() => tf.matMul(hidden, weightT));
hidden.dispose();
weightT.dispose();

const round = (x: number) => Number(x.toPrecision(3));
report({
  name: 'sampler.decode_real_vocab',
  value: Math.round(median(rates)),
  unit: 'tokens/s',
  backend: info.name,
  threads: info.threads,
  forwardMs: round(median(phases.forwardMs)),
  downloadMs: round(median(phases.downloadMs)),
  chooseMs: round(median(phases.chooseMs)),
  lmHeadMs: round(lmHeadMs),
  headTransposeMs: round(headTransposeMs),
  headPretransposedMs: round(headPretransposedMs),
  nucleus,
  shape: `${PROMPTS}x${N} rows, vocab ${VOCAB}, hidden 32, 1 layer, prompt ${PROMPT_LEN}, new ${NEW_TOKENS}, T 0.6 top-p 0.95`,
});
model.dispose();
process.exit(0);
