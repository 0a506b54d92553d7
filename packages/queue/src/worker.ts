/**
 * `startWorker`: takes jobs from a queue and runs them through the caller's processor, storing each result once.
 *
 * Per job: if a result is already stored under the job's id (a duplicate delivery: the job stalled after its
 * result was written, or was enqueued again), it returns without processing; else it runs the processor and stores
 * the value with `SET NX` + `XADD` (results.ts), so a second completion of the same job writes nothing. A processor
 * error is retried by BullMQ with backoff; `RateLimited` puts the job back without using an attempt and pauses the
 * queue; `Unprocessable` fails it at once; `WrongWorker` puts it back and stops this worker.
 *
 * Liveness: BullMQ holds a lock on each active job, renewed every `lockDurationMs / 2`; a worker killed with -9
 * stops renewing, and another worker's stalled-job check (every `stalledIntervalMs`) moves the job back to waiting.
 * The processor must therefore not block the event loop for longer than the lock duration.
 */
import { hostname } from 'node:os';
import type { Job } from 'bullmq';
import { connectRedis, redisOptions } from './connect';
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
  /** A static rate limit shared by every worker of the queue: at most `max` jobs per `durationMs`. Default none. */
  limiter?: { max: number; durationMs: number };
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
  | { type: 'failed'; id: string; attemptsMade: number; willRetry: boolean; message: string }
  | { type: 'stalled'; id: string };

export interface QueueWorker {
  readonly name: string;
  /** Jobs this worker stored a result for, and duplicates it skipped. */
  readonly stats: { completed: number; duplicates: number; failed: number; rateLimited: number };
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
  const { DelayedError, Queue, RateLimitError, UnrecoverableError, Worker } = await import('bullmq');
  const queue = new Queue(options.queueName, { connection });
  const stats = { completed: 0, duplicates: 0, failed: 0, rateLimited: 0 };
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
    let value: R;
    try {
      value = await options.process(job.data, { id, attemptsMade: job.attemptsMade });
    } catch (error) {
      if (error instanceof RateLimited) {
        stats.rateLimited++;
        emit({ type: 'rate-limited', id, ms: error.retryAfterMs, message: error.message });
        await queue.rateLimit(Math.max(1, Math.round(error.retryAfterMs)));
        throw new RateLimitError();
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

  const worker = new Worker<J, string>(options.queueName, processor, {
    connection,
    name,
    concurrency: options.concurrency ?? 1,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: options.maxStalledCount ?? 3,
    ...(options.limiter === undefined
      ? {}
      : { limiter: { max: options.limiter.max, duration: options.limiter.durationMs } }),
    autorun: false,
  });
  worker.on('failed', (job, error) => {
    if (job === undefined || error instanceof RateLimitError || error.name === 'RateLimitError') return;
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
