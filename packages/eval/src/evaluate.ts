/**
 * `evaluate()`: the R1 evaluation protocol over any sampler — k samples per problem (temperature 0.6, top-p 0.95 in
 * the paper), every sample scored and recorded, then pass@1 (mean over the k samples) with a bootstrap CI, cons@k by
 * majority vote over verifier equivalence classes, and pass@k for k = 1, 2, 4, ….
 *
 * Resumable: with a {@link SampleCache}, samples already recorded are not generated again. Problem p's sample j is
 * drawn from the stream (hash(prompt) ⊕ seed, j), so an interrupted-then-resumed run yields exactly the records of an
 * uninterrupted one with a seeded local sampler.
 *
 * It does not know how to extract or verify answers (the caller passes `score` and `equivalent`, e.g. the math
 * verifier) nor how prompts are templated (the caller passes `template`).
 */
import {
  type DrawnSample,
  drawMissing,
  type GenerationRequest,
  inBatches,
  planSamples,
  resolveSamplingParams,
  type Sampler,
  type SamplingParams,
} from '@r1/sampler';
import { consOfScored } from './cons-at-k';
import { meanAtK } from './pass-at-k';
import type { SampleCache, SampleRecord } from './sample-cache';
import { summarizeScores } from './score-summary';

export interface EvalProblem {
  id: string;
  prompt: string;
  answer: string;
  meta?: Record<string, unknown>;
}

export interface ScoredCompletion {
  correct: boolean;
  extracted: string | null;
}

export interface EvaluateOptions {
  dataset: Iterable<EvalProblem> | AsyncIterable<EvalProblem>;
  sampler: Sampler;
  /** Turns a problem into a generation request (R1-Zero template, chat messages, raw text). */
  template: (problem: EvalProblem) => GenerationRequest;
  /** Samples per problem. */
  k: number;
  /** Sampling parameters (n is set to k). The paper: temperature 0.6, topP 0.95. */
  params: Partial<SamplingParams>;
  /**
   * Scores one completion against its problem (extracts the answer and verifies it). Must not throw for anything
   * the completion does. It may be async (code judged in a sandbox): the samples of one sampler call are scored
   * concurrently while the next call generates, and recorded once all of them are scored. A rejection stops the
   * run (after the calls in flight are settled) with nothing of its sampler call recorded, so a broken judge never
   * leaves samples recorded as wrong.
   */
  score: (completion: string, problem: EvalProblem) => ScoredCompletion | Promise<ScoredCompletion>;
  /** Are two extracted answers equivalent (for cons@k)? Default: string equality after trimming. */
  equivalent?: (a: string, b: string) => boolean;
  cache?: SampleCache;
  /** Problems generated per sampler call. Default 8. */
  batchProblems?: number;
  /** Seed of the bootstrap. Default 0. */
  bootstrapSeed?: number;
  onProgress?: (progress: EvalProgress) => void;
}

export interface EvalProgress {
  problemsDone: number;
  samplesDone: number;
  /** Samples generated in this run (not taken from the cache). */
  samplesGenerated: number;
  runningPass1: number;
}

export interface ProblemResult {
  problemId: string;
  gold: string;
  samples: SampleRecord[];
  pass1: number;
  consCorrect: boolean;
  consAnswer: string | null;
}

export interface EvalAggregate {
  problems: number;
  samplesPerProblem: number;
  pass1: number;
  pass1CI: [number, number];
  consK: number;
  /** Unbiased pass@k averaged over problems, for k = 1, 2, 4, … ≤ samplesPerProblem (and samplesPerProblem). */
  passAtK: Record<string, number>;
  meanTokens: number;
  truncated: number;
}

export interface EvalResult {
  problems: ProblemResult[];
  aggregate: EvalAggregate;
}

/** Aggregates per-problem results (used by `evaluate` and to re-report a run from its records). */
export function aggregate(problems: readonly ProblemResult[], bootstrapSeed = 0): EvalAggregate {
  if (problems.length === 0) throw new Error('aggregate: no problems were evaluated');
  const core = summarizeScores(
    problems.map((p) => ({ id: p.problemId, correct: p.samples.map((s) => s.correct) })),
    { bootstrap: { seed: bootstrapSeed } },
  );
  const all = problems.flatMap((p) => p.samples);
  return {
    problems: core.problems,
    samplesPerProblem: core.samplesPerProblem,
    pass1: core.pass1,
    pass1CI: core.pass1CI,
    consK: problems.filter((p) => p.consCorrect).length / problems.length,
    passAtK: core.passAtK,
    meanTokens: all.reduce((s, r) => s + r.tokens, 0) / all.length,
    truncated: all.filter((r) => r.finishReason === 'length').length / all.length,
  };
}

/** Builds a problem's result from its k sample records. */
export function problemResult(
  problem: Pick<EvalProblem, 'id' | 'answer'>,
  samples: SampleRecord[],
  equivalent: (a: string, b: string) => boolean,
): ProblemResult {
  const cons = consOfScored(samples, equivalent);
  return {
    problemId: problem.id,
    gold: problem.answer,
    samples,
    pass1: meanAtK(samples.map((s) => s.correct)),
    consCorrect: cons.correct,
    consAnswer: cons.answer,
  };
}

const isPromise = <T>(x: T | Promise<T>): x is Promise<T> => typeof (x as { then?: unknown })?.then === 'function';

export async function evaluate(options: EvaluateOptions): Promise<EvalResult> {
  const k = options.k;
  if (!Number.isInteger(k) || k < 1) throw new Error(`evaluate: k must be an integer ≥ 1, got ${k}`);
  const params = resolveSamplingParams({ ...options.params, n: 1 });
  const equivalent = options.equivalent ?? ((a, b) => a.trim() === b.trim());
  const modelId = options.sampler.modelId;
  const results: ProblemResult[] = [];
  const seenIds = new Set<string>();
  let samplesDone = 0;
  let samplesGenerated = 0;
  let correctSoFar = 0;

  for await (const batch of inBatches(options.dataset, options.batchProblems ?? 8)) {
    for (const problem of batch) {
      if (seenIds.has(problem.id))
        throw new Error(`evaluate: problem id "${problem.id}" appears twice; ids must be unique`);
      seenIds.add(problem.id);
    }
    const plans = planSamples(batch, options.template, modelId, params, k);
    const fresh = new Map<string, SampleRecord>();
    // Async scores of earlier sampler calls, settled in order before the batch is summarised.
    let pending: Promise<void> = Promise.resolve();
    let failure: { error: unknown } | null = null;
    const keep = (drawn: readonly DrawnSample<EvalProblem>[], scored: readonly ScoredCompletion[]) => {
      const records: SampleRecord[] = drawn.map(({ plan, sampleIndex, completion }, i) => ({
        key: plan.keys[sampleIndex]!,
        problemId: plan.item.id,
        sampleIndex,
        modelId,
        completion: completion.text,
        extracted: scored[i]!.extracted,
        correct: scored[i]!.correct,
        finishReason: completion.finishReason,
        tokens: completion.tokenIds.length,
      }));
      options.cache?.append(records);
      for (const r of records) fresh.set(r.key, r);
    };
    try {
      samplesGenerated += await drawMissing(
        options.sampler,
        plans,
        params,
        (key) => options.cache?.has(key) ?? false,
        (drawn) => {
          if (failure !== null) throw failure.error;
          const scores = drawn.map(({ plan, completion }) => options.score(completion.text, plan.item));
          if (!scores.some(isPromise)) {
            keep(drawn, scores as ScoredCompletion[]);
            return;
          }
          const all = Promise.all(scores);
          pending = pending.then(async () => {
            try {
              keep(drawn, await all);
            } catch (error) {
              failure ??= { error };
            }
          });
          // A rejection is kept in `failure` and rethrown below, never left unhandled.
          all.catch(() => {});
        },
      );
    } finally {
      await pending;
    }
    if (failure !== null) throw (failure as { error: unknown }).error;

    for (const plan of plans) {
      const samples = plan.keys.map((key) => {
        const record = fresh.get(key) ?? options.cache?.get(key);
        if (!record) throw new Error(`evaluate: sample ${key} of problem ${plan.item.id} is missing after generation`);
        return record;
      });
      const result = problemResult(plan.item, samples, equivalent);
      results.push(result);
      samplesDone += samples.length;
      correctSoFar += samples.filter((s) => s.correct).length;
    }
    options.onProgress?.({
      problemsDone: results.length,
      samplesDone,
      samplesGenerated,
      runningPass1: correctSoFar / samplesDone,
    });
  }
  return { problems: results, aggregate: aggregate(results, options.bootstrapSeed) };
}
