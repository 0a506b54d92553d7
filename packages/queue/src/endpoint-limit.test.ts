/**
 * Rate limits per endpoint against a real redis-server and two real HTTP endpoints (node http on free ports): one
 * queue, workers of endpoint A and of endpoint B. A 429 from A (with Retry-After) must hold off A's workers only —
 * every one of them, through Redis — while jobs keep flowing to B, and no attempt may be used (each job gets one).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCoordinator } from './coordinator';
import { RateLimited } from './errors';
import { jobId } from './job-id';
import { redisUnavailable, startRedis, type TestRedis } from './test-utils/redis-server';
import { type QueueWorker, startWorker } from './worker';

const unavailable = redisUnavailable();
if (unavailable !== null) console.warn(`skipping the per-endpoint rate-limit tests of @r1/queue: ${unavailable}`);

interface Endpoint {
  url: string;
  /** Arrival time (ms) of every request, and of the 429s. */
  requests: number[];
  limited: number[];
  close(): Promise<void>;
}

/** An endpoint that answers after `delayMs`; its first `tooMany` requests get 429 with `Retry-After: retryAfter`. */
async function endpoint(delayMs: number, tooMany = 0, retryAfter = 1): Promise<Endpoint> {
  const requests: number[] = [];
  const limited: number[] = [];
  const server: Server = createServer((_req, res) => {
    requests.push(Date.now());
    if (limited.length < tooMany) {
      limited.push(Date.now());
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(retryAfter) });
      res.end(JSON.stringify({ error: { message: 'rate limit reached' } }));
      return;
    }
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true }));
    }, delayMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    limited,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

interface Done {
  endpoint: string;
  attemptsMade: number;
}

/** What r1-eval's worker does with an endpoint: a 429 becomes RateLimited with the server's Retry-After. */
const callEndpoint = (url: string) => async (_data: { i: number }, job: { attemptsMade: number }) => {
  const response = await fetch(url);
  await response.text();
  if (response.status === 429) {
    throw new RateLimited('429 from the endpoint', Number(response.headers.get('retry-after') ?? 1) * 1000);
  }
  if (!response.ok) throw new Error(`the endpoint answered ${response.status}`);
  return { endpoint: url, attemptsMade: job.attemptsMade };
};

const inWindow = (times: readonly number[], from: number, to: number) => times.filter((t) => t > from && t < to);

let redis: TestRedis;
let queueCount = 0;
const freshQueue = () => `endpoint-${process.pid}-${++queueCount}`;
const fast = { lockDurationMs: 2000, stalledIntervalMs: 1000 };

/** `count` jobs through a coordinator with one attempt each (a 429 that used an attempt fails its job for good). */
async function coordinate(queueName: string, test: string, count: number) {
  const jobs = Array.from({ length: count }, (_, i) => ({ id: jobId({ test, i }), data: { i } }));
  const results: Done[] = [];
  const report = await runCoordinator<{ i: number }, Done>({
    url: redis.url,
    queueName,
    jobs,
    attempts: 1,
    progressIntervalMs: 100,
    onResult: (_id, value) => {
      results.push(value);
    },
  });
  return { report, results };
}

describe.skipIf(unavailable !== null)('per-endpoint rate limits on a real Redis', () => {
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  test('a 429 from endpoint A holds off every worker of A, jobs keep flowing to B, and no attempt is used', async () => {
    const a = await endpoint(20, 1, 1);
    const b = await endpoint(100);
    const queueName = freshQueue();
    const workers: QueueWorker[] = [];
    try {
      for (const [name, e] of [
        ['a1', a],
        ['a2', a],
        ['b1', b],
      ] as const) {
        workers.push(
          await startWorker<{ i: number }, Done>({
            url: redis.url,
            queueName,
            name,
            endpoint: e.url,
            process: callEndpoint(e.url),
            ...fast,
          }),
        );
      }
      const { report, results } = await coordinate(queueName, 'endpoint 429', 40);
      expect(report).toMatchObject({ jobs: 40, done: 40, retried: 0 });
      expect(results.every((r) => r.attemptsMade === 0)).toBe(true);
      expect(a.limited).toHaveLength(1);
      const t429 = a.limited[0]!;
      // Nothing reached A during its pause but a request already on its way when the 429 was answered.
      expect(inWindow(a.requests, t429 + 100, t429 + 950)).toEqual([]);
      // A's workers came back after the pause and took jobs again.
      expect(inWindow(a.requests, t429 + 950, Number.POSITIVE_INFINITY).length).toBeGreaterThan(0);
      // B was not slowed: it kept taking jobs at its own pace (100 ms each) through A's pause.
      expect(inWindow(b.requests, t429, t429 + 1000).length).toBeGreaterThanOrEqual(6);
      const [a1, a2, b1] = workers;
      expect(a1!.stats.rateLimited + a2!.stats.rateLimited).toBe(1);
      expect(b1!.stats).toMatchObject({ rateLimited: 0, endpointWaits: 0 });
      expect(results.filter((r) => r.endpoint === b.url).length).toBe(b.requests.length);
      expect(results.filter((r) => r.endpoint === a.url).length).toBe(a.requests.length - 1);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
      await a.close();
      await b.close();
    }
  });

  test("a static limit per endpoint is shared by that endpoint's workers and counts nothing of the other's", async () => {
    const a = await endpoint(10);
    const b = await endpoint(10);
    const queueName = freshQueue();
    const workers: QueueWorker[] = [];
    try {
      for (const e of [a, a, b, b]) {
        workers.push(
          await startWorker<{ i: number }, Done>({
            url: redis.url,
            queueName,
            concurrency: 2,
            endpoint: e.url,
            process: callEndpoint(e.url),
            limiter: { max: 2, durationMs: 500 },
            ...fast,
          }),
        );
      }
      const { results } = await coordinate(queueName, 'endpoint limit', 12);
      expect(results).toHaveLength(12);
      expect(results.every((r) => r.attemptsMade === 0)).toBe(true);
      for (const e of [a, b]) {
        expect(e.requests.length).toBeGreaterThan(2);
        // At most 2 starts per 500 ms over both workers of the endpoint (a little slack for the trip to the server).
        for (let i = 0; i + 2 < e.requests.length; i++) {
          expect(e.requests[i + 2]! - e.requests[i]!).toBeGreaterThanOrEqual(450);
        }
      }
      // The endpoints' windows are their own: some 450 ms saw more than 2 starts over both (one limit for the two
      // would have allowed 2).
      const all = [...a.requests, ...b.requests].sort((x, y) => x - y);
      const busiest = Math.max(...all.map((t) => inWindow(all, t - 1, t + 450).length));
      expect(busiest).toBeGreaterThanOrEqual(3);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
      await a.close();
      await b.close();
    }
  });

  test('without an endpoint a 429 holds off every worker of the queue for its Retry-After, using no attempt', async () => {
    const e = await endpoint(20, 1, 1);
    const queueName = freshQueue();
    const workers: QueueWorker[] = [];
    try {
      for (let w = 0; w < 2; w++) {
        workers.push(
          await startWorker<{ i: number }, Done>({ url: redis.url, queueName, process: callEndpoint(e.url), ...fast }),
        );
      }
      const { results } = await coordinate(queueName, 'queue 429', 10);
      expect(results).toHaveLength(10);
      expect(results.every((r) => r.attemptsMade === 0)).toBe(true);
      const t429 = e.limited[0]!;
      expect(inWindow(e.requests, t429 + 100, t429 + 950)).toEqual([]);
      expect(workers[0]!.stats.rateLimited + workers[1]!.stats.rateLimited).toBe(1);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
      await e.close();
    }
  });
});
