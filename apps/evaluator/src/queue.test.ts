/**
 * `r1-eval run --queue` and `r1-eval worker` end to end against a real redis-server (started here on a free port,
 * persistence off, stopped afterwards), with real processes killed with -9: a worker mid-job, and the coordinator.
 * Each time every (problem, sample) must be in results.jsonl exactly once and the records must equal a local run's.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@r1/model';
import { connectRedis } from '@r1/queue';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { redisUnavailable, startRedis, type TestRedis } from '../../../packages/queue/src/test-utils/redis-server';
import { completeJsonlLines, until } from '../../../packages/queue/src/test-utils/wait';
import { main } from './main';
import { captureIo, cli } from './test-utils/capture-io';
import { CLI, spawnTs, tinyCheckpoint } from './test-utils/tiny-checkpoint';

const unavailable = redisUnavailable();
if (unavailable !== null) console.warn(`skipping the queue tests of r1-eval: ${unavailable}`);

const PROBLEMS = 8;
const K = 4;
const work = mkdtempSync(join(tmpdir(), 'r1-eval-queue-'));
let ckpt = '';
let redis: TestRedis;
let reference = '';

const runArgs = (out: string, ...extra: string[]) => [
  'run',
  '--model',
  ckpt,
  '--backend',
  'cpu',
  '--benchmark',
  'arithmetic',
  '--limit',
  String(PROBLEMS),
  '--k',
  String(K),
  '--batch',
  '2',
  '--max-tokens',
  '32',
  '--template',
  'raw',
  '--out',
  out,
  ...extra,
];

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | string | null>;
}

function spawnCli(args: readonly string[]): Proc {
  const child = spawnTs(CLI, args);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  return { child, output: () => output, exited };
}

const QUEUE = 'q';
const worker = () =>
  spawnCli([
    'worker',
    '--queue',
    redis.url,
    '--queue-name',
    QUEUE,
    '--model',
    ckpt,
    '--backend',
    'cpu',
    '--lock-seconds',
    '1',
  ]);

const lines = (out: string) => completeJsonlLines(join(out, 'results.jsonl'));
const sortedRecords = (out: string) =>
  lines(out)
    .map((l) => JSON.parse(l) as { key: string; problemId: string; sampleIndex: number })
    .sort((a, b) => a.key.localeCompare(b.key));
const summary = (dir: string) => ({ ...JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')), wallSeconds: 0 });

function expectSameAsLocal(out: string): void {
  const records = sortedRecords(out);
  expect(records).toHaveLength(PROBLEMS * K);
  expect(new Set(records.map((r) => `${r.problemId}#${r.sampleIndex}`)).size).toBe(PROBLEMS * K);
  expect(records).toEqual(sortedRecords(reference));
  expect(summary(out)).toEqual(summary(reference));
}

async function stopAll(procs: readonly Proc[]): Promise<void> {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  await Promise.all(procs.map((p) => p.exited));
}

beforeAll(async () => {
  if (unavailable === null) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

describe.skipIf(unavailable !== null)('r1-eval run --queue with r1-eval worker', () => {
  const workers: Proc[] = [];
  const queueArgs = () => ['--queue', redis.url, '--queue-name', QUEUE];
  beforeAll(async () => {
    await initBackend('cpu', { log: () => {} });
    ckpt = await tinyCheckpoint(11);
    workers.push(worker(), worker(), worker());
    reference = join(work, 'reference');
    expect((await cli(...runArgs(reference))).code).toBe(0);
  });
  afterAll(async () => {
    await stopAll(workers);
  });

  test('3 workers, one killed with -9 mid-job: every sample once, the records of a local run', async () => {
    const out = join(work, 'killed-worker');
    const probe = await connectRedis(redis.url);
    try {
      const coordinator = cli(...runArgs(out, ...queueArgs()));
      // Find the worker that holds the first active job (BullMQ records its name, HOST:PID) and kill it.
      let holder: Proc | undefined;
      await until('a job to be active', async () => {
        const [id] = await probe.lrange(`bull:${QUEUE}:active`, 0, 0);
        if (id === undefined) return false;
        const pid = Number((await probe.hget(`bull:${QUEUE}:${id}`, 'pb'))?.split(':').at(-1));
        holder = workers.find((w) => w.child.pid === pid);
        return holder !== undefined;
      });
      holder!.child.kill('SIGKILL');
      expect(await holder!.exited).toBe('SIGKILL');
      const stillActive = await probe.llen(`bull:${QUEUE}:active`);
      const result = await coordinator;
      expect(result.code).toBe(0);
      expectSameAsLocal(out);
      expect(result.stderr).toMatch(/queue: \d+ workers? · 8\/8 jobs · 0 failed/);
      if (stillActive > 0) {
        // The job the killed worker held was handed on by BullMQ's stalled-job check.
        const others = workers.filter((w) => w !== holder);
        await until('the stalled job to be reported', () => others.some((w) => /had stalled/.test(w.output())));
      }
    } finally {
      probe.disconnect();
    }
  });

  test('a coordinator killed with -9 and rerun takes what the workers did meanwhile', async () => {
    const out = join(work, 'killed-coordinator');
    const probe = await connectRedis(redis.url);
    try {
      // The same jobs as the test above: forget their stored results, and keep one worker.
      const stored = await probe.keys(`r1q:${QUEUE}:*`);
      if (stored.length > 0) await probe.del(...stored);
      const alive = workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
      for (const w of alive.slice(1)) w.child.kill('SIGTERM');
      await Promise.all(alive.slice(1).map((w) => w.exited));
      const coordinator = spawnCli(runArgs(out, ...queueArgs()));
      await until('two jobs in results.jsonl', () => lines(out).length >= 2 * K);
      coordinator.child.kill('SIGKILL');
      expect(await coordinator.exited).toBe('SIGKILL');
      const kept = lines(out).length;
      // The worker goes on without a coordinator: its results wait in Redis.
      await until('a job finished while no coordinator ran', async () => {
        return (await probe.xlen(`r1q:${QUEUE}:done`)) > kept / K;
      });
      const rerun = await cli(...runArgs(out, ...queueArgs()));
      expect(rerun.code).toBe(0);
      expect(rerun.stderr).toMatch(new RegExp(`${kept} samples already in`));
      const todo = Number(/(\d+) jobs \(\d+ samples\) to do/.exec(rerun.stderr)?.[1]);
      expect(todo).toBe(PROBLEMS - kept / K);
      expectSameAsLocal(out);
    } finally {
      probe.disconnect();
    }
  });
});

describe.skipIf(unavailable !== null)('a worker against an endpoint that answers 429 and 500', () => {
  let servers: Server[] = [];
  afterAll(async () => {
    for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
    servers = [];
  });

  /** A scripted completions endpoint; `failures` are the statuses of its first requests (429s with `retryAfter`). */
  async function endpoint(failures: number[], retryAfter?: string): Promise<string> {
    let n = 0;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
      });
      req.on('end', () => {
        const status = failures[n++];
        res.setHeader('content-type', 'application/json');
        if (status !== undefined) {
          res.statusCode = status;
          if (status === 429 && retryAfter !== undefined) res.setHeader('retry-after', retryAfter);
          res.end(JSON.stringify({ error: { message: `scripted ${status}` } }));
          return;
        }
        const json = JSON.parse(body) as { n?: number; prompt: string };
        const answer = String(json.prompt).length % 7;
        const choices = Array.from({ length: json.n ?? 1 }, (_, index) => ({
          index,
          text: `The answer is ${answer}`,
          finish_reason: 'stop',
        }));
        res.end(JSON.stringify({ choices }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  }

  const endpointArgs = (url: string, out: string, ...extra: string[]) => [
    'run',
    '--endpoint',
    url,
    '--api-model',
    'scripted',
    '--benchmark',
    'arithmetic',
    '--limit',
    '3',
    '--k',
    '2',
    '--template',
    'raw',
    '--out',
    out,
    ...extra,
  ];

  test('429s pause the queue without using attempts, a 500 is retried: the records of a local run', async () => {
    const url = await endpoint([429, 429, 429, 500]);
    const local = join(work, 'endpoint-local');
    // The same scripted model on a second server without failures, for the local reference.
    const clean = await endpoint([]);
    expect((await cli(...endpointArgs(clean, local))).code).toBe(0);

    const out = join(work, 'endpoint-queued');
    const queue = ['--queue', redis.url, '--queue-name', 'endpoint'];
    // One retry per job: the job that meets the 500 succeeds only if the three 429s used no attempt.
    const running = cli(...endpointArgs(url, out, ...queue, '--max-retries', '1'));
    const probe = await connectRedis(redis.url);
    await until('the jobs to be queued', async () => (await probe.llen('bull:endpoint:wait')) > 0);
    probe.disconnect();
    const workerIo = captureIo();
    const workerDone = main(
      ['worker', ...queue, '--endpoint', url, '--api-model', 'scripted', '--concurrency', '1', '--exit-when-idle', '1'],
      workerIo,
    );
    const coordinator = await running;
    expect(coordinator.stderr).not.toMatch(/error|failed for good/);
    expect(coordinator.code).toBe(0);
    expect(await workerDone).toBe(0);
    const log = workerIo.err.join('');
    expect(log.match(/worker: rate-limited/g)).toHaveLength(3);
    expect(log).toMatch(/failed \(.*500.*\); it will be retried/);
    expect(coordinator.stderr).toMatch(/1 retried/);
    // The two servers' URLs differ, and with them model ids and keys; everything else must be equal.
    const endpointIdless = (dir: string) =>
      sortedRecords(dir)
        .map((r) => ({ ...r, key: undefined, modelId: undefined }))
        .sort((a, b) => a.problemId.localeCompare(b.problemId) || a.sampleIndex - b.sampleIndex);
    expect(endpointIdless(out)).toEqual(endpointIdless(local));
  });

  test('a fleet: the coordinator names two servers, one worker per server, the records of a local run over both', async () => {
    const [a, b] = [await endpoint([]), await endpoint([])];
    const fleet = (out: string, ...extra: string[]) => endpointArgs(a, out, '--endpoint', b, '--limit', '6', ...extra);
    const local = join(work, 'fleet-local');
    expect((await cli(...fleet(local))).code).toBe(0);
    const out = join(work, 'fleet-queued');
    const queue = ['--queue', redis.url, '--queue-name', 'fleet'];
    const running = cli(...fleet(out, ...queue));
    const probe = await connectRedis(redis.url);
    await until('the jobs to be queued', async () => (await probe.llen('bull:fleet:wait')) > 0);
    probe.disconnect();
    const ios = [captureIo(), captureIo()];
    const workers = [a, b].map((url, i) =>
      main(
        [
          'worker',
          ...queue,
          '--endpoint',
          url,
          '--api-model',
          'scripted',
          '--concurrency',
          '1',
          '--exit-when-idle',
          '1',
        ],
        ios[i]!,
      ),
    );
    expect((await running).code).toBe(0);
    expect(await Promise.all(workers)).toEqual([0, 0]);
    // Both servers' workers took jobs, and the records (keys and model ids included) are the local run's.
    for (const io of ios) expect(Number(/stopped; (\d+) jobs done/.exec(io.err.join(''))?.[1] ?? 0)).toBeGreaterThan(0);
    expect(sortedRecords(out)).toEqual(sortedRecords(local));
    // A server outside the fleet is refused.
    const c = await endpoint([]);
    const stray = captureIo();
    const again = cli(...fleet(join(work, 'fleet-stray'), '--queue', redis.url, '--queue-name', 'fleet-stray'));
    const probe2 = await connectRedis(redis.url);
    await until('the jobs to be queued', async () => (await probe2.llen('bull:fleet-stray:wait')) > 0);
    probe2.disconnect();
    const strayWorker = (url: string, io: ReturnType<typeof captureIo>) =>
      main(
        [
          'worker',
          '--queue',
          redis.url,
          '--queue-name',
          'fleet-stray',
          '--endpoint',
          url,
          '--api-model',
          'scripted',
        ].concat(['--exit-when-idle', '1']),
        io,
      );
    expect(await strayWorker(c, stray)).not.toBe(0);
    expect(stray.err.join('')).toMatch(
      /this worker serves scripted@http:\/\/127\.0\.0\.1:\d+\/v1 but the queue's jobs are for scripted@/,
    );
    // Finish the stray run with a member of its fleet.
    expect(await strayWorker(a, captureIo())).toBe(0);
    expect((await again).code).toBe(0);
  });

  test('a fleet whose servers serve different models is refused before anything runs', async () => {
    const lister = async (id: string) => {
      const server = createServer((_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ object: 'list', data: [{ id, object: 'model' }] }));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      servers.push(server);
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    };
    const [a, b] = [await lister('policy-a'), await lister('policy-b')];
    const r = await cli(
      'run',
      '--endpoint',
      a,
      '--endpoint',
      b,
      '--benchmark',
      'arithmetic',
      '--out',
      join(work, 'mixed'),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--endpoint http:\/\/127\.0\.0\.1:\d+\/v1 does not serve policy-a \(it lists policy-b\)/);
  });

  test("a 429's Retry-After is the pause the endpoint's workers take", async () => {
    const url = await endpoint([429], '1');
    const out = join(work, 'endpoint-retry-after');
    const queue = ['--queue', redis.url, '--queue-name', 'retry-after'];
    const running = cli(...endpointArgs(url, out, ...queue, '--max-retries', '0'));
    const probe = await connectRedis(redis.url);
    await until('the jobs to be queued', async () => (await probe.llen('bull:retry-after:wait')) > 0);
    probe.disconnect();
    const workerIo = captureIo();
    const workerDone = main(
      ['worker', ...queue, '--endpoint', url, '--api-model', 'scripted', '--concurrency', '1', '--exit-when-idle', '1'],
      workerIo,
    );
    expect((await running).code).toBe(0);
    expect(await workerDone).toBe(0);
    // Retry-After: 1 → 1000 ms, not the 250 ms the worker takes when the server names no wait.
    expect(workerIo.err.join('')).toMatch(/worker: rate-limited \(.*429.*\); .*pause 1000 ms/);
  });
});

describe('queue flags', () => {
  test.each([
    [['--queue', 'localhost:6379'], /--queue must be a Redis URL/],
    [['--queue', 'redis://h:6379/0', '--queue-name', 'a:b'], /--queue-name must be letters/],
    [['--queue-name', 'x'], /--queue-name applies with --queue URL only/],
  ])('run %j is a usage error', async (extra, why) => {
    const r = await cli(
      'run',
      '--endpoint',
      'http://127.0.0.1:9/v1',
      '--benchmark',
      'arithmetic',
      '--out',
      'o',
      ...extra,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(why);
  });

  test.each([
    [[], /--queue redis:\/\/HOST:PORT\/DB is required/],
    [['--queue', 'redis://h/0'], /give exactly one of --model DIR and --endpoint URL/],
    [['--queue', 'redis://h/0', '--model', 'm', '--rate-limit', 'fast'], /--rate-limit takes MAX\/SECONDS/],
    [['--queue', 'redis://h/0', '--model', 'm', '--concurrency', '0'], /--concurrency takes an integer > 0/],
    [['--queue', 'redis://h/0', '--model', 'm', '--api-model', 'x'], /--api-model applies to --endpoint only/],
  ])('worker %j is a usage error', async (args, why) => {
    const r = await cli('worker', ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(why);
  });

  test.skipIf(unavailable !== null)(
    'an unreachable Redis stops the coordinator before anything is written',
    async () => {
      const gone = await startRedis();
      await gone.stop();
      const out = join(work, 'unreachable');
      const r = await cli(
        'run',
        '--endpoint',
        'http://127.0.0.1:9/v1',
        '--api-model',
        'm',
        '--benchmark',
        'arithmetic',
        '--limit',
        '2',
        '--out',
        out,
        '--queue',
        gone.url,
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`cannot reach Redis at 127\\.0\\.0\\.1:${gone.port}/0`));
    },
  );
});
