/**
 * `startWorker`: takes jobs from a queue and runs them through the caller's processor, storing each result once.
 *
 * Per job: if a result is already stored under the job's id (a duplicate delivery: the job stalled after its
 * result was written, or was enqueued again), it returns without processing; else it runs the processor and stores
 * the value with `SET NX` + `XADD` (results.ts), so a second completion of the same job writes nothing. A processor
 * error is retried by BullMQ with backoff; `RateLimited` puts the job back without using an attempt and pauses every
 * worker of its scope (below); `Unprocessable` fails it at once; `WrongWorker` puts it back and stops this worker.
 *
 * Rate limits have a scope: the endpoint the worker calls (`endpoint`), or else the whole queue. Before each job the
 * worker asks its scope's gate in Redis (endpoint-limit.ts) whether it may start — not while a 429's pause lasts,
 * and at most `limiter.max` starts per window over every worker of the scope. When it must wait, the job goes back
 * to the wait list (no attempt used: a worker of another endpoint may take it at once) and this worker takes no job
 * until the wait is over (BullMQ's worker-local pause). So a 429 from endpoint A holds off A's workers only, and
 * jobs keep flowing to B. (BullMQ's own limiter is per queue only, and its manual `rateLimit` holds workers off only
 * when a static limit is configured too: without one, a 429 put the job straight back and the workers hammered the
 * endpoint.)
 *
 * Liveness: BullMQ holds a lock on each active job, renewed every `lockDurationMs / 2`; a worker killed with -9
 * stops renewing, and another worker's stalled-job check (every `stalledIntervalMs`) moves the job back to waiting.
 * The processor must therefore not block the event loop for longer than the lock duration.
 */
import { hostname } from 'node:os';
import type { Worker as BullWorker, Job } from 'bullmq';
import { connectRedis, redisOptions } from './connect';
import { endpointGate, endpointKeys, pauseEndpoint } from './endpoint-limit';
import { RateLimited, Unprocessable, WrongWorker } from './errors';
import { parseRedisUrl } from './redis-url';
import { hasResult, resultKeys, storeResult } from './results';

export interface WorkerOptions<J, R> {
  /** `redis://HOST:PORT/DB`. */
  url: string;
  queueName: string;
  /** Runs one job; its value is stored as the job's result (JSON-serialisable). */
  process: (data: J, job: { id: string; attemptsMade: number }) => Promise<R>;
  /** Jobs processed at once by this worker. Default 1. */
  concurrency?: number;
  /**
   * A static rate limit: at most `max` job starts per `durationMs` (a sliding window), over every worker of the
   * queue — or, with `endpoint`, over every worker of that endpoint on any queue. Give every worker of one scope the
   * same limit. Default none.
   */
  limiter?: { max: number; durationMs: number };
  /**
   * The endpoint this worker's jobs call (e.g. its base URL): its 429s (`RateLimited`) and `limiter` then apply to
   * the workers of this endpoint only (on any queue of this Redis database); workers of other endpoints keep taking
   * jobs. Default: none, and both apply to every worker of the queue.
   */
  endpoint?: string;
  /** Lock of an active job; a job whose lock expires is stalled and handed to another worker. Default 30,000. */
  lockDurationMs?: number;
  /** How often this worker checks for stalled jobs. Default 30,000. */
  stalledIntervalMs?: number;
  /** Times a job may stall before it fails. Default 3 (a killed worker is not the job's fault). */
  maxStalledCount?: number;
  /** Seconds a stored result lives (the coordinator must collect it within that). Default 7 days. */
  resultTtlSeconds?: number;
  /** This worker's name in results and in Redis' client list. Default "HOST:PID". */
  name?: string;
  /** Notes on what happened (rate limits, retries, duplicates), for a log. */
  onEvent?: (event: WorkerEvent) => void;
}

export type WorkerEvent =
  | { type: 'completed'; id: string; stored: boolean }
  | { type: 'duplicate'; id: string }
  | { type: 'rate-limited'; id: string; ms: number; message: string }
  /** The job was put back unstarted: its scope (endpoint or queue) is paused or at its limit for `ms` more. */
  | { type: 'endpoint-wait'; id: string; ms: number }
  | { type: 'failed'; id: string; attemptsMade: number; willRetry: boolean; message: string }
  | { type: 'stalled'; id: string };

export interface QueueWorker {
  readonly name: string;
  /** Jobs this worker stored a result for, and duplicates it skipped. */
  readonly stats: { completed: number; duplicates: number; failed: number; rateLimited: number; endpointWaits: number };
  /** Jobs of the queue not finished yet (waiting, active, delayed for a retry, prioritized), over all workers. */
  unfinishedJobs(): Promise<number>;
  /** Resolves when the worker has stopped (close()); rejects when it stopped on a `WrongWorker` job. */
  readonly closed: Promise<void>;
  /** Stops taking jobs, waits for the active ones, disconnects. */
  close(): Promise<void>;
}

export const DEFAULT_RESULT_TTL_SECONDS = 7 * 24 * 3600;

export async function startWorker<J, R>(options: WorkerOptions<J, R>): Promise<QueueWorker> {
  const target = parseRedisUrl(options.url, 'url');
  const redis = await connectRedis(options.url);
  const connection = redisOptions(target);
  const keys = resultKeys(options.queueName);
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const ttl = options.resultTtlSeconds ?? DEFAULT_RESULT_TTL_SECONDS;
  // Loaded here, not at import: a CLI that only parses a queue URL does not pay for BullMQ.
  const { DelayedError, Queue, UnrecoverableError, WaitingError, Worker } = await import('bullmq');
  const queue = new Queue(options.queueName, { connection });
  const stats = { completed: 0, duplicates: 0, failed: 0, rateLimited: 0, endpointWaits: 0 };
  const scope = endpointKeys(
    options.endpoint === undefined ? `queue ${options.queueName}` : `endpoint ${options.endpoint}`,
  );
  const limit = options.limiter ?? null;
  // When this worker may take jobs again after a wait; one timer resumes it.
  let holdUntil = 0;
  let holdTimer: NodeJS.Timeout | null = null;
  // Assigned below; holdOff runs only inside jobs, after that.
  let worker: BullWorker<J, string>;
  /** Puts an unstarted job back in the wait list (no attempt used) and takes no job here for `ms`. */
  const holdOff = async (job: Job<J>, token: string | undefined, ms: number): Promise<never> => {
    const until = Date.now() + ms;
    if (until > holdUntil && closing === null) {
      holdUntil = until;
      // Paused before the job is back in the list, so this worker's other slots do not take it again at once.
      await worker.pause(true);
      if (holdTimer !== null) clearTimeout(holdTimer);
      holdTimer = setTimeout(() => {
        holdTimer = null;
        if (closing === null) void worker.resume();
      }, ms);
    }
    await job.moveToWait(token);
    throw new WaitingError();
  };
  const emit = (event: WorkerEvent) => options.onEvent?.(event);
  let wrongWorker: WrongWorker | null = null;
  let closing: Promise<void> | null = null;

  const processor = async (job: Job<J>, token?: string): Promise<string> => {
    const id = job.id!;
    if (await hasResult(redis, keys, id)) {
      stats.duplicates++;
      emit({ type: 'duplicate', id });
      return 'duplicate';
    }
    const wait = Date.now() < holdUntil ? holdUntil - Date.now() : await endpointGate(redis, scope, limit);
    if (wait > 0) {
      stats.endpointWaits++;
      emit({ type: 'endpoint-wait', id, ms: wait });
      await holdOff(job, token, wait);
    }
    let value: R;
    try {
      value = await options.process(job.data, { id, attemptsMade: job.attemptsMade });
    } catch (error) {
      if (error instanceof RateLimited) {
        stats.rateLimited++;
        const ms = await pauseEndpoint(redis, scope, error.retryAfterMs);
        emit({ type: 'rate-limited', id, ms, message: error.message });
        await holdOff(job, token, ms);
      }
      if (error instanceof Unprocessable) throw new UnrecoverableError(error.message);
      if (error instanceof WrongWorker) {
        wrongWorker ??= error;
        await job.moveToDelayed(Date.now() + 1000, token);
        void close();
        throw new DelayedError();
      }
      throw error;
    }
    const stored = await storeResult(redis, keys, id, { value, worker: name, attemptsMade: job.attemptsMade }, ttl);
    if (stored) stats.completed++;
    else stats.duplicates++;
    emit({ type: 'completed', id, stored });
    return stored ? 'stored' : 'duplicate';
  };

  worker = new Worker<J, string>(options.queueName, processor, {
    connection,
    name,
    concurrency: options.concurrency ?? 1,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: options.maxStalledCount ?? 3,
    autorun: false,
  });
  worker.on('failed', (job, error) => {
    if (job === undefined || error instanceof WaitingError || error.name === 'WaitingError') return;
    const attempts = job.opts.attempts ?? 1;
    const willRetry = !(error instanceof UnrecoverableError) && job.attemptsMade < attempts;
    stats.failed++;
    emit({ type: 'failed', id: job.id!, attemptsMade: job.attemptsMade, willRetry, message: error.message });
  });
  worker.on('stalled', (id) => emit({ type: 'stalled', id }));
  // Connection errors are retried by ioredis; an 'error' listener keeps them from crashing the process.
  worker.on('error', () => {});
  redis.on('error', () => {});

  let resolveClosed!: () => void;
  let rejectClosed!: (error: Error) => void;
  const closed = new Promise<void>((resolve, reject) => {
    resolveClosed = resolve;
    rejectClosed = reject;
  });
  closed.catch(() => {});

  async function close(): Promise<void> {
    closing ??= (async () => {
      if (holdTimer !== null) clearTimeout(holdTimer);
      try {
        await worker.close();
        await queue.close();
      } finally {
        redis.disconnect();
        if (wrongWorker !== null) rejectClosed(wrongWorker);
        else resolveClosed();
      }
    })();
    return closing;
  }

  void worker.run().catch((error: Error) => {
    rejectClosed(error);
  });
  await worker.waitUntilReady();
  const unfinishedJobs = async () => {
    const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(c).reduce((a, b) => a + b, 0);
  };
  return { name, stats, closed, close, unfinishedJobs };
}
