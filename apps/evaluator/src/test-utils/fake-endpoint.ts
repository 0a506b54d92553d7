/**
 * A scripted OpenAI-compatible server on 127.0.0.1 for end-to-end tests of `r1-eval run`: /v1/models lists one
 * model, and /v1/chat/completions and /v1/completions answer `n` choices with `complete(prompt)` (the prompt, or the
 * messages as JSON), so a test decides exactly what "the model" writes for each problem.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeEndpoint {
  url: string;
  /** Completion requests answered so far. */
  readonly requests: number;
  close(): Promise<void>;
}

export async function startFakeEndpoint(complete: (prompt: string) => string): Promise<FakeEndpoint> {
  let requests = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'GET' && req.url?.endsWith('/models')) {
        res.end(JSON.stringify({ object: 'list', data: [{ id: 'scripted', object: 'model' }] }));
        return;
      }
      requests++;
      const json = JSON.parse(body) as { n?: number; prompt?: string; messages?: unknown };
      const chat = req.url?.includes('chat') ?? false;
      const text = complete(chat ? JSON.stringify(json.messages) : String(json.prompt));
      const choices = Array.from({ length: json.n ?? 1 }, (_, index) =>
        chat
          ? { index, message: { role: 'assistant', content: text }, finish_reason: 'stop' }
          : { index, text, finish_reason: 'stop' },
      );
      res.end(JSON.stringify({ choices, usage: { prompt_tokens: 5 } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    get requests() {
      return requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
