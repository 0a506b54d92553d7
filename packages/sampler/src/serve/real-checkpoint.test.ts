/**
 * r1-serve over a checkpoint at a real vocabulary: Qwen3's tokenizer (151,669 ids) and chat template, config
 * `vocab_size` 151,936 as Qwen2.5 / R1-Distill-Qwen ship it, and the 267 padding rows made the model's most likely
 * tokens. Driven by the official `openai` client against the r1-serve executable, as a user would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, loadModel, loadTokenizer, type Model, type Tokenizer, tf } from '@r1/model';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeRealCheckpoint } from '../test-utils/real-checkpoint';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'r1-serve-real-'));
const QUESTION = 'What is 2+2?';
/** Qwen3's template for one user message, written out (not rendered by the code under test). */
const RENDERED = `<|im_start|>user\n${QUESTION}<|im_end|>\n<|im_start|>assistant\n`;

let child: ChildProcess;
let stderr = '';
let client: OpenAI;
let model: Model;
let tokenizer: Tokenizer;
let dir = '';

beforeAll(async () => {
  await initBackend('cpu', { log: () => {} });
  ({ dir } = await writeRealCheckpoint(join(work, 'qwen'), { tokenizer: 'qwen3', loudPadding: 10, seed: 2 }));
  [model, tokenizer] = await Promise.all([loadModel(dir), loadTokenizer(dir)]);
  const script = join(root, 'packages/sampler/src/bin/r1-serve.ts');
  child = spawn(process.execPath, ['--import', 'tsx', script, '--model', dir, '--port', '0', '--backend', 'cpu'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /serving qwen at (http:\/\/\S+)\/v1/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`r1-serve exited with ${code}: ${stderr}`)));
  });
  client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
}, 120_000);

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  model?.dispose();
});

/**
 * log softmax over the whole padded row at each completion position, from a full forward pass in this process (the
 * hidden states times every row of the head).
 */
function fullLogprobs(prompt: number[], completion: number[]): number[] {
  const ids = [...prompt, ...completion.slice(0, -1)];
  const head = model.parameters().get('lm_head.weight')!;
  return tf.tidy(() => {
    const h = model.hiddenStates(tf.tensor2d([ids], [1, ids.length], 'int32')); // [1, T, D]
    const at = tf.reshape(tf.slice(h, [0, prompt.length - 1, 0], [1, completion.length, -1]), [completion.length, -1]);
    const lp = tf.logSoftmax(tf.matMul(at, head, false, true)).dataSync(); // [n, V]
    return completion.map((id, i) => lp[i * model.config.vocab_size + id]!);
  });
}

describe('r1-serve on a padded Qwen vocabulary, through the openai client', () => {
  test('it says once that the padding is masked', () => {
    const notice = 'sampler: vocab_size 151936, tokenizer 151669: 267 padding ids masked';
    expect(stderr.split(notice)).toHaveLength(2);
  });

  test('chat completions: the chat template renders, no padding id is drawn, raw log-probs are the full softmax', async () => {
    const response = await client.chat.completions.create({
      model: 'qwen',
      messages: [{ role: 'user', content: QUESTION }],
      n: 3,
      max_tokens: 12,
      temperature: 1,
      seed: 7,
      logprobs: true,
      // vLLM's extension, which r1-serve implements: the ids of each completion.
      return_token_ids: true,
    } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    expect(response.choices).toHaveLength(3);
    expect(response.usage!.prompt_tokens).toBe(tokenizer.encode(RENDERED).length);
    const prompt = tokenizer.encode(RENDERED);
    for (const choice of response.choices) {
      const ids = (choice as unknown as { token_ids: number[] }).token_ids;
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.every((id) => id < tokenizer.vocabSize)).toBe(true);
      const tokens = choice.logprobs!.content!;
      expect(tokens.map((t) => t.token)).toEqual(ids.map((id) => tokenizer.idToToken(id)));
      // Under the whole row the padding holds most of the mass, so these are far below 0.
      const want = fullLogprobs(prompt, ids);
      tokens.forEach((t, i) => {
        expect(t.logprob).toBeCloseTo(want[i]!, 2);
      });
      const text = choice.finish_reason === 'stop' ? ids.slice(0, -1) : ids;
      expect(choice.message.content).toBe(tokenizer.decode(text));
    }
  });

  test('streamed, the same seed gives the same text', async () => {
    const params = {
      model: 'qwen',
      messages: [{ role: 'user' as const, content: QUESTION }],
      max_tokens: 10,
      temperature: 0.6,
      top_p: 0.95,
      seed: 11,
    };
    const whole = await client.chat.completions.create(params);
    const stream = await client.chat.completions.create({ ...params, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(whole.choices[0]!.message.content);
  });
});
