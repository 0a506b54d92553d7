/**
 * `r1-eval worker`: takes jobs of queued runs from Redis, generates each job's samples from its own model (a local
 * checkpoint or an endpoint) and hands them back — scored for `r1-eval run --queue` (generate, then score), as they
 * are for `r1-train sample run --queue` (generate only: the coordinator verifies and filters its traces). Several workers on
 * several machines serve one coordinator; each sample is drawn from its own seeded stream, so a sample does not
 * depend on which worker drew it.
 *
 * A worker refuses — puts back for another worker, and stops — a job for another model than its own; it fails at
 * once a job its model can never serve (too many tokens for its context, a chat prompt without a chat template).
 * An endpoint's 429 holds off every worker of that endpoint (not those of other endpoints) without using an attempt; any other failure is retried by the queue with
 * backoff (the engine itself does not retry, so retries are counted and visible in one place).
 */
import type { SampleRecord, ScoredCompletion } from '@r1/eval';
import {
  GENERATE_JOB_FORMAT,
  type GeneratedSample,
  RateLimited,
  servesModel,
  startWorker,
  Unprocessable,
  type WorkerEvent,
  WrongWorker,
} from '@r1/queue';
import { EndpointError, normaliseBaseUrl, type Sampler } from '@r1/sampler';
import { checkSandbox } from './code-judge';
import type { Io } from './io';
import { type OpenedSampler, openSampler } from './open-sampler';
import { EVAL_JOB_FORMAT, type EvalJobData, processEvalJob, processGenerateJob, type SampleJobData } from './queue-job';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from './run-options';
import { createScorer, type Scorer } from './scoring';
import type { WorkerCommandOptions } from './worker-options';

type AnyScorer = Scorer<ScoredCompletion | Promise<ScoredCompletion>>;

/** Runs a worker until SIGTERM/SIGINT, --exit-when-idle, or a job for another model; returns the exit code. */
export async function workerCommand(w: WorkerCommandOptions, io: Io): Promise<number> {
  const runLike: RunOptions = {
    ...DEFAULT_RUN_OPTIONS,
    out: '',
    model: w.model,
    endpoint: w.endpoint,
    endpoints: w.endpoint === null ? [] : [w.endpoint],
    backend: w.backend,
    apiModel: w.apiModel,
    apiKeyEnv: w.apiKeyEnv,
    timeoutSeconds: w.timeoutSeconds,
    returnTokenIds: w.returnTokenIds,
    batch: w.concurrency,
    // Checked per job instead: the worker learns the job's settings only when it takes one.
    maxTokens: 1,
    template: 'raw',
  };
  const opened = await openSampler(runLike, io, 0);
  try {
    return await serve(w, opened, io);
  } finally {
    await opened.close();
  }
}

async function serve(w: WorkerCommandOptions, opened: OpenedSampler, io: Io): Promise<number> {
  const sampler = serialised(opened.sampler, opened.local !== null);
  const scorers = new Map<string, AnyScorer>();
  let sandboxChecked: Promise<void> | null = null;
  let consecutive429 = 0;
  let active = 0;
  let lastActivity = performance.now();

  const scorerFor = async (data: EvalJobData): Promise<AnyScorer> => {
    if (data.scoring === 'code') {
      sandboxChecked ??= checkSandbox();
      try {
        await sandboxChecked;
      } catch (error) {
        throw new WrongWorker(`this worker cannot judge code: ${(error as Error).message}`);
      }
    }
    const key = JSON.stringify([data.scoring, data.codeLimits]);
    let scorer = scorers.get(key);
    if (scorer === undefined) {
      scorer = createScorer(data.scoring, { ...data.codeLimits, earlyStop: true });
      scorers.set(key, scorer);
    }
    return scorer;
  };

  const processJob = async (data: EvalJobData | SampleJobData): Promise<SampleRecord[] | GeneratedSample[]> => {
    active++;
    lastActivity = performance.now();
    try {
      if (data?.format !== EVAL_JOB_FORMAT && data?.format !== GENERATE_JOB_FORMAT) {
        throw new Unprocessable(
          `not an r1-eval or r1-train sample job (format ${JSON.stringify((data as { format?: unknown })?.format)}, ` +
            `expected ${EVAL_JOB_FORMAT} or ${GENERATE_JOB_FORMAT})`,
        );
      }
      // The same model, or one server of the coordinator's fleet (its repeated --endpoint) under the same name.
      if (!servesModel(sampler.modelId, data.modelId)) {
        throw new WrongWorker(
          `this worker serves ${sampler.modelId} but the queue's jobs are for ${data.modelId}; start workers with ` +
            "the coordinator's --model (the same absolute path) or one of its --endpoint URLs, or give each run its " +
            'own --queue-name',
        );
      }
      if (opened.local !== null) {
        if (data.params.maxNewTokens >= opened.local.context) {
          throw new Unprocessable(
            `--max-tokens ${data.params.maxNewTokens} does not fit the checkpoint's context of ${opened.local.context} tokens`,
          );
        }
        if (data.request.messages !== undefined && !opened.local.chatTemplate) {
          throw new Unprocessable(
            '--template chat: the checkpoint has no chat template; use --template r1-zero or raw',
          );
        }
      }
      if (data.format === GENERATE_JOB_FORMAT) {
        const samples = await processGenerateJob(data, sampler);
        consecutive429 = 0;
        return samples;
      }
      const records = await processEvalJob(data, sampler, await scorerFor(data));
      consecutive429 = 0;
      return records;
    } catch (error) {
      if (error instanceof EndpointError && error.status === 429) {
        consecutive429++;
        // The server's Retry-After when it sent one; else 250 ms, doubling with each 429 in a row, up to 30 s.
        const backoff = Math.min(30_000, 250 * 2 ** Math.min(consecutive429 - 1, 7));
        throw new RateLimited(error.message, error.retryAfterMs ?? backoff);
      }
      throw error;
    } finally {
      active--;
      lastActivity = performance.now();
    }
  };

  const counts = { done: 0, duplicates: 0, retried: 0, rateLimited: 0, failed: 0 };
  // An endpoint's rate limits are its own: shared by every worker of that endpoint (on any queue), not by workers of
  // other endpoints. A local model has no server to protect, so its limits are the queue's.
  const endpoint = w.endpoint === null ? null : normaliseBaseUrl(w.endpoint);
  const scope = endpoint === null ? 'all workers of the queue' : `all workers of ${endpoint}`;
  const onEvent = (e: WorkerEvent) => {
    switch (e.type) {
      case 'completed':
        if (e.stored) counts.done++;
        else counts.duplicates++;
        return;
      case 'duplicate':
        counts.duplicates++;
        return;
      case 'rate-limited':
        counts.rateLimited++;
        io.stderr(`worker: rate-limited (${e.message}); ${scope} pause ${Math.round(e.ms)} ms\n`);
        return;
      case 'endpoint-wait':
        // Another worker's 429 or the shared --rate-limit: the job went back unstarted, nothing to report per job.
        return;
      case 'failed':
        if (e.willRetry) counts.retried++;
        else counts.failed++;
        io.stderr(`worker: job ${e.id} failed (${e.message})${e.willRetry ? '; it will be retried' : ''}\n`);
        return;
      case 'stalled':
        io.stderr(`worker: job ${e.id} had stalled (its worker died); it is back in the queue\n`);
        return;
    }
  };
  const worker = await startWorker<EvalJobData | SampleJobData, SampleRecord[] | GeneratedSample[]>({
    url: w.queue,
    queueName: w.queueName,
    process: processJob,
    concurrency: w.concurrency,
    lockDurationMs: w.lockSeconds * 1000,
    stalledIntervalMs: w.lockSeconds * 1000,
    ...(w.rateLimit === null ? {} : { limiter: { max: w.rateLimit.max, durationMs: w.rateLimit.seconds * 1000 } }),
    ...(endpoint === null ? {} : { endpoint }),
    onEvent,
  });
  io.stderr(
    `r1-eval worker ${worker.name}: serving ${opened.label} on queue ${w.queueName} at ${w.queue} ` +
      `(concurrency ${w.concurrency})\n`,
  );
  const stop = () => void worker.close();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Idle: nothing active here and nothing unfinished in the queue (a job waiting out a rate limit is unfinished).
  let checking = false;
  const timer = setInterval(() => {
    if (w.exitWhenIdle === null || checking) return;
    checking = true;
    void (async () => {
      const unfinished = active > 0 ? 1 : await worker.unfinishedJobs().catch(() => 1);
      if (unfinished > 0) lastActivity = performance.now();
      else if (performance.now() - lastActivity >= w.exitWhenIdle! * 1000) stop();
    })().finally(() => {
      checking = false;
    });
  }, 250);
  try {
    await worker.closed;
    return 0;
  } catch (error) {
    io.stderr(`r1-eval worker: ${(error as Error).message}\n`);
    return 1;
  } finally {
    clearInterval(timer);
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    io.stderr(
      `r1-eval worker ${worker.name}: stopped; ${counts.done} jobs done, ${counts.duplicates} duplicates skipped, ` +
        `${counts.retried} failed attempts retried, ${counts.failed} failed, ${counts.rateLimited} rate-limited\n`,
    );
  }
}

/**
 * A local engine generates one call at a time (calls are queued); an endpoint engine takes concurrent calls, which
 * become concurrent requests.
 */
function serialised(sampler: Sampler, local: boolean): Sampler {
  if (!local) return sampler;
  let chain: Promise<unknown> = Promise.resolve();
  return {
    modelId: sampler.modelId,
    generate(requests, params) {
      const run = chain.then(() => sampler.generate(requests, params));
      chain = run.catch(() => {});
      return run;
    },
    close: () => sampler.close(),
  };
}
