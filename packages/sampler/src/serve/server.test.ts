import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createOpenAIEngine } from '../openai/engine';
import { createSampler } from '../sampler';
import {
  type Completion,
  DEFAULT_SAMPLING_PARAMS,
  type Engine,
  type GenerationRequest,
  type SamplingParams,
} from '../types';
import { startServer } from './server';

/**
 * A deterministic engine at the seam: completion j of a prompt is "<prompt reversed>#j#seed", token ids are its char
 * codes. The server's protocol handling is what is under test here; the local engine has its own tests.
 */
const echoEngine: Engine = {
  modelId: 'echo',
  async generate(requests: GenerationRequest[], params: SamplingParams): Promise<Completion[][]> {
    return requests.map((r) => {
      const prompt = r.prompt ?? r.messages!.map((m) => `${m.role}:${m.content}`).join('|');
      return Array.from({ length: params.n }, (_, j) => {
        const full = `${[...prompt].reverse().join('')}#${j}#${r.seed ?? 'none'}`;
        const text = full.slice(0, params.maxNewTokens);
        return {
          tokenIds: [...text].map((c) => c.charCodeAt(0)),
          text,
          logprobs: [...text].map(() => -0.5),
          finishReason: text.length < full.length ? 'length' : 'stop',
          promptTokens: prompt.length,
        } satisfies Completion;
      });
    });
  },
};

let served: { server: Server; url: string };
beforeAll(async () => {
  served = await startServer({
    engine: echoEngine,
    modelName: 'tiny',
    port: 0,
    tokenText: (t) => String.fromCharCode(t),
  });
});
afterAll(() => new Promise((r) => served.server.close(r)));

async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${served.url}${path}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('r1-serve protocol', () => {
  test('/v1/models lists the served model', async () => {
    const res = await fetch(`${served.url}/v1/models`);
    expect(await res.json()).toMatchObject({ data: [{ id: 'tiny' }] });
  });

  test('completions with n, seed, logprobs and token ids', async () => {
    const { status, json } = await post('/v1/completions', {
      model: 'tiny',
      prompt: 'abc',
      n: 2,
      max_tokens: 50,
      seed: 7,
      logprobs: 1,
      return_token_ids: true,
    });
    expect(status).toBe(200);
    expect(json.choices).toEqual([
      {
        index: 0,
        text: 'cba#0#7',
        finish_reason: 'stop',
        logprobs: { tokens: [...'cba#0#7'], token_logprobs: Array(7).fill(-0.5), top_logprobs: null },
        token_ids: [...'cba#0#7'].map((c) => c.charCodeAt(0)),
      },
      expect.objectContaining({ index: 1, text: 'cba#1#7' }),
    ]);
    expect(json.usage).toEqual({ prompt_tokens: 3, completion_tokens: 14, total_tokens: 17 });
  });

  test.each([
    [{ prompt: 'x', n: 0 }, /n = 0 is invalid/, 400],
    [{ prompt: 'x', temperature: 'hot' }, /'temperature' must be a number/, 400],
    [{ prompt: 'x', stream: 'yes' }, /'stream' must be true or false/, 400],
    [{ prompt: 'x', stream_options: { include_usage: true } }, /only allowed with stream: true/, 400],
    [{ prompt: 'x', n: 65 }, /n = 65 is more than this server allows \(at most 64/, 400],
    [{ prompt: 'x', echo: true }, /'echo' is not supported/, 400],
    [{ prompt: 'x', tools: [{ type: 'function' }] }, /'tools'/, 400],
    [{ prompt: ['a', 'b'] }, /'prompt' must be a string/, 400],
    [{ prompt: 'x', colour: 1 }, /unknown field 'colour'/, 400],
    [{ prompt: 'x', model: 'gpt-9' }, /not served here/, 404],
    ['{not json', /not valid JSON/, 400],
  ])('bad request %j → clear error', async (body, message, status) => {
    const res = await post('/v1/completions', body);
    expect(res.status).toBe(status);
    expect((res.json.error as { message: string }).message).toMatch(message);
  });

  test('chat takes text content parts and the developer role (as the newer OpenAI clients send them)', async () => {
    const { status, json } = await post('/v1/chat/completions', {
      messages: [
        { role: 'developer', content: 'be' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'h' },
            { type: 'text', text: 'i' },
          ],
        },
      ],
      max_tokens: 40,
      seed: 1,
      user: 'someone',
      metadata: { run: 'x' },
    });
    expect(status).toBe(200);
    expect((json.choices as { message: { content: string } }[])[0]!.message.content).toBe('ih:resu|eb:metsys#0#1');
    const image = await post('/v1/chat/completions', {
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }],
    });
    expect(image.status).toBe(400);
    expect((image.json.error as { message: string }).message).toMatch(/content\[0\] must be a text part/);
  });

  test('chat validates messages', async () => {
    const res = await post('/v1/chat/completions', { messages: [{ role: 'robot', content: 'hi' }] });
    expect(res.status).toBe(400);
    expect((res.json.error as { message: string }).message).toMatch(/role must be/);
  });

  test('an engine that cannot stream still answers stream: true, with each choice as one chunk', async () => {
    const res = await fetch(`${served.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({
        messages: [{ role: 'user', content: 'ab' }],
        n: 2,
        seed: 3,
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events = (await res.text()).split('\n\n').filter((e) => e !== '');
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.replace(/^data: /, '')));
    expect(chunks[0].choices.map((c: { delta: unknown }) => c.delta)).toEqual([
      { role: 'assistant', content: '' },
      { role: 'assistant', content: '' },
    ]);
    expect(chunks[1].choices.map((c: { delta: { content: string } }) => c.delta.content)).toEqual([
      'ba:resu#0#3',
      'ba:resu#1#3',
    ]);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 7, completion_tokens: 22 } });
  });

  test('/health is ok while serving', async () => {
    const res = await fetch(`${served.url}/health`);
    expect([res.status, await res.json()]).toEqual([200, { status: 'ok' }]);
  });

  test('unknown route is a 404', async () => {
    expect((await post('/v1/embeddings', {})).status).toBe(404);
  });
});

describe('OpenAI engine against r1-serve on loopback', () => {
  test('completions and chat round trip through the engine', async () => {
    const sampler = createSampler(createOpenAIEngine({ baseUrl: served.url, model: 'tiny', returnTokenIds: true }));
    const [[a, b]] = (await sampler.generate([{ prompt: 'hello' }], { n: 2, maxNewTokens: 40, seed: 1 })) as [
      [Completion, Completion],
    ];
    expect(a.text).toMatch(/^olleh#0#/);
    expect(b.text).toMatch(/^olleh#1#/);
    expect(a.logprobs.length).toBe(a.text.length);
    expect(a.tokenIds.length).toBe(a.text.length);
    const [[c]] = (await sampler.generate([{ messages: [{ role: 'user', content: 'hi' }] }], { maxNewTokens: 3 })) as [
      [Completion],
    ];
    expect(c).toMatchObject({ text: 'ih:', finishReason: 'length' });
  });

  test('a request for samples k… sends a seed of its own, so a seeded server does not repeat samples 0…', async () => {
    const sampler = createSampler(createOpenAIEngine({ baseUrl: served.url, model: 'tiny' }));
    const [[first]] = (await sampler.generate([{ prompt: 'ab', seed: 5 }], { maxNewTokens: 40 })) as [[Completion]];
    const [[later]] = (await sampler.generate([{ prompt: 'ab', seed: 5, firstSampleIndex: 2 }], {
      maxNewTokens: 40,
    })) as [[Completion]];
    expect(first.text).toBe('ba#0#5');
    expect(later.text).toMatch(/^ba#0#\d+$/);
    expect(later.text).not.toBe(first.text);
  });

  test('a bad request fails loudly with the server message, without retries', async () => {
    const engine = createOpenAIEngine({ baseUrl: served.url, model: 'tiny', initialBackoffMs: 1 });
    // The engine trusts its caller (createSampler validates); the server must still refuse.
    await expect(engine.generate([{ prompt: 'x' }], { ...DEFAULT_SAMPLING_PARAMS, temperature: -1 })).rejects.toThrow(
      /answered 400: sampling params: temperature = -1 is invalid/,
    );
  });

  test('a proxy that answers 429 first, then kills a connection mid-request, is ridden out', async () => {
    let calls = 0;
    const target = new URL(served.url);
    const proxy = createServer((req, res) => {
      calls++;
      if (calls === 1) {
        res.writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' });
        res.end('{"error":{"message":"rate limited"}}');
        return;
      }
      if (calls === 2) {
        req.socket.destroy();
        return;
      }
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const engine = createOpenAIEngine({ baseUrl: url, model: 'tiny', initialBackoffMs: 1, maxBackoffMs: 10 });
      const sampler = createSampler(engine);
      const [[done]] = (await sampler.generate([{ prompt: 'ok' }], { maxNewTokens: 10 })) as [[Completion]];
      expect(done.text).toMatch(/^ko#0#/);
      expect(calls).toBe(3);
    } finally {
      await new Promise((r) => proxy.close(r));
    }
  });
});
