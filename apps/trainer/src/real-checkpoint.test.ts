/**
 * The trainer at a real vocabulary: random-weight Qwen2 checkpoints whose config `vocab_size` (151,936) is padded past
 * the tokenizer, as Qwen2.5 and R1-Distill-Qwen ship — Qwen3's tokenizer and chat template, and an R1-Distill-Qwen
 * tokenizer with an R1-Distill-style template (prompts end in `<think>\n`, earlier turns' reasoning stripped).
 *
 * - `r1-train sample run --template chat` on GSM8K problems, with the padding ids made the most likely tokens;
 * - `r1-train sft` on `messages` rows through each template: the trained tokens are exactly the assistant turn with
 *   its reasoning (`<think>` included where the template does not put it in the prompt) and the end-of-turn token,
 *   counted independently; EOS's log-prob rises;
 * - one GRPO step (`task: {name: file}`, `template: chat`).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, loadModel, loadTokenizer, tf } from '@r1/model';
import { beforeAll, describe, expect, test } from 'vitest';
import { writeRealCheckpoint } from '../../../packages/sampler/src/test-utils/real-checkpoint';
import { sampleCommand } from './commands/sample';
import { sftCommand } from './commands/sft';
import { runZero } from './pipelines/zero';
import { resolveTrainerConfig } from './trainer-config';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const GSM8K = join(ROOT, '../shared/data/benchmarks/gsm8k.jsonl');
const work = mkdtempSync(join(tmpdir(), 'r1-train-real-'));
const KINDS = ['qwen3', 'r1-distill-qwen'] as const;
type Kind = (typeof KINDS)[number];
const loud: Partial<Record<Kind, string>> = {};
const quiet: Partial<Record<Kind, string>> = {};

/** GSM8K's first problems as a data file (problem / answer fields). */
function gsm8k(count: number): string {
  const file = join(work, `gsm8k-${count}.jsonl`);
  writeFileSync(file, `${readFileSync(GSM8K, 'utf8').split('\n').slice(0, count).join('\n')}\n`);
  return file;
}

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
  for (const kind of KINDS) {
    loud[kind] = (await writeRealCheckpoint(join(work, `${kind}-loud`), { tokenizer: kind, loudPadding: 10 })).dir;
    quiet[kind] = (await writeRealCheckpoint(join(work, `${kind}-quiet`), { tokenizer: kind, seed: 3 })).dir;
  }
}, 60_000);

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), env: {} };
}

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe.each(KINDS)('%s tokenizer, vocab_size 151936', (kind) => {
  test('sample run --template chat: every trace drawn and judged, no padding id in any', async () => {
    const out = join(work, `${kind}-sample`);
    const o = io();
    const code = await sampleCommand(
      [
        ...['run', '--model', loud[kind]!, '--data', gsm8k(3), '--template', 'chat', '--k', '2'],
        ...['--max-tokens', '12', '--concurrency', '6', '--rejected', '--out', out],
      ],
      o,
    );
    expect(o.err.join('')).not.toMatch(/not a token id/);
    expect(code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.input).toBe(6);
    const removed = Object.values(manifest.removed as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(manifest.kept + removed).toBe(6);
    const traces = [...lines(join(out, 'data.jsonl')), ...lines(join(out, 'rejected.jsonl'))];
    expect(traces).toHaveLength(6);
  }, 60_000);

  // Short conversations keep the steps quick; the reasoning starts with a letter after `<think>\n`.
  const rows = [
    ['What is 2 + 3?', 'Two plus three.\n2 + 3 = 5.', '5'],
    ['What is 7 - 4?', 'Seven minus four.\n7 - 4 = 3.', '3'],
    ['What is 6 * 2?', 'Six times two.\n6 * 2 = 12.', '12'],
    ['What is 9 + 1?', 'Nine plus one.\n9 + 1 = 10.', '10'],
  ].map(([q, reasoning, answer]) => ({
    user: q!,
    trace: `<think>\n${reasoning}\n</think>\n\nThe answer is \\boxed{${answer}}.`,
  }));

  test('sft on messages rows: the assistant turn with its reasoning and EOS is what is trained', async () => {
    const data = join(work, `${kind}-sft.jsonl`);
    writeFileSync(
      data,
      rows
        .map(({ user, trace }) => ({
          messages: [
            { role: 'user', content: user },
            { role: 'assistant', content: trace },
          ],
        }))
        .map((r) => `${JSON.stringify(r)}\n`)
        .join(''),
    );
    const config = join(work, `${kind}-sft.yaml`);
    writeFileSync(config, 'per_device_train_batch_size: 4\nlearning_rate: 3.0e-2\nlr_scheduler_type: constant\n');
    const out = join(work, `${kind}-sft-out`);
    const o = io();
    const code = await sftCommand(
      ['--model', quiet[kind]!, '--data', data, '--out', out, '--config', config, '--max-steps', '3', '--seed', '1'],
      o,
    );
    expect(code, o.err.join('')).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ steps: 3, examples: 4, dropped: 0, truncated: 0 });

    // What each row trains, counted here from the text: Qwen's template keeps `<think>` in the assistant turn;
    // R1-Distill's prompt already ends in `<think>\n`, so the turn starts after it. Both end with the EOS token.
    const tokenizer = await loadTokenizer(quiet[kind]!);
    const trained = rows.map(({ trace }) =>
      kind === 'qwen3' ? `${trace}<|im_end|>` : `${trace.slice('<think>\n'.length)}<｜end▁of▁sentence｜>`,
    );
    const perStep = trained.reduce((s, t) => s + tokenizer.encode(t).length, 0);
    const metrics = lines(join(out, 'metrics.jsonl'));
    expect(metrics.map((m) => m.trainedTokens)).toEqual([perStep, perStep, perStep]);
    expect(summary.tokens).toBe(3 * perStep);
    if (kind === 'qwen3') expect(tokenizer.encode(trained[0]!)[0]).toBe(tokenizer.tokenToId('<think>'));

    // EOS after the trace became more likely among the tokenizer's ids (an untrained token only loses mass).
    const context = (i: number) =>
      kind === 'qwen3'
        ? `<|im_start|>user\n${rows[i]!.user}<|im_end|>\n<|im_start|>assistant\n${rows[i]!.trace}`
        : `<｜begin▁of▁sentence｜><｜User｜>${rows[i]!.user}<｜Assistant｜>${rows[i]!.trace}`;
    const eosLogprob = async (dir: string) => {
      const model = await loadModel(dir);
      try {
        const head = model.parameters().get('lm_head.weight')!;
        return rows.map((_, i) =>
          tf.tidy(() => {
            const ids = tokenizer.encode(context(i));
            const h = model.hiddenStates(tf.tensor2d([ids], [1, ids.length], 'int32'));
            const last = tf.reshape(tf.slice(h, [0, ids.length - 1, 0], [1, 1, -1]), [1, -1]);
            const logits = tf.matMul(last, tf.slice(head, [0, 0], [tokenizer.vocabSize, -1]), false, true);
            return tf.logSoftmax(logits).dataSync()[tokenizer.eosTokenId]!;
          }),
        );
      } finally {
        model.dispose();
      }
    };
    const before = await eosLogprob(quiet[kind]!);
    const after = await eosLogprob(join(out, 'final'));
    after.forEach((a, i) => {
      expect(a).toBeGreaterThan(before[i]! + 0.5);
    });
  }, 90_000);
});

test('one GRPO step: data-file task, chat template, padded vocabulary with loud padding', async () => {
  const config = resolveTrainerConfig({
    model: loud.qwen3!,
    task: { name: 'file', path: gsm8k(6) },
    template: 'chat',
    eval: { problems: 2, k: 1, everySteps: 1, curveProblems: 1, curveK: 1 },
    grpo: {
      output_dir: join(work, 'grpo'),
      run_name: 'real',
      num_generations: 4,
      per_device_train_batch_size: 4,
      max_completion_length: 12,
      // A random model never answers right; language consistency (the share of the reply in the prompt's script)
      // varies between random completions, so the group has a spread and the step moves the weights.
      reward_funcs: ['accuracy', 'language_consistency'],
      learning_rate: 1e-2,
      max_steps: 1,
      save_steps: 1,
      logging_steps: 1,
    },
  });
  const summary = await runZero({ config, log: () => {}, progress: false });
  expect(summary.steps).toBe(1);
  const [step] = lines(join(summary.runDir, 'metrics.jsonl'));
  expect(step!.rewardStd as number).toBeGreaterThan(0);
  expect(step!.completionLengthMean as number).toBeGreaterThan(0);
  expect(Number.isFinite(step!.rewardMean as number)).toBe(true);
  const weights = async (dir: string) => {
    const model = await loadModel(dir);
    const out = new Map([...model.parameters()].map(([k, v]) => [k, v.dataSync().slice()] as const));
    model.dispose();
    return out;
  };
  const [b, a] = [await weights(loud.qwen3!), await weights(join(summary.runDir, 'checkpoint-1'))];
  expect([...b].some(([k, v]) => v.some((x, i) => x !== a.get(k)![i]))).toBe(true);
}, 120_000);
