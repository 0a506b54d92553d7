/**
 * `runCoordinator`: enqueues jobs and streams their results to the caller until every job has one (or has failed
 * for good).
 *
 * Start-up is what makes a kill -9 of the coordinator harmless: it notes the done stream's tail, reads the stored
 * result of every job it was given (those finished while it was away are delivered at once), retries its jobs that
 * failed for good earlier, and enqueues the rest with their deterministic ids (jobs still waiting or active in Redis
 * are deduplicated by BullMQ). Then it follows the done stream from the noted tail, so no result lands unseen.
 * When the queue looks idle while jobs are still missing it looks again at every missing job: a stored result is
 * delivered, a failed job is reported, a job that has vanished (removed by hand) is enqueued again.
 *
 * The caller's `onResult` is called once per job, in arrival order, and awaited; it is where results become durable
 * (r1-eval appends and fsyncs results.jsonl). The coordinator itself keeps nothing on disk.
 */
import type { Job, JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectRedis, redisOptions } from './connect';
import { parseRedisUrl } from './redis-url';
import { doneStreamTail, fetchResults, type ResultEnvelope, readDone, resultKeys } from './results';

export interface QueueJob<J> {
  /** Deterministic id (see `jobId`). */
  id: string;
  data: J;
}

export interface CoordinatorOptions<J, R> {
  url: string;
  queueName: string;
  jobs: readonly QueueJob<J>[];
  /** Called once per job with its result; awaited before the next. A rejection stops the run. */
  onResult: (id: string, result: R) => void | Promise<void>;
  /** Tries per job (1 + retries), for ordinary errors; rate limits do not count. Default 6. */
  attempts?: number;
  /** First retry delay; doubled each time (BullMQ's exponential backoff). Default 1000. */
  backoffMs?: number;
  onProgress?: (progress: CoordinatorProgress) => void;
  /** Milliseconds between progress reports and queue checks. Default 1000. */
  progressIntervalMs?: number;
  /** Milliseconds the queue must look idle before missing jobs are looked at one by one. Default 3000. */
  idleCheckMs?: number;
  /** Stops waiting (the jobs stay in the queue for a later run). */
  signal?: AbortSignal;
}

export interface CoordinatorProgress {
  /** Jobs this run needs in all. */
  jobs: number;
  done: number;
  /** Done before this run started (results found stored in Redis). */
  doneAtStart: number;
  failed: number;
  /** Jobs that needed more than one attempt (done after a retry, or waiting for one now). */
  retried: number;
  /** Workers connected now (Redis' client list), and distinct workers that delivered a result. */
  workersNow: number;
  workersSeen: number;
  elapsedSeconds: number;
  /** Seconds to go at this run's rate; NaN before the first result. */
  etaSeconds: number;
}

export interface FailedJob {
  id: string;
  reason: string;
}

/** Some jobs failed for good (attempts used up, or unprocessable); every other job's result was delivered. */
export class QueueJobsFailed extends Error {
  override readonly name = 'QueueJobsFailed';
  constructor(readonly failed: readonly FailedJob[]) {
    const first = failed[0];
    super(
      `${failed.length} job(s) failed for good` +
        (first === undefined ? '' : ` — first: ${first.id}: ${first.reason}`) +
        '; rerun to retry them',
    );
  }
}

export interface CoordinatorReport {
  jobs: number;
  done: number;
  doneAtStart: number;
  retried: number;
  workersSeen: number;
}

export async function runCoordinator<J, R>(options: CoordinatorOptions<J, R>): Promise<CoordinatorReport> {
  const ids = new Set<string>();
  for (const job of options.jobs) {
    if (ids.has(job.id)) throw new Error(`runCoordinator: job id ${job.id} appears twice; ids must be unique`);
    ids.add(job.id);
  }
  const target = parseRedisUrl(options.url, 'url');
  const redis = await connectRedis(options.url);
  const reader = redis.duplicate();
  reader.on('error', () => {});
  redis.on('error', () => {});
  // Loaded here, not at import: a CLI that only parses a queue URL does not pay for BullMQ.
  const { Queue } = await import('bullmq');
  const queue = new Queue(options.queueName, { connection: redisOptions(target) });
  queue.on('error', () => {});
  try {
    return await coordinate(options, redis, reader, queue);
  } finally {
    await queue.close();
    reader.disconnect();
    redis.disconnect();
  }
}

async function coordinate<J, R>(
  options: CoordinatorOptions<J, R>,
  redis: Redis,
  reader: Redis,
  queue: Queue,
): Promise<CoordinatorReport> {
  const keys = resultKeys(options.queueName);
  const byId = new Map(options.jobs.map((j) => [j.id, j]));
  const pending = new Set(byId.keys());
  const failed = new Map<string, string>();
  const workers = new Set<string>();
  let retried = 0;
  let done = 0;
  const started = performance.now();
  const jobOptions = (id: string): JobsOptions => ({
    jobId: id,
    attempts: options.attempts ?? 6,
    backoff: { type: 'exponential', delay: options.backoffMs ?? 1000 },
    removeOnComplete: true,
    removeOnFail: false,
  });

  const deliver = async (found: Map<string, ResultEnvelope<R>>) => {
    for (const [id, envelope] of found) {
      if (!pending.has(id)) continue;
      pending.delete(id);
      failed.delete(id);
      workers.add(envelope.worker);
      if (envelope.attemptsMade > 0) retried++;
      done++;
      await options.onResult(id, envelope.value);
    }
  };

  let tail = await doneStreamTail(reader, keys);
  await deliver(await fetchResults<R>(redis, keys, [...pending]));
  const doneAtStart = done;
  await retryFailed(queue, pending);
  const toAdd = [...pending];
  for (let i = 0; i < toAdd.length; i += 500) {
    await queue.addBulk(
      toAdd.slice(i, i + 500).map((id) => ({ name: 'job', data: byId.get(id)!.data, opts: jobOptions(id) })),
    );
  }

  const interval = options.progressIntervalMs ?? 1000;
  const idleCheck = options.idleCheckMs ?? 3000;
  let lastCheck = 0;
  let idleSince: number | null = null;
  let knownFailed = -1;
  let waitingRetry = 0;
  let workersNow = 0;
  const report = () => {
    const elapsed = (performance.now() - started) / 1000;
    const rate = (done - doneAtStart) / elapsed;
    const remaining = pending.size - failed.size;
    options.onProgress?.({
      jobs: byId.size,
      done,
      doneAtStart,
      failed: failed.size,
      retried: retried + waitingRetry,
      workersNow,
      workersSeen: workers.size,
      elapsedSeconds: elapsed,
      etaSeconds: remaining <= 0 ? 0 : rate > 0 ? remaining / rate : Number.NaN,
    });
  };

  while (pending.size > failed.size) {
    if (options.signal?.aborted) throw new Error('the coordinator was stopped; the jobs stay queued for a rerun');
    const read = await readDone(reader, keys, tail, Math.min(interval, 1000));
    tail = read.last;
    if (read.ids.length > 0) {
      const mine = read.ids.filter((id) => pending.has(id));
      await deliver(await fetchResults<R>(redis, keys, mine));
    }
    const now = performance.now();
    if (now - lastCheck < interval && pending.size > failed.size) continue;
    lastCheck = now;
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed');
    workersNow = await queue.getWorkersCount().catch(() => 0);
    waitingRetry = counts.delayed ?? 0;
    if ((counts.failed ?? 0) !== knownFailed) {
      knownFailed = counts.failed ?? 0;
      for (const f of await failedAmong(queue, pending)) failed.set(f.id, f.reason);
    }
    const busy = (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0);
    if (busy === 0 && read.ids.length === 0 && pending.size > failed.size) {
      idleSince ??= now;
      if (now - idleSince >= idleCheck) {
        idleSince = null;
        await reconcile(queue, redis, pending, failed, jobOptions, byId, deliver, keys);
      }
    } else {
      idleSince = null;
    }
    report();
  }
  waitingRetry = 0;
  report();
  if (failed.size > 0) throw new QueueJobsFailed([...failed].map(([id, reason]) => ({ id, reason })));
  return { jobs: byId.size, done, doneAtStart, retried, workersSeen: workers.size };
}

/** Jobs of `pending` in BullMQ's failed set, with their reasons. */
async function failedAmong(queue: Queue, pending: ReadonlySet<string>): Promise<FailedJob[]> {
  const out: FailedJob[] = [];
  const total = await queue.getJobCountByTypes('failed');
  for (let start = 0; start < total; start += 1000) {
    const jobs: Job[] = await queue.getFailed(start, start + 999);
    for (const job of jobs) {
      if (job?.id !== undefined && pending.has(job.id)) out.push({ id: job.id, reason: job.failedReason });
    }
  }
  return out;
}

/** Moves this run's failed jobs back to waiting with fresh attempts (a rerun retries what failed before). */
async function retryFailed(queue: Queue, pending: ReadonlySet<string>): Promise<void> {
  for (const f of await failedAmong(queue, pending)) {
    const job = await queue.getJob(f.id);
    await job?.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
  }
}

/** The queue is idle but jobs are missing: deliver stored results, note failures, re-enqueue vanished jobs. */
async function reconcile<J, R>(
  queue: Queue,
  redis: Redis,
  pending: Set<string>,
  failed: Map<string, string>,
  jobOptions: (id: string) => JobsOptions,
  byId: ReadonlyMap<string, QueueJob<J>>,
  deliver: (found: Map<string, ResultEnvelope<R>>) => Promise<void>,
  keys: ReturnType<typeof resultKeys>,
): Promise<void> {
  await deliver(await fetchResults<R>(redis, keys, [...pending]));
  for (const id of pending) {
    if (failed.has(id)) continue;
    const state = await queue.getJobState(id);
    if (state === 'failed') {
      const job = await queue.getJob(id);
      failed.set(id, job?.failedReason ?? 'failed');
    } else if (state === 'unknown' || state === 'completed') {
      // Gone, or completed without a result (it expired): enqueue it again under the same id.
      if (state === 'completed') await (await queue.getJob(id))?.remove();
      await queue.add('job', byId.get(id)!.data, jobOptions(id));
    }
  }
}
