/**
 * r1-serve against the official `openai` npm client, over real (tiny) checkpoints on disk and the continuous-batching
 * engine: what users' tools (the SDK, LangChain, Open WebUI) do — completions, chat, n, logprobs, seeds, streaming
 * with and without usage, many clients at once, limits, timeouts, disconnects and weight sync.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCharTokenizer, createModel, saveModel } from '@r1/model';
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ContinuousEngine } from '../local/continuous-types';
import { createSampler } from '../sampler';
import { engineFromCheckpoint, loadModelParts, servingEngineFromCheckpoint } from './from-checkpoint';
import { type RunningServer, startServer } from './server';

const CHAT =
  '{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}';
const CONTEXT = 256;
const base = mkdtempSync(join(tmpdir(), 'r1-openai-'));

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
      num_hidden_layers: 2,
      num_attention_heads: 2,
      num_key_value_heads: 1,
      max_position_embeddings: CONTEXT,
    } as never,
    { seed },
  );
  await saveModel(dir, model, { tokenizer });
  model.dispose();
  return dir;
}

let first = '';
let second = '';
let engine: ContinuousEngine;
let served: RunningServer;
let hasty: RunningServer;
let client: OpenAI;

beforeAll(async () => {
  first = await checkpoint('first', 3);
  second = await checkpoint('second', 4);
  engine = await servingEngineFromCheckpoint(first, { maxBatchRows: 24 });
  const common = { engine, modelName: 'tiny', port: 0, modelPath: first, maxBodyBytes: 4096 } as const;
  served = await startServer({ ...common, maxN: 8, loadWeights: (dir) => loadModelParts(dir) });
  // The same engine behind a server with a short time limit.
  hasty = await startServer({ ...common, requestTimeoutMs: 30 });
  client = new OpenAI({ baseURL: `${served.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});
afterAll(async () => {
  await hasty.shutdown();
  await served.shutdown();
  await engine.close();
});

/** vLLM's extension, which the SDK's types do not know. */
const withIds = { return_token_ids: true } as Record<string, unknown>;

async function drain<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const chunk of stream) out.push(chunk);
  return out;
}

describe('the openai client against r1-serve', () => {
  test('completions: n, seed, logprobs; the same seed reproduces, another differs', async () => {
    const ask = (seed: number) =>
      client.completions.create({ model: 'tiny', prompt: 'what is 2 and 3?', n: 3, max_tokens: 12, seed, logprobs: 1 });
    const [a, b, c] = await Promise.all([ask(5), ask(5), ask(6)]);
    expect(a.object).toBe('text_completion');
    expect(a.choices.map((x) => x.index)).toEqual([0, 1, 2]);
    expect(b.choices).toEqual(a.choices);
    expect(c.choices.map((x) => x.text)).not.toEqual(a.choices.map((x) => x.text));
    for (const choice of a.choices) {
      expect(choice.logprobs!.tokens!.length).toBe(choice.logprobs!.token_logprobs!.length);
      expect(choice.logprobs!.token_logprobs!.every((l) => l <= 0)).toBe(true);
    }
    expect(a.usage).toMatchObject({ prompt_tokens: 16 });
  });

  test('chat: the checkpoint template, logprobs, greedy is deterministic', async () => {
    const ask = () =>
      client.chat.completions.create({
        model: 'tiny',
        messages: [{ role: 'user', content: 'hi there' }],
        max_tokens: 8,
        temperature: 0,
        logprobs: true,
      });
    const [a, b] = [await ask(), await ask()];
    expect(a.object).toBe('chat.completion');
    expect(a.choices[0]!.message).toMatchObject({ role: 'assistant' });
    expect(b.choices[0]!.message.content).toBe(a.choices[0]!.message.content);
    expect(a.choices[0]!.logprobs!.content!.length).toBe(a.usage!.completion_tokens);
    expect(a.usage!.prompt_tokens).toBe(1 + 5 + 8 + 1 + 1 + 1 + 10);
  });

  test('streamed completions add up to the non-streamed ones; no usage chunk unless asked', async () => {
    const request = { model: 'tiny', prompt: 'stream me', n: 2, max_tokens: 20, seed: 9, stop: ['ee'] };
    const whole = await client.completions.create(request);
    const chunks = await drain(await client.completions.create({ ...request, stream: true }));
    expect(chunks.every((c) => c.object === 'text_completion' && c.usage === undefined)).toBe(true);
    whole.choices.forEach((choice, i) => {
      const mine = chunks.flatMap((c) => c.choices).filter((c) => c.index === i);
      expect(mine.map((c) => c.text).join('')).toBe(choice.text);
      expect(mine.at(-1)!.finish_reason).toBe(choice.finish_reason);
      expect(mine.slice(0, -1).every((c) => c.finish_reason === null)).toBe(true);
    });
  });

  test('streamed chat: role first, interleaved choices by index, and usage last with include_usage', async () => {
    const request = {
      model: 'tiny',
      messages: [{ role: 'user' as const, content: 'tell me' }],
      n: 3,
      max_tokens: 15,
      seed: 4,
    };
    const whole = await client.chat.completions.create(request);
    const chunks = await drain(
      await client.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } }),
    );
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0]!.choices.map((c) => c.delta)).toEqual(Array(3).fill({ role: 'assistant', content: '' }));
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual(whole.usage);
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    // Interleaved: some chunk carries more than one choice, or consecutive chunks alternate choices.
    const order = chunks.flatMap((c) => c.choices.map((x) => x.index));
    expect(order.some((index, k) => k > 0 && index < order[k - 1]!)).toBe(true);
    whole.choices.forEach((choice, i) => {
      const mine = chunks.flatMap((c) => c.choices).filter((c) => c.index === i);
      expect(mine.map((c) => c.delta.content ?? '').join('')).toBe(choice.message.content);
      expect(mine.at(-1)!.finish_reason).toBe(choice.finish_reason);
    });
  });

  test('eight clients at once get exactly what they get one at a time, and were decoded together', async () => {
    const requests = Array.from({ length: 8 }, (_, i) => ({
      model: 'tiny',
      prompt: `${'question '.repeat(i % 3)}number ${i}?`,
      n: 1 + (i % 3),
      max_tokens: 10 + 3 * i,
      seed: 100 + i,
      temperature: i % 4 === 0 ? 0 : 0.9,
      logprobs: 0,
      ...withIds,
    }));
    const sequential: OpenAI.Completions.Completion[] = [];
    for (const r of requests) sequential.push(await client.completions.create(r));
    let mostAtOnce = 0;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        mostAtOnce = Math.max(mostAtOnce, engine.stats().activeRequests);
        await new Promise((r) => setImmediate(r));
      }
    })();
    const concurrent = await Promise.all(requests.map((r) => client.completions.create(r)));
    watching = false;
    await watch;
    expect(mostAtOnce).toBeGreaterThan(1);
    concurrent.forEach((res, i) => {
      const alone = sequential[i]!;
      expect(
        res.choices.map((c) => [c.text, c.finish_reason, (c as unknown as { token_ids: number[] }).token_ids]),
      ).toEqual(
        alone.choices.map((c) => [c.text, c.finish_reason, (c as unknown as { token_ids: number[] }).token_ids]),
      );
      for (const [j, c] of res.choices.entries()) {
        const expected = alone.choices[j]!.logprobs!.token_logprobs!;
        for (const [k, lp] of c.logprobs!.token_logprobs!.entries()) expect(lp).toBeCloseTo(expected[k]!, 4);
      }
    });
  });

  test('/health answers ok', async () => {
    const res = await fetch(`${served.url}/health`);
    expect([res.status, await res.json()]).toEqual([200, { status: 'ok' }]);
  });

  test.each([
    [
      'a body over --max-body-bytes',
      { prompt: 'x'.repeat(5000) },
      413,
      null,
      /larger than this server accepts \(4096 bytes/,
    ],
    [
      'a prompt longer than the context',
      { prompt: 'a'.repeat(300) },
      400,
      'prompt',
      /prompt is 300 tokens.*context is 256/,
    ],
    ['max_tokens past the context', { prompt: 'abc', max_tokens: 254 }, 400, 'max_tokens', /at most 253/],
    ['n over --max-n', { prompt: 'abc', n: 9 }, 400, 'n', /n = 9 is more than this server allows \(at most 8/],
  ])('%s is refused with a clear error', async (_, body, status, param, message) => {
    const error = await client.completions.create({ model: 'tiny', ...body } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    const api = error as APIError;
    expect(api.status).toBe(status);
    expect(api.param ?? null).toBe(param);
    expect(api.message).toMatch(message);
  });

  test('a request past the time limit is an error; its rows leave the batch and the server carries on', async () => {
    const slow = new OpenAI({ baseURL: `${hasty.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const long = { model: 'tiny', prompt: 'go on', max_tokens: 250, temperature: 0 };
    const error = await slow.completions.create(long).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(504);
    expect((error as APIError).message).toMatch(/time limit of 30 ms/);
    const streamed = await drain(await slow.completions.create({ ...long, stream: true })).catch((e: unknown) => e);
    expect((streamed as Error).message).toMatch(/time limit of 30 ms/);
    expect(engine.stats()).toEqual({ activeRequests: 0, activeRows: 0, queuedRequests: 0 });
    // Greedy, from the prompt that just ran long: a sampled reply may draw end-of-text first and come back empty.
    const ok = await client.completions.create({ ...long, max_tokens: 3 });
    expect(ok.choices[0]!.text.length).toBeGreaterThan(0);
  });

  test('a client that goes away mid-stream is dropped from the batch', async () => {
    const controller = new AbortController();
    const stream = await client.completions.create(
      { model: 'tiny', prompt: 'long story', max_tokens: 240, temperature: 0, stream: true },
      { signal: controller.signal },
    );
    for await (const _ of stream) {
      controller.abort();
      break;
    }
    for (let i = 0; i < 500 && engine.stats().activeRequests > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(engine.stats()).toEqual({ activeRequests: 0, activeRows: 0, queuedRequests: 0 });
  });

  test('update_weights_from_disk: greedy completions then equal the new checkpoint run locally', async () => {
    const prompts = ['the cat', 'what is 7?'];
    const greedy = async () =>
      Promise.all(
        prompts.map(async (prompt) => {
          const r = await client.completions.create({ model: 'tiny', prompt, max_tokens: 20, temperature: 0 });
          return r.choices[0]!.text;
        }),
      );
    const local = async (dir: string) => {
      const { engine: e } = await engineFromCheckpoint(dir);
      const sampler = createSampler(e);
      const out = await sampler.generate(
        prompts.map((prompt) => ({ prompt })),
        { temperature: 0, maxNewTokens: 20 },
      );
      await sampler.close();
      return out.map((r) => r[0]!.text);
    };
    const info = async () => (await (await fetch(`${served.url}/get_model_info`)).json()) as Record<string, unknown>;
    const update = async (body: unknown) => {
      const res = await fetch(`${served.url}/update_weights_from_disk`, { method: 'POST', body: JSON.stringify(body) });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };

    expect(await info()).toMatchObject({ model_path: first, is_generation: true, weight_version: 'default' });
    const before = await greedy();
    expect(before).toEqual(await local(first));
    const swapped = await update({ model_path: second, weight_version: 'v2' });
    expect(swapped).toMatchObject({ status: 200, json: { success: true, num_paused_requests: 0 } });
    expect(await info()).toMatchObject({ model_path: second, weight_version: 'v2', max_context_length: CONTEXT });
    const after = await greedy();
    expect(after).toEqual(await local(second));
    expect(after).not.toEqual(before);

    for (const [body, message] of [
      [{ model_path: join(base, 'nowhere') }, /could not load a checkpoint from .*nowhere/],
      [{}, /'model_path' must be/],
      [{ model_path: first, load_format: 'gguf' }, /load_format/],
      [{ model_path: first, colour: 1 }, /unknown field 'colour'/],
    ] as const) {
      const bad = await update(body);
      expect(bad.status).toBe(400);
      expect(bad.json).toMatchObject({ success: false, message: expect.stringMatching(message) });
    }
    expect(await greedy()).toEqual(after); // a failed update leaves the weights alone
    expect((await update({ model_path: first })).json.success).toBe(true);
    expect(await greedy()).toEqual(before);
  });
});
