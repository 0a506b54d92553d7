/**
 * `r1-train sample run --queue` with `r1-eval worker`s end to end against a real redis-server (started here on a
 * free port, persistence off, stopped afterwards), on the committed base model: the coordinator in this process or
 * a child killed with -9, the workers real processes. Each time every (problem, sample) must be in traces.jsonl
 * exactly once, and traces, data.jsonl and rejected.jsonl must equal a local `sample run`'s.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectRedis } from '@r1/queue';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { redisUnavailable, startRedis, type TestRedis } from '../../../../packages/queue/src/test-utils/redis-server';
import { completeJsonlLines, until } from '../../../../packages/queue/src/test-utils/wait';
import { sampleCommand } from '../commands/sample';

const unavailable = redisUnavailable();
if (unavailable !== null) console.warn(`skipping the queue tests of r1-train sample: ${unavailable}`);

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const BASE = join(ROOT, 'apps/trainer/checkpoints/base-arith');
const TRAINER_CLI = join(ROOT, 'apps/trainer/src/cli.ts');
const EVAL_CLI = join(ROOT, 'apps/evaluator/src/cli.ts');
const PROBLEMS = 12;
const K = 4;
const QUEUE = 'sample-test';
const work = mkdtempSync(join(tmpdir(), 'r1-sample-queue-'));
let redis: TestRedis;

const runArgs = (out: string, ...extra: string[]) => [
  'run',
  '--model',
  BASE,
  '--task',
  'arithmetic',
  '--count',
  String(PROBLEMS),
  '--k',
  String(K),
  '--max-tokens',
  '64',
  '--concurrency',
  '4',
  '--rejected',
  '--out',
  out,
  ...extra,
];

async function sample(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await sampleCommand(argv, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    env: {},
  });
  return { code, stdout, stderr };
}

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | string | null>;
}

function spawnTs(file: string, args: readonly string[]): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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

const traceLines = (out: string) => completeJsonlLines(join(out, 'traces.jsonl'));
const sortedTraces = (out: string) =>
  traceLines(out)
    .map((l) => JSON.parse(l) as { key: string; problemId: string; sampleIndex: number })
    .sort((a, b) => a.key.localeCompare(b.key));
const manifest = (out: string) => {
  const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  // The fields that differ by design: a queued coordinator generates nothing itself, and its clock is its own.
  delete m.source.generated_this_run;
  delete m.wall_seconds;
  return m;
};

beforeAll(async () => {
  if (unavailable === null) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

describe.skipIf(unavailable !== null)('r1-train sample run --queue with r1-eval workers', () => {
  const workers: Proc[] = [];
  const reference = join(work, 'reference');
  const queueArgs = () => ['--queue', redis.url, '--queue-name', QUEUE];
  const startWorker = () =>
    spawnTs(EVAL_CLI, ['worker', '--queue', redis.url, '--queue-name', QUEUE, '--model', BASE, '--lock-seconds', '1']);

  function expectSameAsLocal(out: string): void {
    const traces = sortedTraces(out);
    expect(traces).toHaveLength(PROBLEMS * K);
    expect(new Set(traces.map((t) => `${t.problemId}#${t.sampleIndex}`)).size).toBe(PROBLEMS * K);
    expect(traces).toEqual(sortedTraces(reference));
    for (const file of ['data.jsonl', 'rejected.jsonl']) {
      expect(readFileSync(join(out, file), 'utf8')).toBe(readFileSync(join(reference, file), 'utf8'));
    }
    expect(manifest(out)).toEqual(manifest(reference));
  }

  beforeAll(async () => {
    workers.push(startWorker(), startWorker());
    const local = await sample(runArgs(reference));
    expect(local.code, local.stderr).toBe(0);
    // Both workers must be taking jobs before the first queued run: under a loaded CI machine one worker's start
    // (tsx, tfjs, the model) can take longer than the other needs to do all twelve jobs alone.
    await until('both workers to serve the queue', () => workers.every((w) => /: serving /.test(w.output())), 120_000);
  }, 180_000);
  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
  });

  test('2 workers: the traces and data.jsonl of a local run, every sample once', async () => {
    const out = join(work, 'queued');
    const r = await sample(runArgs(out, ...queueArgs()));
    expect(r.code, `${r.stderr}\n${workers.map((w) => w.output()).join('\n')}`).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`${PROBLEMS} jobs \\(${PROBLEMS * K} samples\\) to do`));
    expect(r.stderr).toMatch(new RegExp(`queue: \\d+ workers? · ${PROBLEMS}/${PROBLEMS} jobs · 0 failed`));
    expectSameAsLocal(out);
    // Both workers took jobs (each reports what it did when it stops; here: the jobs it stored are in Redis).
    const probe = await connectRedis(redis.url);
    try {
      const stored = await probe.keys(`r1q:${QUEUE}:result:*`);
      const by = new Set(
        (await probe.mget(...stored)).map((v) => (JSON.parse(v!) as { worker: string }).worker.split(':').at(-1)),
      );
      expect(by.size).toBe(2);
    } finally {
      probe.disconnect();
    }
    // A rerun of the finished directory enqueues nothing and writes the same outputs.
    const again = await sample(runArgs(out, ...queueArgs()));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/0 jobs \(0 samples\) to do/);
    expectSameAsLocal(out);
  });

  test('a coordinator killed with -9 and rerun: what workers did meanwhile is taken from Redis, nothing twice', async () => {
    const out = join(work, 'killed-coordinator');
    const probe = await connectRedis(redis.url);
    try {
      // The same jobs as the test above: forget their stored results so that they are generated again.
      const stored = await probe.keys(`r1q:${QUEUE}:*`);
      if (stored.length > 0) await probe.del(...stored);
      const coordinator = spawnTs(TRAINER_CLI, ['sample', ...runArgs(out, ...queueArgs())]);
      await until('two jobs in traces.jsonl', () => traceLines(out).length >= 2 * K, 120_000);
      coordinator.child.kill('SIGKILL');
      expect(await coordinator.exited).toBe('SIGKILL');
      const kept = traceLines(out).length;
      expect(kept % K).toBe(0);
      expect(kept).toBeLessThan(PROBLEMS * K);
      // The workers go on without a coordinator: their results wait in Redis.
      await until(
        'a job finished while no coordinator ran',
        async () => {
          return (await probe.xlen(`r1q:${QUEUE}:done`)) > kept / K;
        },
        120_000,
      );
      const rerun = await sample(runArgs(out, ...queueArgs()));
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(rerun.stderr).toMatch(new RegExp(`${kept} traces already in`));
      const todo = Number(/(\d+) jobs \(\d+ samples\) to do/.exec(rerun.stderr)?.[1]);
      expect(todo).toBe(PROBLEMS - kept / K);
      const report = /queue: \d+ workers? · (\d+)\/(\d+) jobs/.exec(rerun.stderr);
      expect(Number(report?.[2])).toBe(todo);
      expectSameAsLocal(out);
      // Every job was generated once in all: the done stream has one entry per job of the run.
      expect(await probe.xlen(`r1q:${QUEUE}:done`)).toBe(PROBLEMS);
    } finally {
      probe.disconnect();
    }
  });

  test('bad queue flags are usage errors naming the flag', async () => {
    const bad = await sample(runArgs(join(work, 'bad'), '--queue', 'http://localhost:6379'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--queue must be a Redis URL/);
    const name = await sample(runArgs(join(work, 'bad'), '--queue', redis.url, '--queue-name', 'a:b'));
    expect(name.code).toBe(2);
    expect(name.stderr).toMatch(/--queue-name must be letters/);
    const alone = await sample(runArgs(join(work, 'bad'), '--queue-name', 'x'));
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--queue-name needs --queue URL/);
    const filter = await sample(['filter', '--input', 'x.jsonl', '--out', join(work, 'bad'), '--queue', redis.url]);
    expect(filter.code).toBe(2);
    expect(filter.stderr).toMatch(/--queue belongs to 'sample run'/);
  });
});

describe.skipIf(unavailable !== null)(
  'r1-train sample run --queue over a fleet of two r1-serve servers, one r1-eval worker each',
  () => {
    const servers: Proc[] = [];
    const urls: string[] = [];
    const workers: Proc[] = [];
    const queueName = 'sample-endpoint-test';
    const endpointArgs = (out: string, ...extra: string[]) => [
      'run',
      ...urls.flatMap((u) => ['--endpoint', u]),
      '--task',
      'arithmetic',
      '--count',
      '6',
      '--k',
      '4',
      '--max-tokens',
      '32',
      '--template',
      'r1-zero',
      '--return-token-ids',
      '--rejected',
      '--out',
      out,
      ...extra,
    ];
    beforeAll(async () => {
      for (let i = 0; i < 2; i++) {
        const server = spawnTs(join(ROOT, 'packages/sampler/src/bin/r1-serve.ts'), ['--model', BASE, '--port', '0']);
        servers.push(server);
        urls.push(
          await new Promise<string>((resolve, reject) => {
            const timer = setInterval(() => {
              const m = /at (http:\/\/\S+\/v1)/.exec(server.output());
              if (m) {
                clearInterval(timer);
                resolve(m[1]!);
              }
            }, 20);
            void server.exited.then((code) => {
              clearInterval(timer);
              reject(new Error(`r1-serve exited with ${code}: ${server.output()}`));
            });
          }),
        );
      }
      // One worker per server of the fleet.
      for (const url of urls) {
        workers.push(
          spawnTs(EVAL_CLI, [
            'worker',
            '--queue',
            redis.url,
            '--queue-name',
            queueName,
            '--endpoint',
            url,
            '--return-token-ids',
            '--concurrency',
            '2',
          ]),
        );
      }
    }, 120_000);
    afterAll(async () => {
      for (const p of [...workers, ...servers]) {
        if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
      }
      await Promise.all(workers.map((w) => w.exited));
      for (const server of servers) server.child.kill('SIGKILL');
    });

    test("each server's worker serves the coordinator's model@fleet: the traces and data.jsonl of a local run over both", async () => {
      const reference = join(work, 'endpoint-reference');
      const local = await sample(endpointArgs(reference));
      expect(local.code, local.stderr).toBe(0);
      const out = join(work, 'endpoint-queued');
      const r = await sample(endpointArgs(out, '--queue', redis.url, '--queue-name', queueName));
      expect(r.code, `${r.stderr}\n${workers.map((w) => w.output()).join('\n')}`).toBe(0);
      expect(r.stderr).toMatch(/queue: \d+ workers? · 6\/6 jobs · 0 failed/);
      const traces = sortedTraces(out);
      expect(traces).toHaveLength(24);
      expect(traces).toEqual(sortedTraces(reference));
      for (const file of ['data.jsonl', 'rejected.jsonl']) {
        expect(readFileSync(join(out, file), 'utf8')).toBe(readFileSync(join(reference, file), 'utf8'));
      }
    });
  },
);
