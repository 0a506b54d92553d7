/**
 * Distillation benchmarks (names are contracts):
 * - `distill.sft_step`: tokens/s of one SFT step as `sftTrain` runs it (batch building, packed forward + backward with
 *   segment ids, masked CE, clipping, AdamW) on the engine.train_step reference shape — Qwen2 {vocab 64, hidden 128,
 *   2 layers, 4 heads, FFN 512}, 16 packed sequences of 64 positions. Beside it, when `/usr/bin/python3` has torch,
 *   `bench/torch_sft_step.py` runs the same masked-CE step on the same packed batch.
 * - `distill.packing_efficiency`: non-pad / all positions of best-fit-decreasing packing on a realistic length mix
 *   (10,000 reasoning traces, log-normal lengths, median ~700 tokens, max_length 4096), beside unpacked batches of 8.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createModel, initBackend, resolveModelConfig } from '@r1/model';
import { createRng } from '@r1/tasks';
import { median, report } from '../../../scripts/bench-lib';
import { buildBatch, disposeTrainBatch } from './batch';
import { packBestFitDecreasing } from './pack';
import { resolveSFTConfig } from './sft-config';
import { microBatchesOf, planSft, type SftStepRecord, sftTrain } from './sft-train';
import type { TokenizedExample } from './tokenize-row';

const VOCAB = 64;
const SEQ = 64;
const BATCH = 16;
const WARMUP = 3;
const ITERATIONS = Number(process.env.R1_BENCH_ITERATIONS ?? 10);

// ---- distill.packing_efficiency (host only, first: it needs no backend).
{
  const rng = createRng(7);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.float())) * Math.cos(2 * Math.PI * rng.float());
  const maxLength = 4096;
  const all = Array.from({ length: 10_000 }, () => Math.max(32, Math.round(Math.exp(Math.log(700) + 0.8 * normal()))));
  const lengths = all.filter((n) => n <= maxLength);
  const t0 = performance.now();
  const bins = packBestFitDecreasing(lengths, maxLength, 0);
  const packMs = performance.now() - t0;
  const real = lengths.reduce((a, b) => a + b, 0);
  let padded = 0;
  const order = createRng(1).shuffled(lengths);
  for (let i = 0; i < order.length; i += 8) {
    const batch = order.slice(i, i + 8);
    padded += batch.length * Math.max(...batch);
  }
  report({
    name: 'distill.packing_efficiency',
    value: real / (bins.length * maxLength),
    unit: 'ratio',
    rows: lengths.length,
    over_length_dropped: all.length - lengths.length,
    sequences: bins.length,
    max_length: maxLength,
    median_length: median(lengths),
    unpacked_batch8_efficiency: real / padded,
    pack_ms: packMs,
  });
}

// ---- distill.sft_step.
const info = await initBackend();
const rng = createRng(3);
const examples: TokenizedExample[] = Array.from({ length: 400 }, () => {
  const n = rng.int(8, SEQ + 1);
  const ids = Array.from({ length: n }, () => rng.int(1, VOCAB - 1));
  const labels = new Uint8Array(n).fill(1, Math.max(1, Math.floor(n / 3)));
  return { ids, labels };
});
const config = resolveSFTConfig({
  max_steps: WARMUP + ITERATIONS,
  per_device_train_batch_size: BATCH,
  learning_rate: 1e-3,
  weight_decay: 0.01,
  max_length: SEQ,
  packing: true,
  save_steps: 0,
  seed: 0,
});
const model = createModel(
  resolveModelConfig({
    model_type: 'qwen2',
    vocab_size: VOCAB,
    hidden_size: 128,
    intermediate_size: 512,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 4,
    max_position_embeddings: 128,
    tie_word_embeddings: false,
  }),
  { seed: 0 },
);
const steps: SftStepRecord[] = [];
await sftTrain(model, examples, { config, padId: 0, onStep: (r) => steps.push(r) });
const timed = steps.slice(WARMUP);
const ms = median(timed.map((s) => 1000 * s.seconds));
const realPerStep = median(timed.map((s) => s.realTokens));
const tokensPerSecond = realPerStep / (ms / 1000);

// The same packed batch for PyTorch.
let torch: { ms: number; threads: number; torch: string } | null = null;
const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
if (hasTorch) {
  const plan = planSft(examples, config);
  const batch = buildBatch(
    microBatchesOf(plan, 0)[0]!.map((s) => plan.rows[s]!.map((r) => examples[r]!)),
    0,
  );
  const layout = join(mkdtempSync(join(tmpdir(), 'r1-distill-bench-')), 'layout.json');
  writeFileSync(
    layout,
    JSON.stringify({
      ids: batch.ids.arraySync(),
      targets: batch.targets.arraySync(),
      segments: batch.segmentIds.arraySync(),
      lossMask: batch.lossMask.arraySync(),
    }),
  );
  disposeTrainBatch(batch);
  const script = fileURLToPath(new URL('../bench/torch_sft_step.py', import.meta.url));
  const run = spawnSync(
    '/usr/bin/python3',
    [script, '--layout', layout, '--threads', '1,2', '--iterations', String(ITERATIONS)],
    {
      encoding: 'utf8',
    },
  );
  const lines = run.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { ms: number; threads: number; torch: string });
  torch = lines.sort((a, b) => a.ms - b.ms)[0] ?? null;
  if (torch === null) process.stderr.write(`torch_sft_step.py failed: ${run.stderr}\n`);
}
report({
  name: 'distill.sft_step',
  value: tokensPerSecond,
  unit: 'tokens/s',
  ms,
  backend: info.name,
  threads: info.threads,
  batch: BATCH,
  seq: SEQ,
  real_tokens_per_step: realPerStep,
  packing_efficiency: realPerStep / (BATCH * SEQ),
  loss_first: steps[0]?.loss,
  loss_last: steps.at(-1)?.loss,
  ...(torch === null
    ? { torch: 'unavailable (/usr/bin/python3 without torch: apt-get install python3-torch)' }
    : {
        torch_ms: torch.ms,
        torch_threads: torch.threads,
        torch_tokens_per_s: realPerStep / (torch.ms / 1000),
        ratio_vs_torch: torch.ms / ms,
        torch_version: torch.torch,
      }),
  iterations: ITERATIONS,
});
model.dispose();
