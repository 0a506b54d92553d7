/**
 * The queue against a real redis-server (started here on a free port, persistence off, stopped afterwards):
 * coordinator and workers in this process, talking only through Redis.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectRedis, QueueConnectionError } from './connect';
import { QueueJobsFailed, runCoordinator } from './coordinator';
import { RateLimited, Unprocessable } from './errors';
import { jobId } from './job-id';
import { resultKeys, storeResult } from './results';
import { redisUnavailable, startRedis, type TestRedis } from './test-utils/redis-server';
import { startWorker } from './worker';

const unavailable = redisUnavailable();
if (unavailable !== null) console.warn(`skipping the Redis tests of @r1/queue: ${unavailable}`);

let redis: TestRedis;
let queueCount = 0;
const freshQueue = () => `test-${process.pid}-${++queueCount}`;
const jobsOf = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => ({ id: jobId({ tag, i }), data: { i } }));
const fast = { lockDurationMs: 1000, stalledIntervalMs: 500 };

describe.skipIf(unavailable !== null)('@r1/queue on a real Redis', () => {
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  test('every job is processed and delivered once, across two workers', async () => {
    const queueName = freshQueue();
    const seen = new Map<string, number>();
    const workers = await Promise.all(
      ['a', 'b'].map((name) =>
        startWorker<{ i: number }, number>({
          url: redis.url,
          queueName,
          name,
          concurrency: 3,
          process: async ({ i }) => i * i,
          ...fast,
        }),
      ),
    );
    const jobs = jobsOf(40, 'square');
    const progress: number[] = [];
    const report = await runCoordinator<{ i: number }, number>({
      url: redis.url,
      queueName,
      jobs,
      onResult: (id, value) => {
        seen.set(id, (seen.get(id) ?? 0) + 1);
        expect(value).toBe(jobs.find((j) => j.id === id)!.data.i ** 2);
      },
      onProgress: (p) => progress.push(p.done),
      progressIntervalMs: 100,
    });
    await Promise.all(workers.map((w) => w.close()));
    expect(seen.size).toBe(40);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(report).toMatchObject({ jobs: 40, done: 40, doneAtStart: 0, retried: 0 });
    expect(report.workersSeen).toBeGreaterThanOrEqual(1);
    expect(progress.at(-1)).toBe(40);
    expect(workers[0]!.stats.completed + workers[1]!.stats.completed).toBe(40);
  });

  test('a duplicate delivery writes once: the first result for a job id wins', async () => {
    const queueName = freshQueue();
    const conn = await connectRedis(redis.url);
    const keys = resultKeys(queueName);
    const id = jobId('dup');
    const envelope = (value: string) => ({ value, worker: 'w', attemptsMade: 0 });
    expect(await storeResult(conn, keys, id, envelope('first'), 60)).toBe(true);
    expect(await storeResult(conn, keys, id, envelope('second'), 60)).toBe(false);
    expect(await conn.xlen(keys.done)).toBe(1);
    expect(JSON.parse((await conn.get(`${keys.resultPrefix}${id}`))!).value).toBe('first');

    // The same job delivered to a worker again (enqueued anew after it completed and was removed): it is not
    // processed, and the coordinator receives the one stored result once.
    let processed = 0;
    const worker = await startWorker<{ i: number }, string>({
      url: redis.url,
      queueName,
      process: async () => {
        processed++;
        return 'again';
      },
      ...fast,
    });
    const queue = new Queue(queueName, { connection: { host: '127.0.0.1', port: redis.port } });
    await queue.add('job', { i: 0 }, { jobId: id, removeOnComplete: true });
    const results: string[] = [];
    await runCoordinator<{ i: number }, string>({
      url: redis.url,
      queueName,
      jobs: [{ id, data: { i: 0 } }],
      onResult: (_id, v) => {
        results.push(v);
      },
    });
    await new Promise((r) => setTimeout(r, 300));
    await worker.close();
    await queue.close();
    expect(results).toEqual(['first']);
    expect(processed).toBe(0);
    expect(worker.stats.duplicates).toBe(1);
    expect(await conn.xlen(keys.done)).toBe(1);
    conn.disconnect();
  });

  test('a coordinator stopped mid-run and rerun takes stored results and enqueues nothing twice', async () => {
    const queueName = freshQueue();
    const jobs = jobsOf(12, 'resume');
    const processed = new Map<number, number>();
    let gate: () => void = () => {};
    let released = false;
    const worker = await startWorker<{ i: number }, number>({
      url: redis.url,
      queueName,
      process: async ({ i }) => {
        processed.set(i, (processed.get(i) ?? 0) + 1);
        if (i >= 6 && !released) await new Promise<void>((r) => (gate = r));
        return i;
      },
      ...fast,
    });
    const first: number[] = [];
    const stop = new AbortController();
    const firstRun = runCoordinator<{ i: number }, number>({
      url: redis.url,
      queueName,
      jobs,
      signal: stop.signal,
      progressIntervalMs: 50,
      onResult: (_id, v) => {
        first.push(v);
        if (first.length === 4) stop.abort();
      },
    });
    await expect(firstRun).rejects.toThrow(/stopped/);
    // The worker goes on while no coordinator listens; its results wait in Redis.
    released = true;
    gate();
    const second: number[] = [];
    const report = await runCoordinator<{ i: number }, number>({
      url: redis.url,
      queueName,
      jobs: jobs.filter((j) => !first.includes(j.data.i)),
      onResult: (_id, v) => {
        second.push(v);
      },
    });
    await worker.close();
    expect([...first, ...second].sort((a, b) => a - b)).toEqual(jobs.map((j) => j.data.i));
    expect(report.done).toBe(12 - first.length);
    expect([...processed.values()].every((n) => n === 1)).toBe(true);
  });

  test('429s go through the limiter without using attempts; 500s are retried with backoff', async () => {
    // The endpoint: 429, 429, 429, 500, then 200. With 2 attempts the job succeeds only if the 429s are free.
    const statuses = [429, 429, 429, 500];
    let requests = 0;
    const server: Server = createServer((_req, res) => {
      const status = statuses[requests++] ?? 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 200 ? { ok: true } : { error: { message: `status ${status}` } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const queueName = freshQueue();
    const attemptsSeen: number[] = [];
    const worker = await startWorker<{ i: number }, boolean>({
      url: redis.url,
      queueName,
      process: async (_data, job) => {
        attemptsSeen.push(job.attemptsMade);
        const response = await fetch(url);
        if (response.status === 429) throw new RateLimited('429 from the endpoint', 50);
        if (!response.ok) throw new Error(`the endpoint answered ${response.status}`);
        return true;
      },
      ...fast,
    });
    const progress: { retried: number }[] = [];
    const report = await runCoordinator<{ i: number }, boolean>({
      url: redis.url,
      queueName,
      jobs: jobsOf(1, 'limited'),
      attempts: 2,
      backoffMs: 50,
      progressIntervalMs: 50,
      onResult: () => {},
      onProgress: (p) => progress.push(p),
    });
    await worker.close();
    await new Promise<void>((r) => server.close(() => r()));
    expect(requests).toBe(5);
    expect(worker.stats.rateLimited).toBe(3);
    expect(attemptsSeen).toEqual([0, 0, 0, 0, 1]);
    expect(report).toMatchObject({ done: 1, retried: 1 });
  });

  test('a job that cannot succeed fails for good, the others complete, and a rerun retries it', async () => {
    const queueName = freshQueue();
    let broken = true;
    const worker = await startWorker<{ i: number }, number>({
      url: redis.url,
      queueName,
      process: async ({ i }) => {
        if (i === 2 && broken) throw new Unprocessable('problem 2 cannot be served');
        return i;
      },
      ...fast,
    });
    const jobs = jobsOf(4, 'unprocessable');
    const got: number[] = [];
    const run = () =>
      runCoordinator<{ i: number }, number>({
        url: redis.url,
        queueName,
        jobs: jobs.filter((j) => !got.includes(j.data.i)),
        attempts: 5,
        progressIntervalMs: 50,
        onResult: (_id, v) => {
          got.push(v);
        },
      });
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueJobsFailed);
    expect((error as QueueJobsFailed).failed).toEqual([{ id: jobs[2]!.id, reason: 'problem 2 cannot be served' }]);
    expect(got.sort()).toEqual([0, 1, 3]);
    broken = false;
    await run();
    await worker.close();
    expect(got.sort()).toEqual([0, 1, 2, 3]);
  });

  test('a Redis that evicts keys is refused with the fix', async () => {
    const lru = await startRedis(['--maxmemory-policy', 'allkeys-lru']);
    try {
      const error = await connectRedis(lru.url).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QueueConnectionError);
      expect((error as Error).message).toMatch(/maxmemory-policy allkeys-lru; BullMQ requires noeviction/);
      expect((error as Error).message).toMatch(/CONFIG SET maxmemory-policy noeviction/);
      await expect(runCoordinator({ url: lru.url, queueName: 'x', jobs: [], onResult: () => {} })).rejects.toThrow(
        /noeviction/,
      );
    } finally {
      await lru.stop();
    }
  });

  test('an unreachable Redis is a clear error naming host and port', async () => {
    const stopped = await startRedis();
    const url = stopped.url;
    await stopped.stop();
    const error = await connectRedis(url, { timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueConnectionError);
    expect((error as Error).message).toMatch(
      new RegExp(`cannot reach Redis at 127\\.0\\.0\\.1:${stopped.port}/0 \\(ECONNREFUSED\\)`),
    );
  });
});
