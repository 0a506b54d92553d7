/**
 * `r1-eval run --template chat` at a real vocabulary: 3 GSM8K problems (../shared/data) on random-weight Qwen2
 * checkpoints whose config `vocab_size` (151,936) is padded past the tokenizer, as Qwen2.5 and R1-Distill-Qwen ship:
 * Qwen3's tokenizer with its own chat template, and an R1-Distill-Qwen tokenizer with an R1-Distill-style template
 * (the prompt ends in `<think>\n`). The padding ids are made the model's most likely tokens, so an unmasked sampler
 * would fail at the first sample ("decode: ids[…] = 151721 is not a token id").
 *
 * The greedy run is checked against a full forward pass over the prompt as the template should render it, written
 * out here by hand: that pins both the template and the mask.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, loadModel, loadTokenizer, tf } from '@r1/model';
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { type RealTokenizerKind, writeRealCheckpoint } from '../../../packages/sampler/src/test-utils/real-checkpoint';
import { R1_MATH_INSTRUCTION } from './prompt';
import { cli } from './test-utils/capture-io';
import { ROOT } from './test-utils/tiny-checkpoint';

const GSM8K = join(ROOT, '../shared/data/benchmarks/gsm8k.jsonl');
const work = mkdtempSync(join(tmpdir(), 'r1-eval-real-'));
const problems = readFileSync(GSM8K, 'utf8')
  .split('\n')
  .slice(0, 3)
  .map((l) => JSON.parse(l) as { id: string; problem: string });

/** Each template's rendering of one user message, written out (not rendered by the code under test). */
const RENDER: Record<'qwen3' | 'r1-distill-qwen', (user: string) => string> = {
  qwen3: (user) => `<|im_start|>user\n${user}<|im_end|>\n<|im_start|>assistant\n`,
  'r1-distill-qwen': (user) => `<｜begin▁of▁sentence｜><｜User｜>${user}<｜Assistant｜><think>\n`,
};

const dirs: Partial<Record<RealTokenizerKind, string>> = {};
beforeAll(async () => {
  await initBackend('cpu', { log: () => {} });
  for (const kind of ['qwen3', 'r1-distill-qwen'] as const) {
    dirs[kind] = (await writeRealCheckpoint(join(work, kind), { tokenizer: kind, loudPadding: 10, seed: 5 })).dir;
  }
}, 60_000);

afterEach(() => {
  vi.restoreAllMocks();
});

interface Rec {
  problemId: string;
  sampleIndex: number;
  completion: string;
  tokens: number;
}
const records = (out: string): Rec[] =>
  readFileSync(join(out, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Rec);

/** What the process writes to its own stderr (the sampler's padding notice goes there). */
function watchStderr(): string[] {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr) as (chunk: string | Uint8Array) => boolean;
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return write(chunk);
  });
  return lines;
}

/**
 * Greedy completion by full forward passes over `prompt` (no KV cache, no sampler code): the last position's hidden
 * state times the head's rows of the tokenizer's ids, argmax.
 */
async function greedy(dir: string, prompts: string[], steps: number): Promise<string[]> {
  const [model, tokenizer] = await Promise.all([loadModel(dir), loadTokenizer(dir)]);
  try {
    const head = model.parameters().get('lm_head.weight')!;
    return prompts.map((prompt) => {
      const ids = tokenizer.encode(prompt);
      const out: number[] = [];
      for (let s = 0; s < steps; s++) {
        const next = tf.tidy(() => {
          const h = model.hiddenStates(tf.tensor2d([ids], [1, ids.length], 'int32')); // [1, T, D]
          const last = tf.reshape(tf.slice(h, [0, ids.length - 1, 0], [1, 1, -1]), [1, -1]); // [1, D]
          const real = tf.slice(head, [0, 0], [tokenizer.vocabSize, -1]); // [V_tok, D]
          return tf.argMax(tf.reshape(tf.matMul(last, real, false, true), [-1])).dataSync()[0]!;
        });
        if (next === tokenizer.eosTokenId) break;
        out.push(next);
        ids.push(next);
      }
      return tokenizer.decode(out);
    });
  } finally {
    model.dispose();
  }
}

describe.each([
  ['qwen3', 151_669, 267],
  ['r1-distill-qwen', 151_665, 271],
] as const)('r1-eval run --template chat on GSM8K, %s tokenizer, vocab_size 151936', (kind, size, padding) => {
  test('k 2 under the R1 protocol: every sample recorded, the padding notice given once', async () => {
    const stderr = watchStderr();
    const out = join(work, `${kind}-k2`);
    const r = await cli(
      ...['run', '--model', dirs[kind]!, '--backend', 'cpu', '--benchmark', 'gsm8k', '--data', GSM8K],
      ...['--limit', '3', '--k', '2', '--max-tokens', '12', '--template', 'chat', '--out', out],
    );
    expect(r.stderr).not.toMatch(/not a token id/);
    expect(r.code).toBe(0);
    const recs = records(out);
    expect(recs.map((x) => x.problemId).sort()).toEqual(problems.flatMap((p) => [p.id, p.id]));
    expect(recs.every((x) => x.tokens > 0 && x.tokens <= 12)).toBe(true);
    const notice = `sampler: vocab_size 151936, tokenizer ${size}: ${padding} padding ids masked\n`;
    expect(stderr.filter((l) => l === notice)).toHaveLength(1);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ benchmark: 'gsm8k', problems: 3, samplesPerProblem: 2 });
  }, 60_000);

  test('greedy: each completion is the masked argmax after the prompt as the template renders it', async () => {
    const out = join(work, `${kind}-greedy`);
    const r = await cli(
      ...['run', '--model', dirs[kind]!, '--backend', 'cpu', '--benchmark', 'gsm8k', '--data', GSM8K],
      ...['--limit', '3', '--k', '1', '--temperature', '0', '--max-tokens', '6', '--template', 'chat', '--out', out],
    );
    expect(r.code).toBe(0);
    const byId = new Map(records(out).map((x) => [x.problemId, x.completion]));
    const prompts = problems.map((p) => RENDER[kind](`${p.problem}\n${R1_MATH_INSTRUCTION}`));
    const want = await greedy(dirs[kind]!, prompts, 6);
    expect(problems.map((p) => byId.get(p.id))).toEqual(want);
  }, 60_000);
});

test('a tokenizer larger than the config vocab_size is refused with the checkpoint and the fix', async () => {
  const { dir } = await writeRealCheckpoint(join(work, 'too-small'), { tokenizer: 'qwen3', vocabSize: 151_000 });
  const r = await cli(
    ...['run', '--model', dir, '--backend', 'cpu', '--benchmark', 'gsm8k', '--data', GSM8K],
    ...['--limit', '1', '--k', '1', '--max-tokens', '4', '--out', join(work, 'too-small-run')],
  );
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain(
    `${dir}: the tokenizer has 151669 ids but the model's vocab_size (config.json) is 151000, so ids 151000…151668`,
  );
}, 60_000);
