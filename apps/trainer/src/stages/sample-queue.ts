/**
 * The coordinator of `r1-train sample run --queue URL`: every trace OUT/traces.jsonl lacks is enqueued as a
 * generate-only job (one per contiguous missing range of a problem's k samples: the very request a local run would
 * make, split by the same `missingRanges`), and each job's samples are appended to traces.jsonl as they come back.
 * The file stays the resume cache: traces already there are never enqueued, and a coordinator killed with -9 and
 * rerun takes what workers finished meanwhile from Redis and enqueues only the rest (jobs still queued are not
 * duplicated: their ids are deterministic).
 *
 * Workers (`r1-eval worker`, which serves these jobs beside r1-eval's) only generate. Verification, filtering,
 * selection and dedup stay here: once the file holds every trace, the sample stage runs `rejectionSample` over it
 * exactly as a local run does (it finds every trace cached and draws none), so the outputs are a local run's.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GENERATE_JOB_FORMAT,
  type GeneratedSample,
  type GenerateJobData,
  jobId,
  type QueuedRunIo,
  type QueueJob,
  runQueuedJobs,
} from '@r1/queue';
import {
  ContaminationIndex,
  checkSameSettings,
  DEFAULT_RS_SAMPLING,
  type FilterOptions,
  generationSettings,
  indexBenchmarkFile,
  type RSProblem,
  resolveFilterOptions,
  TraceCache,
  type TraceRecord,
} from '@r1/rejection-sampling';
import {
  type Engine,
  type FinishReason,
  type GenerationRequest,
  missingRanges,
  planSamples,
  resolveSamplingParams,
  type SamplePlan,
  type SamplingParams,
} from '@r1/sampler';

/** Default `--queue-name` of `r1-train sample run --queue` (r1-eval's runs use 'r1-eval'). */
export const DEFAULT_SAMPLE_QUEUE_NAME = 'r1-sample';

export type SampleJobData = GenerateJobData<GenerationRequest, SamplingParams>;

export interface QueueTarget {
  url: string;
  name: string;
  /** Retries per job for ordinary failures (the job gets 1 + this many attempts); 429s use none. */
  maxRetries: number;
  io: QueuedRunIo;
}

/**
 * The jobs for every sample of `plans` that `has` does not hold. The id hashes the model, the sampling settings,
 * the problem (id and rendered prompt, which carries the template) and the range, so a rerun enqueues the same ids.
 */
export function planSampleJobs(
  plans: readonly SamplePlan<RSProblem>[],
  params: SamplingParams,
  has: (key: string) => boolean,
  modelId: string,
): {
  jobs: QueueJob<SampleJobData>[];
  ranges: Map<string, { plan: SamplePlan<RSProblem>; first: number; count: number }>;
} {
  const ranges = new Map<string, { plan: SamplePlan<RSProblem>; first: number; count: number }>();
  const jobs = missingRanges(plans, has).map(({ plan, first, count }) => {
    const jobParams = { ...params, n: count };
    const { n: _n, ...settings } = jobParams;
    const id = jobId({
      kind: 'r1-train sample',
      model: modelId,
      settings,
      problem: [plan.item.id, plan.prompt],
      range: [first, count],
    });
    ranges.set(id, { plan, first, count });
    const data: SampleJobData = {
      format: GENERATE_JOB_FORMAT,
      modelId,
      params: jobParams,
      request: { ...plan.request, seed: plan.seed, firstSampleIndex: first },
      first,
      count,
    };
    return { id, data };
  });
  return { jobs, ranges };
}

/** A job's samples as the trace records a local run appends for them (rejectionSample's record, field for field). */
export function traceRecords(
  plan: SamplePlan<RSProblem>,
  first: number,
  modelId: string,
  samples: readonly GeneratedSample[],
): TraceRecord[] {
  return samples.map((s, i) => ({
    key: plan.keys[first + i]!,
    problemId: plan.item.id,
    sampleIndex: first + i,
    modelId,
    completion: s.text,
    finishReason: s.finishReason as FinishReason,
    // As rejectionSample records it: no token ids from the engine (an endpoint without --return-token-ids) is null.
    tokens: s.tokenIds > 0 || s.text === '' ? s.tokenIds : null,
  }));
}

export interface QueuedSampleInput {
  out: string;
  problems: readonly RSProblem[];
  request: (problem: RSProblem) => GenerationRequest;
  modelId: string;
  k: number;
  params: Partial<SamplingParams>;
  /** The run's generation settings beyond sampling (template, problem source), as run.json records them. */
  settings: Record<string, unknown>;
  filters: Partial<FilterOptions>;
  decontaminate: readonly string[];
  queue: QueueTarget;
}

/** Fills OUT/traces.jsonl with every trace of the run through the queue; resolves when all are there. */
export async function fillTracesThroughQueue(input: QueuedSampleInput): Promise<void> {
  const { out, queue } = input;
  const params = resolveSamplingParams({ ...DEFAULT_RS_SAMPLING, ...input.params, n: 1 });
  const settings = generationSettings(input.modelId, input.k, params, input.settings);
  mkdirSync(out, { recursive: true });
  // Before anything is enqueued or appended: a directory of another run is refused, and a coordinator killed before
  // rejectionSample ran still leaves run.json for the rerun's check.
  checkSameSettings(out, settings);
  const runJson = join(out, 'run.json');
  writeFileSync(`${runJson}.tmp`, `${JSON.stringify(settings, null, 2)}\n`);
  renameSync(`${runJson}.tmp`, runJson);
  // Contaminated problems are not sampled at all, as in a local run (rejectionSample skips them the same way).
  const ngram = resolveFilterOptions(input.filters).decontaminationNgram;
  const index = new ContaminationIndex(ngram);
  for (const file of input.decontaminate) await indexBenchmarkFile(index, file);
  const clean = input.problems.filter((p) => index.match(p.prompt) === null);
  const plans = planSamples(clean, input.request, input.modelId, params, input.k);
  const cache = new TraceCache(join(out, 'traces.jsonl'));
  try {
    const { jobs, ranges } = planSampleJobs(plans, params, (key) => cache.has(key), input.modelId);
    const samples = jobs.reduce((s, j) => s + j.data.count, 0);
    queue.io.stderr(
      `r1-train sample: queue ${queue.name} at ${queue.url}: ${jobs.length} jobs (${samples} samples) to do, ` +
        `${cache.size} traces already in ${join(out, 'traces.jsonl')}\n`,
    );
    if (jobs.length === 0) return;
    await runQueuedJobs<SampleJobData, GeneratedSample[]>(
      {
        url: queue.url,
        queueName: queue.name,
        jobs,
        attempts: queue.maxRetries + 1,
        onResult: (id, result) => {
          const { plan, first, count } = ranges.get(id)!;
          if (!Array.isArray(result) || result.length !== count) {
            throw new Error(
              `queue job ${id}: a worker returned ${Array.isArray(result) ? result.length : 'no'} samples for ` +
                `${count}; is every worker an r1-eval of this version?`,
            );
          }
          cache.append(traceRecords(plan, first, input.modelId, result));
        },
      },
      queue.io,
    );
  } finally {
    cache.close();
  }
}

/** The engine of a queued run's coordinator: the model's id (which keys the traces), and no generation. */
export function coordinatorEngine(modelId: string): Engine {
  return {
    modelId,
    generate: async () => {
      throw new Error('internal: a queued sample run generated locally; every trace must come from the queue');
    },
  };
}
