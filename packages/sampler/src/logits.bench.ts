/**
 * `sampler.logits_real_vocab` (issue 17's name; `sampler.logits_151k` before): ms per row of `chooseToken` at Qwen's
 * vocabulary (151,936 logits), for 16 rows of synthetic language-model-like logits (a Zipf-like head of up to 200 tokens over a Gaussian bulk, seeded, the head's
 * steepness varying by row), logprobsMode 'temperature' (the default): T 0.6 / top-p 0.95 (the R1 protocol; the
 * value) and T 0.6 / top-k 50, each for the linear-time implementation and for the full-sort one it replaced (kept
 * below as the reference; the bench fails if the two pick different tokens). Extra fields: the reference's ms and the
 * speed-up, the top-k 50 numbers, a flat row's (N(0, 1) logits: the nucleus is most of the vocabulary and is sorted,
 * the worst case) and the nucleus sizes of the 16 rows.
 *
 * With `R1_SAMPLER_LOGITS_QUICK=1` it measures only the value (after checking the top-p rows against the reference).
 * With `R1_SAMPLER_LOGITS_FILE=PATH` it first writes its 16 rows there (raw little-endian float32, [16, 151936],
 * row-major) for `scripts/reference/torch_top_p.py --logits PATH`, which does the same cuts in PyTorch on the same
 * logits; `scripts/reference/side_by_side_sampler.py` runs the two alternately and prints the ratio.
 */
import { writeFileSync } from 'node:fs';
import { median, report, timeIt } from '../../../scripts/bench-lib';
import { chooseToken, type TokenChoice, type TokenChoiceParams } from './logits';
import { createRng, type Uniform } from './rng';
import { nucleusSize } from './test-utils/nucleus';
import { chooseTokenBySort } from './test-utils/reference-logits';

const VOCAB = 151_936;
const ROWS = 16;
const FLAT_ROWS = 4;
const ITERATIONS = Number(process.env.R1_BENCH_ITERATIONS ?? 5);

// ---- the rows ----

function gaussian(rng: Uniform): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

function peakedRow(seed: number, steepness: number): Float32Array {
  const rng = createRng(seed);
  const row = new Float32Array(VOCAB);
  for (let i = 0; i < VOCAB; i++) row[i] = 2 * gaussian(rng);
  for (let k = 0; k < 200; k++) row[Math.floor(rng() * VOCAB)] = 14 - steepness * Math.log1p(k);
  return row;
}

function flatRow(seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: VOCAB }, () => gaussian(rng));
}

const none = new Set<number>();
const base: TokenChoiceParams = {
  temperature: 0.6,
  topK: 0,
  topP: 1,
  minP: 0,
  repetitionPenalty: 1,
  logprobsMode: 'temperature',
};
const topP = { ...base, topP: 0.95 };
const topK = { ...base, topK: 50 };
type Choose = typeof chooseToken;

function runRows(choose: Choose, rows: readonly Float32Array[], params: TokenChoiceParams): TokenChoice[] {
  const uniform = createRng(1);
  return rows.map((row) => choose(row, params, none, uniform));
}

async function msPerRow(choose: Choose, rows: readonly Float32Array[], params: TokenChoiceParams): Promise<number> {
  const times = await timeIt(() => runRows(choose, rows, params), { warmup: 1, iterations: ITERATIONS });
  return median(times) / rows.length;
}

const rows = Array.from({ length: ROWS }, (_, r) => peakedRow(r + 1, 0.3 + (3.2 * r) / (ROWS - 1)));
const flat = Array.from({ length: FLAT_ROWS }, (_, r) => flatRow(100 + r));
const dump = process.env.R1_SAMPLER_LOGITS_FILE;
if (dump) {
  const all = new Float32Array(ROWS * VOCAB);
  for (const [r, row] of rows.entries()) all.set(row, r * VOCAB);
  // Float32Array bytes are the platform's order; every platform node runs on here is little-endian.
  writeFileSync(dump, new Uint8Array(all.buffer));
}

// R1_SAMPLER_LOGITS_QUICK=1: only the value (top-p, checked against the reference), for tight side-by-side rounds.
const quick = process.env.R1_SAMPLER_LOGITS_QUICK === '1';
for (const [name, set, params] of [
  ['top-p', rows, topP],
  ['top-k', rows, topK],
  ['flat top-p', flat, topP],
] as const) {
  if (quick && name !== 'top-p') continue;
  const got = runRows(chooseToken, set, params);
  const want = runRows(chooseTokenBySort, set, params);
  for (const [i, c] of got.entries())
    if (c.token !== want[i]!.token || !Object.is(c.logprob, want[i]!.logprob))
      throw new Error(`${name}, row ${i}: chose ${JSON.stringify(c)}, the reference ${JSON.stringify(want[i])}`);
}

const after = await msPerRow(chooseToken, rows, topP);
if (quick) {
  report({ name: 'sampler.logits_real_vocab', value: Number(after.toPrecision(3)), unit: 'ms/row', quick: true });
  process.exit(0);
}
const before = await msPerRow(chooseTokenBySort, rows, topP);
const afterK = await msPerRow(chooseToken, rows, topK);
const beforeK = await msPerRow(chooseTokenBySort, rows, topK);
const afterFlat = await msPerRow(chooseToken, flat, topP);
const beforeFlat = await msPerRow(chooseTokenBySort, flat, topP);
const nuclei = rows.map((row) => nucleusSize(row, topP.temperature, topP.topP)).sort((a, b) => a - b);
const round = (x: number) => Number(x.toPrecision(3));
report({
  name: 'sampler.logits_real_vocab',
  value: round(after),
  unit: 'ms/row',
  referenceMs: round(before),
  speedup: round(before / after),
  topK50Ms: round(afterK),
  topK50ReferenceMs: round(beforeK),
  topK50Speedup: round(beforeK / afterK),
  flatMs: round(afterFlat),
  flatReferenceMs: round(beforeFlat),
  flatNucleus: nucleusSize(flat[0]!, topP.temperature, topP.topP),
  nucleusMin: nuclei[0],
  nucleusMedian: median(nuclei),
  nucleusMax: nuclei.at(-1),
  shape: `${ROWS} rows x ${VOCAB}, T 0.6, top-p 0.95 | top-k 50, logprobs temperature`,
});
