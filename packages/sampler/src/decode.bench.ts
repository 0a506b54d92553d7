/**
 * `sampler.decode`: generated tokens/s of the local engine with the KV cache on the reference tiny model (the
 * `engine.train_step` shape: Qwen2 {vocab 64, hidden 128, 2 layers, 4 heads, 4 kv heads, FFN 512}), 8 prompts × n = 8,
 * prompt 16 tokens, 48 new tokens, temperature 1. Extra fields: backend, threads, the same without the cache
 * (`noCacheTokensPerS`) and the cache speed-up. `scripts/reference/torch_decode.py` runs the same loop in PyTorch.
 */
import { createModel, initBackend, resolveModelConfig } from '@r1/model';
import { median, report } from '../../../scripts/bench-lib';
import { createLocalEngine } from './local/engine';
import { createSampler } from './sampler';

const PROMPTS = 8;
const N = 8;
const PROMPT_LEN = 16;
const NEW_TOKENS = 48;
const ITERATIONS = Number(process.env.R1_BENCH_ITERATIONS ?? 5);

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
// No EOS, so every row generates exactly NEW_TOKENS tokens.
const tokenizer = { eosTokenId: null, encode: () => [], decode: (ids: number[]) => ids.join(' ') };
const requests = Array.from({ length: PROMPTS }, (_, p) => ({
  promptTokenIds: Array.from({ length: PROMPT_LEN }, (_, t) => (p * 7 + t * 3) % 64),
}));
const params = { n: N, maxNewTokens: NEW_TOKENS, temperature: 1, seed: 1 };

async function tokensPerSecond(useKvCache: boolean, iterations: number): Promise<number> {
  const sampler = createSampler(createLocalEngine({ model, tokenizer, useKvCache, maxBatchRows: PROMPTS * N }));
  await sampler.generate(requests, params); // warm-up: kernel compilation, caches
  const rates: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    const out = await sampler.generate(requests, params);
    const seconds = (performance.now() - t0) / 1000;
    rates.push(out.flat().reduce((s, c) => s + c.tokenIds.length, 0) / seconds);
  }
  return median(rates);
}

const cached = await tokensPerSecond(true, ITERATIONS);
const uncached = await tokensPerSecond(false, Math.max(1, Math.ceil(ITERATIONS / 2)));
report({
  name: 'sampler.decode',
  value: Math.round(cached),
  unit: 'tokens/s',
  backend: info.name,
  threads: info.threads,
  noCacheTokensPerS: Math.round(uncached),
  cacheSpeedup: Number((cached / uncached).toFixed(2)),
  shape: `${PROMPTS}x${N} prompts, prompt ${PROMPT_LEN}, new ${NEW_TOKENS}`,
});
model.dispose();
process.exit(0);
