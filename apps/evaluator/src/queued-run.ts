/**
 * The coordinator of `r1-eval run --queue URL`: every sample results.jsonl lacks is enqueued as a job (one per
 * contiguous missing range of a problem, see queue-job.ts), and each job's records are appended to results.jsonl
 * as they come back, so the file stays the resume cache: rows already there are never enqueued, and a coordinator
 * killed with -9 and rerun takes what workers finished meanwhile from Redis and enqueues only the rest (jobs still
 * queued are not duplicated: their ids are deterministic).
 *
 * It generates and scores nothing itself; once the file holds every sample, run.ts summarises it with the same
 * `evaluate()` as a local run, so the outputs are those of a local run.
 */
import type { EvalProblem, SampleCache, SampleRecord } from '@r1/eval';
import { runQueuedJobs } from '@r1/queue';
import { type GenerationRequest, planSamples, resolveSamplingParams, type SamplingParams } from '@r1/sampler';
import type { Io } from './io';
import type { ScoringKind } from './problems';
import { type EvalJobData, planEvalJobs } from './queue-job';
import type { RunOptions } from './run-options';

export interface QueuedRunInput {
  o: RunOptions;
  problems: readonly EvalProblem[];
  scoring: ScoringKind;
  modelId: string;
  template: (problem: EvalProblem) => GenerationRequest;
  params: Partial<SamplingParams>;
  cache: SampleCache;
  io: Io;
}

/** Fills `cache` with every sample of the run through the queue; resolves when all are there. */
export async function fillThroughQueue(input: QueuedRunInput): Promise<void> {
  const { o, io, cache } = input;
  const params = resolveSamplingParams({ ...input.params, n: 1 });
  const plans = planSamples(input.problems, input.template, input.modelId, params, o.k);
  const jobs = planEvalJobs(plans, params, (key) => cache.has(key), {
    modelId: input.modelId,
    scoring: input.scoring,
    codeLimits: { timeoutSeconds: o.codeTimeout, memoryMb: o.codeMemoryMb },
  });
  const samples = jobs.reduce((s, j) => s + j.data.keys.length, 0);
  io.stderr(`r1-eval: queue ${o.queueName} at ${o.queue}: ${jobs.length} jobs (${samples} samples) to do\n`);
  if (jobs.length === 0) return;
  await runQueuedJobs<EvalJobData, SampleRecord[]>(
    {
      url: o.queue!,
      queueName: o.queueName,
      jobs,
      attempts: o.maxRetries + 1,
      onResult: (_id, records) => cache.append(records),
    },
    io,
  );
}
