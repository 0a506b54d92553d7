/**
 * `serve.concurrent_tokens_per_s`: generated tokens/s of r1-serve (the continuous-batching engine behind the HTTP
 * server, driven by the official openai client over loopback) with 8 clients at once, against the same requests sent
 * one at a time. Reference tiny model (the `sampler.decode` shape: Qwen2 {vocab 64, hidden 128, 2 layers, 4 heads,
 * FFN 512}); 8 clients × 2 requests each, prompt 16 tokens, 64 new tokens (no EOS, so every request generates all
 * of them), temperature 1, n = 1. Extra fields: the sequential rate and the ratio (the aim is ≥ 3×).
 */
import { createModel, initBackend, resolveModelConfig } from '@r1/model';
import OpenAI from 'openai';
import { median, report } from '../../../../scripts/bench-lib';
import { createContinuousEngine } from '../local/continuous';
import { startServer } from './server';

const CLIENTS = 8;
const PER_CLIENT = 2;
const PROMPT_LEN = 16;
const NEW_TOKENS = 64;
const ITERATIONS = Number(process.env.R1_BENCH_ITERATIONS ?? 3);

const info = await initBackend();
const config = resolveModelConfig({
  model_type: 'qwen2',
  vocab_size: 64,
  hidden_size: 128,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 4,
  intermediate_size: 512,
});
const model = createModel(config, { seed: 0 });
// Letters and digits ↔ ids 1..62; no EOS.
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const tokenizer = {
  eosTokenId: null,
  encode: (text: string) => [...text].map((c) => ALPHABET.indexOf(c) + 1),
  decode: (ids: number[]) => ids.map((id) => ALPHABET[id - 1] ?? '_').join(''),
};
const engine = createContinuousEngine({ model, tokenizer, modelId: 'bench', maxBatchRows: 64 });
const served = await startServer({ engine, modelName: 'bench', port: 0 });
const client = new OpenAI({ baseURL: `${served.url}/v1`, apiKey: 'unused', maxRetries: 0 });

const requests = Array.from({ length: CLIENTS * PER_CLIENT }, (_, r) => ({
  model: 'bench',
  prompt: Array.from({ length: PROMPT_LEN }, (_, t) => ALPHABET[(r * 7 + t * 3) % ALPHABET.length]).join(''),
  max_tokens: NEW_TOKENS,
  temperature: 1,
  seed: r,
}));

async function ask(r: (typeof requests)[number]): Promise<number> {
  const res = await client.completions.create(r);
  return res.usage!.completion_tokens;
}

async function sequential(): Promise<number> {
  const t0 = performance.now();
  let tokens = 0;
  for (const r of requests) tokens += await ask(r);
  return tokens / ((performance.now() - t0) / 1000);
}

async function concurrent(): Promise<number> {
  const t0 = performance.now();
  const counts = await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      let tokens = 0;
      for (let k = 0; k < PER_CLIENT; k++) tokens += await ask(requests[c * PER_CLIENT + k]!);
      return tokens;
    }),
  );
  return counts.reduce((a, b) => a + b, 0) / ((performance.now() - t0) / 1000);
}

await concurrent(); // warm-up: kernels, caches
await sequential();
const one: number[] = [];
const many: number[] = [];
for (let i = 0; i < ITERATIONS; i++) {
  one.push(await sequential());
  many.push(await concurrent());
}
const seq = median(one);
const conc = median(many);
report({
  name: 'serve.concurrent_tokens_per_s',
  value: Math.round(conc),
  unit: 'tokens/s',
  sequentialTokensPerS: Math.round(seq),
  ratio: Number((conc / seq).toFixed(2)),
  backend: info.name,
  threads: info.threads,
  shape: `${CLIENTS} clients x ${PER_CLIENT} requests, prompt ${PROMPT_LEN}, new ${NEW_TOKENS}`,
});
await served.shutdown();
await engine.close();
model.dispose();
process.exit(0);
