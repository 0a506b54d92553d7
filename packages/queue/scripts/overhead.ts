/**
 * Benchmark `queue.overhead_ms_per_job`: what the queue costs per job over calling the same processor in a loop.
 *
 * The same N trivial jobs (a ~1 KB payload in, a ~1 KB result out, a SHA-256 of the payload as the "work") run
 * (a) locally, one after another, and (b) through a private redis-server (persistence off): one coordinator and one
 * worker in this process at concurrency 1, then with concurrency 8. The overhead per job is
 * (queued wall time − local wall time) / N: enqueueing, BullMQ's fetch/lock/complete round trips, the result's
 * SET NX + XADD, the coordinator's stream read and MGET.
 *
 *   node --import tsx packages/queue/scripts/overhead.ts [--jobs 2000] [--json]
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { runCoordinator } from '../src/coordinator';
import { jobId } from '../src/job-id';
import { startRedis } from '../src/test-utils/redis-server';
import { startWorker } from '../src/worker';

const { values } = parseArgs({ options: { jobs: { type: 'string' }, json: { type: 'boolean' } } });
const N = Number(values.jobs ?? 2000);
const payload = 'x'.repeat(1000);
const work = (data: { i: number; text: string }) =>
  `${createHash('sha256').update(`${data.i}${data.text}`).digest('hex')}${data.text}`;
const jobs = Array.from({ length: N }, (_, i) => ({ id: jobId({ bench: 'overhead', i }), data: { i, text: payload } }));

async function local(): Promise<number> {
  const t = performance.now();
  const results: string[] = [];
  for (const job of jobs) results.push(await Promise.resolve(work(job.data)));
  return performance.now() - t;
}

async function queued(url: string, queueName: string, concurrency: number): Promise<number> {
  const worker = await startWorker<{ i: number; text: string }, string>({
    url,
    queueName,
    concurrency,
    process: async (data) => work(data),
  });
  const t = performance.now();
  let n = 0;
  await runCoordinator<{ i: number; text: string }, string>({
    url,
    queueName,
    jobs,
    onResult: () => {
      n++;
    },
  });
  const ms = performance.now() - t;
  await worker.close();
  if (n !== N) throw new Error(`expected ${N} results, got ${n}`);
  return ms;
}

const redis = await startRedis();
try {
  const localMs = await local();
  const q1 = await queued(redis.url, 'bench-c1', 1);
  const q8 = await queued(redis.url, 'bench-c8', 8);
  const result = {
    jobs: N,
    local_ms_per_job: localMs / N,
    'queue.overhead_ms_per_job': (q1 - localMs) / N,
    'queue.overhead_ms_per_job.concurrency8': (q8 - localMs) / N,
    queued_jobs_per_s: { concurrency1: N / (q1 / 1000), concurrency8: N / (q8 / 1000) },
  };
  if (values.json) console.log(JSON.stringify(result));
  else {
    console.log(`${N} trivial jobs: local ${(localMs / N).toFixed(3)} ms/job`);
    console.log(
      `queue.overhead_ms_per_job ${result['queue.overhead_ms_per_job'].toFixed(2)} (1 worker, concurrency 1; ` +
        `${result.queued_jobs_per_s.concurrency1.toFixed(0)} jobs/s)`,
    );
    console.log(
      `queue.overhead_ms_per_job ${result['queue.overhead_ms_per_job.concurrency8'].toFixed(2)} (1 worker, ` +
        `concurrency 8; ${result.queued_jobs_per_s.concurrency8.toFixed(0)} jobs/s)`,
    );
  }
} finally {
  await redis.stop();
}
