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

beforeAll(async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'r1-serve-')), 'tiny');
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
      max_position_embeddings: 256,
    } as never,
    { seed: 3 },
  );
  await saveModel(dir, model, { tokenizer });
  model.dispose();
  child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'packages/sampler/src/bin/r1-serve.ts'),
      '--model',
      dir,
      '--port',
      '0',
      '--backend',
      'cpu',
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /at (http:\/\/\S+)\/v1/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('exit', (code) => reject(new Error(`r1-serve exited with ${code}: ${err}`)));
  });
}, 120_000);

afterAll(() => {
  child?.kill('SIGTERM');
});

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
    const res = await fetch(`${url}/v1/completions`, {
      method: 'POST',
      body: JSON.stringify({ prompt: 'a', max_tokens: 100_000 }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/max_position_embeddings 256/);
  });
});
