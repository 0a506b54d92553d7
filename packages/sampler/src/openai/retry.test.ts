import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import {
  backoffMs,
  DEFAULT_RETRY_OPTIONS,
  EndpointError,
  mapWithConcurrency,
  parseRetryAfter,
  postJsonWithRetry,
} from './retry';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A loopback server whose behaviour per call is scripted. */
async function scripted(
  handlers: ((req: IncomingMessage, res: ServerResponse) => void)[],
): Promise<{ url: string; calls: () => number }> {
  let calls = 0;
  const server = createServer((req, res) => {
    const h = handlers[Math.min(calls, handlers.length - 1)]!;
    calls++;
    req.resume();
    req.on('end', () => h(req, res));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, calls: () => calls };
}

const ok = (_: IncomingMessage, res: ServerResponse) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ ok: true }));
};
const fast = {
  ...DEFAULT_RETRY_OPTIONS,
  initialBackoffMs: 1,
  maxBackoffMs: 20,
  maxRetries: 3,
  timeoutMs: 2000,
  headers: {},
  fetch,
};

describe('postJsonWithRetry', () => {
  test('429 with Retry-After, then success', async () => {
    const s = await scripted([
      (_, res) => {
        res.statusCode = 429;
        res.setHeader('retry-after', '0');
        res.end('{"error":{"message":"slow down"}}');
      },
      ok,
    ]);
    await expect(postJsonWithRetry('/x', {}, { ...fast, nextBaseUrl: () => s.url })).resolves.toEqual({ ok: true });
    expect(s.calls()).toBe(2);
  });

  test("the last answer's Retry-After reaches the caller on the error (a queue's limiter can honour it)", async () => {
    const s = await scripted([
      (_, res) => {
        res.statusCode = 429;
        res.setHeader('retry-after', '0.002');
        res.end('{"error":{"message":"slow down"}}');
      },
    ]);
    const error: unknown = await postJsonWithRetry(
      '/x',
      {},
      { ...fast, maxRetries: 1, nextBaseUrl: () => s.url },
    ).catch((e: unknown) => e);
    if (!(error instanceof EndpointError)) throw new Error(`expected an EndpointError, got ${String(error)}`);
    expect([error.status, error.retryAfterMs]).toEqual([429, 2]);
  });

  test('a server that dies mid-request is retried', async () => {
    const s = await scripted([(req) => req.socket.destroy(), ok]);
    await expect(postJsonWithRetry('/x', {}, { ...fast, nextBaseUrl: () => s.url })).resolves.toEqual({ ok: true });
  });

  test('400 fails at once with the server message', async () => {
    const s = await scripted([
      (_, res) => {
        res.statusCode = 400;
        res.end('{"error":{"message":"max_tokens must be positive"}}');
      },
    ]);
    await expect(postJsonWithRetry('/x', {}, { ...fast, nextBaseUrl: () => s.url })).rejects.toThrow(
      /answered 400: max_tokens must be positive/,
    );
    expect(s.calls()).toBe(1);
  });

  test('persistent 503 fails loudly after the last retry', async () => {
    const s = await scripted([
      (_, res) => {
        res.statusCode = 503;
        res.end('overloaded');
      },
    ]);
    await expect(postJsonWithRetry('/x', {}, { ...fast, nextBaseUrl: () => s.url })).rejects.toThrow(
      /503: overloaded — gave up after 4 attempts/,
    );
    expect(s.calls()).toBe(4);
  });

  test('unreachable endpoint names the URL', async () => {
    const s = await scripted([ok]);
    await new Promise((r) => servers.pop()!.close(r));
    await expect(postJsonWithRetry('/x', {}, { ...fast, maxRetries: 1, nextBaseUrl: () => s.url })).rejects.toThrow(
      /request to http:\/\/127.0.0.1:\d+\/x failed \(ECONNREFUSED\) — gave up after 2 attempts/,
    );
  });

  test('per-attempt timeout', async () => {
    const s = await scripted([() => {}]);
    await expect(
      postJsonWithRetry('/x', {}, { ...fast, maxRetries: 0, timeoutMs: 100, nextBaseUrl: () => s.url }),
    ).rejects.toThrow(/timed out after 100 ms/);
  });

  test('round-robin: a retry goes to the next base URL', async () => {
    const bad = await scripted([
      (_, res) => {
        res.statusCode = 502;
        res.end('bad gateway');
      },
    ]);
    const good = await scripted([ok]);
    const urls = [bad.url, good.url];
    let i = 0;
    await expect(postJsonWithRetry('/x', {}, { ...fast, nextBaseUrl: () => urls[i++ % 2]! })).resolves.toEqual({
      ok: true,
    });
    expect([bad.calls(), good.calls()]).toEqual([1, 1]);
  });
});

describe('helpers', () => {
  test.each([
    ['3', 3000],
    ['0', 0],
    [null, null],
    ['soon', null],
  ])('parseRetryAfter(%j)', (v, ms) => expect(parseRetryAfter(v)).toBe(ms));
  test('parseRetryAfter reads HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
  });
  test('backoff doubles, is capped and jittered into [½, 1]', () => {
    const o = { ...DEFAULT_RETRY_OPTIONS, initialBackoffMs: 100, maxBackoffMs: 1000 };
    expect(backoffMs(0, o, () => 1)).toBe(100);
    expect(backoffMs(2, o, () => 1)).toBe(400);
    expect(backoffMs(10, o, () => 1)).toBe(1000);
    expect(backoffMs(2, o, () => 0)).toBe(200);
  });
  test('mapWithConcurrency keeps order and never exceeds the limit', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapWithConcurrency([5, 1, 4, 2, 3], 2, async (x) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, x));
      inFlight--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });
});
