/**
 * One job of a queued `r1-eval run`: a contiguous range of one problem's missing samples — the very request a local
 * run would make for them (`drawMissing` splits the same way) — plus what a worker needs to score them. The job id
 * hashes the model, the sampling and scoring settings, the problem and the range, so a coordinator rerun enqueues
 * the same ids again and nothing twice.
 *
 * `processEvalJob` is the worker's side: generate (from the job's seed and first sample index, so sample j is the
 * same whoever draws it), then score, returning records identical to those `evaluate()` writes for a local run.
 * It does not talk to Redis (worker.ts and queued-run.ts do).
 */
import type { EvalProblem, SampleRecord, ScoredCompletion } from '@r1/eval';
import type { GeneratedSample, GenerateJobData, QueueJob } from '@r1/queue';
import { jobId } from '@r1/queue';
import { type GenerationRequest, missingRanges, type SamplePlan, type Sampler, type SamplingParams } from '@r1/sampler';
import type { ScoringKind } from './problems';
import type { Scorer } from './scoring';

/** Format tag of the job data; a worker refuses jobs of another format. */
export const EVAL_JOB_FORMAT = 'r1-eval/1';

export interface EvalJobData {
  format: typeof EVAL_JOB_FORMAT;
  /** The coordinator's model id (checkpoint path, or model@endpoint): workers must serve the same one. */
  modelId: string;
  /** Resolved sampling parameters; `n` is the range's size. */
  params: SamplingParams;
  /** The request with its seed and first sample index. */
  request: GenerationRequest;
  /** Keys of samples first … first + n − 1. */
  keys: string[];
  first: number;
  problem: EvalProblem;
  scoring: ScoringKind;
  codeLimits: { timeoutSeconds: number | null; memoryMb: number | null };
}

/** The jobs for every sample of `plans` that `has` does not hold: one per contiguous missing range of a problem. */
export function planEvalJobs(
  plans: readonly SamplePlan<EvalProblem>[],
  params: SamplingParams,
  has: (key: string) => boolean,
  context: { modelId: string; scoring: ScoringKind; codeLimits: EvalJobData['codeLimits'] },
): QueueJob<EvalJobData>[] {
  return missingRanges(plans, has).map(({ plan, first: j, count }) => {
    const end = j + count;
    const jobParams = { ...params, n: count };
    const data: EvalJobData = {
      format: EVAL_JOB_FORMAT,
      modelId: context.modelId,
      params: jobParams,
      request: { ...plan.request, seed: plan.seed, firstSampleIndex: j },
      keys: plan.keys.slice(j, end),
      first: j,
      problem: plan.item,
      scoring: context.scoring,
      codeLimits: context.codeLimits,
    };
    const { n: _n, ...settings } = jobParams;
    const id = jobId({
      model: context.modelId,
      settings,
      scoring: [context.scoring, context.codeLimits],
      problem: [plan.item.id, plan.prompt, plan.item.answer],
      range: [j, count],
    });
    return { id, data };
  });
}

/** Generates and scores one job's samples; the records are what a local run would append for them. */
export async function processEvalJob(
  data: EvalJobData,
  sampler: Sampler,
  scorer: Scorer<ScoredCompletion | Promise<ScoredCompletion>>,
): Promise<SampleRecord[]> {
  const [completions] = await sampler.generate([data.request], data.params);
  if (completions === undefined || completions.length !== data.keys.length) {
    throw new Error(`the engine returned ${completions?.length ?? 0} completions for ${data.keys.length} samples`);
  }
  const scores = await Promise.all(completions.map((c) => scorer.score(c.text, data.problem)));
  return completions.map((completion, i) => ({
    key: data.keys[i]!,
    problemId: data.problem.id,
    sampleIndex: data.first + i,
    modelId: data.modelId,
    completion: completion.text,
    extracted: scores[i]!.extracted,
    correct: scores[i]!.correct,
    finishReason: completion.finishReason,
    tokens: completion.tokenIds.length,
  }));
}

/** A generate-only job (`r1-train sample run --queue`): the request and parameters are the sampler's. */
export type SampleJobData = GenerateJobData<GenerationRequest, SamplingParams>;

/** Generates a generate-only job's samples, in sample order; scoring (if any) is the coordinator's. */
export async function processGenerateJob(data: SampleJobData, sampler: Sampler): Promise<GeneratedSample[]> {
  const [completions] = await sampler.generate([data.request], data.params);
  if (completions === undefined || completions.length !== data.count) {
    throw new Error(`the engine returned ${completions?.length ?? 0} completions for ${data.count} samples`);
  }
  return completions.map((c) => ({ text: c.text, finishReason: c.finishReason, tokenIds: c.tokenIds.length }));
}
