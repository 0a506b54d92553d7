import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCharTokenizer, createModel, saveModel } from '@r1/model';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createOpenAIEngine } from '../openai/engine';
import { createSampler } from '../sampler';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const CHAT =
  '{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}';

let child: ChildProcess;
let url = '';
let stdout = '';
let stderr = '';
let exited: Promise<number | null>;
const base = mkdtempSync(join(tmpdir(), 'r1-serve-'));

async function checkpoint(name: string, seed: number): Promise<string> {
  const dir = join(base, name);
  const tokenizer = buildCharTokenizer(' abcdefghijklmnopqrstuvwxyz0123456789.?\n', ['<|im_start|>', '<|im_end|>'], {
    chatTemplate: CHAT,
  });
  const vocab = Object.keys((tokenizer.tokenizerJson as { model: { vocab: object } }).model.vocab).length;
  const model = createModel(
    {
      model_type: 'qwen2',
      vocab_size: vocab,
      hidden_size: 32,
      intermediate_size: 64,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      num_key_value_heads: 2,
      max_position_embeddings: 1024,
    } as never,
    { seed },
  );
  await saveModel(dir, model, { tokenizer });
  model.dispose();
  return dir;
}

let other = '';
beforeAll(async () => {
  const dir = await checkpoint('tiny', 3);
  other = await checkpoint('other', 4);
  const script = join(root, 'packages/sampler/src/bin/r1-serve.ts');
  child = spawn(process.execPath, ['--import', 'tsx', script, '--model', dir, '--port', '0', '--backend', 'cpu'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /serving tiny at (http:\/\/\S+)\/v1/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`r1-serve exited with ${code}: ${stderr}`)));
  });
}, 120_000);

afterAll(() => {
  if (child.exitCode === null) child.kill('SIGKILL');
});

const post = (path: string, body: unknown) => fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body) });

describe('r1-serve over a real checkpoint', () => {
  test('completions and chat completions through the OpenAI engine, seeded', async () => {
    const sampler = createSampler(createOpenAIEngine({ baseUrl: url, model: 'tiny', returnTokenIds: true }));
    const a = await sampler.generate([{ prompt: 'what is 2 and 3?' }], {
      n: 3,
      maxNewTokens: 12,
      seed: 5,
      temperature: 1,
    });
    const b = await sampler.generate([{ prompt: 'what is 2 and 3?' }], {
      n: 3,
      maxNewTokens: 12,
      seed: 5,
      temperature: 1,
    });
    expect(a).toEqual(b);
    expect(a[0]).toHaveLength(3);
    for (const c of a[0]!) {
      expect(c.tokenIds.length).toBeGreaterThan(0);
      expect(c.logprobs).toHaveLength(c.tokenIds.length);
      expect(c.promptTokens).toBe(16);
    }
    const chat = await sampler.generate([{ messages: [{ role: 'user', content: 'hi there' }] }], {
      maxNewTokens: 5,
      temperature: 0,
    });
    // The checkpoint's chat template was applied: <|im_start|> 'user\n' 'hi there' <|im_end|> '\n' <|im_start|> 'assistant\n'.
    expect(chat[0]![0]!.promptTokens).toBe(1 + 5 + 8 + 1 + 1 + 1 + 10);
  });

  test('a bad request is a 400 naming the problem', async () => {
    const res = await post('/v1/completions', { prompt: 'a', max_tokens: 100_000 });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error).toMatchObject({
      message: expect.stringMatching(/max_tokens = 100000 is too large.*context is 1024 tokens.*at most 1023/),
      param: 'max_tokens',
      code: 'context_length_exceeded',
    });
  });

  test('update_weights_from_disk loads another checkpoint; a bad path keeps the old weights', async () => {
    const bad = await post('/update_weights_from_disk', { model_path: join(base, 'missing') });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ success: false, message: expect.stringMatching(/could not load/) });
    const res = await post('/update_weights_from_disk', { model_path: other, weight_version: 'step-1' });
    expect(await res.json()).toMatchObject({ success: true, message: expect.stringMatching(/^Succeeded/) });
    const info = (await (await fetch(`${url}/get_model_info`)).json()) as Record<string, unknown>;
    expect(info).toMatchObject({ model_path: other, weight_version: 'step-1', is_generation: true });
  });

  test('SIGTERM drains: the stream in flight finishes, new requests and /health get 503, then exit 0', async () => {
    const res = await post('/v1/completions', { prompt: 'abc', max_tokens: 700, temperature: 0, stream: true });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value, { stream: true }); // the first chunk: decoding has begun
    child.kill('SIGTERM');
    let health = 200;
    for (let i = 0; i < 200 && health === 200; i++) {
      const h = await fetch(`${url}/health`);
      health = h.status;
      if (health === 200) await new Promise((r) => setTimeout(r, 5));
      else expect(await h.json()).toEqual({ status: 'draining' });
    }
    expect(health).toBe(503);
    const refused = await post('/v1/completions', { prompt: 'new', max_tokens: 2 });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/shutting down/);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    const chunks = text
      .split('\n\n')
      .filter((e) => e.startsWith('data: {'))
      .map((e) => JSON.parse(e.slice(6)) as { choices: { finish_reason: string | null }[] });
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('length');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/SIGTERM: draining 1 request/);
    expect(stdout).toBe('');
  });
});
