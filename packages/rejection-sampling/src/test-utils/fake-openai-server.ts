/**
 * A fake OpenAI-compatible server on 127.0.0.1 for tests and benchmarks: POST /v1/completions and
 * /v1/chat/completions answer `n` choices whose text depends only on (seed, prompt, choice index), after an optional
 * latency; every `failEvery`-th request fails with a 500 (or 429), so clients must retry. It counts requests and the
 * most in flight at once.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeServerOptions {
  latencyMs?: number;
  /** Fail request number i (1-based) when i % failEvery === 0. 0 = never. */
  failEvery?: number;
  /** Answer (the completion text) for a prompt and a seed. */
  complete: (prompt: string, seed: number) => string;
}

export interface FakeServer {
  url: string;
  requests: number;
  failures: number;
  maxInFlight: number;
  close(): Promise<void>;
}

export async function startFakeServer(options: FakeServerOptions): Promise<FakeServer> {
  let inFlight = 0;
  const state = { requests: 0, failures: 0, maxInFlight: 0 };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      state.requests++;
      const number = state.requests;
      inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        if (options.failEvery && number % options.failEvery === 0) {
          state.failures++;
          res.writeHead(number % 2 === 0 ? 500 : 429, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: 'injected failure' } }));
          return;
        }
        const json = JSON.parse(body) as { n?: number; seed?: number; prompt?: string; messages?: unknown };
        const chat = req.url?.includes('chat') ?? false;
        const prompt = chat ? JSON.stringify(json.messages) : String(json.prompt);
        const choices = Array.from({ length: json.n ?? 1 }, (_, index) => {
          const text = options.complete(prompt, (json.seed ?? 0) + index);
          return chat
            ? { index, message: { role: 'assistant', content: text }, finish_reason: 'stop' }
            : { index, text, finish_reason: 'stop' };
        });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ choices, usage: { prompt_tokens: 5 } }));
      }, options.latencyMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    get requests() {
      return state.requests;
    },
    get failures() {
      return state.failures;
    },
    get maxInFlight() {
      return state.maxInFlight;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
