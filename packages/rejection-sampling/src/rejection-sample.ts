/**
 * `rejectionSample(problems, engine, options)`: R1's stage-3 data from any engine — k traces per problem (local
 * checkpoint or OpenAI-compatible endpoints, through @r1/sampler), each verified, filtered, deduplicated and selected,
 * written to `OUT/data.jsonl` as problems complete.
 *
 * Crash-safe and resumable like `r1-eval run`: raw traces go to `OUT/traces.jsonl` (append-only, fsynced) before
 * they are filtered, and `OUT/run.json` records the generation settings. A rerun of the same command draws only the
 * missing traces — problem p's sample j always comes from the stream (hash(prompt) ⊕ seed, j) — and rewrites the
 * outputs from the start, so a run killed at any point and rerun gives exactly the rows of an uninterrupted one.
 * A rerun with different generation settings is refused, naming the difference.
 *
 * Contaminated problems are not sampled at all. It does not load problems or open engines (the CLI does).
 *
 * @example
 * ```ts
 * const engine = createOpenAIEngine({ baseUrl: 'http://localhost:8000/v1', model: 'deepseek-r1', concurrency: 32 });
 * const manifest = await rejectionSample(problems, engine, {
 *   out: 'distill-set', k: 4, params: { maxNewTokens: 8192 }, template: chatTemplate, verifier: 'math',
 *   filters: { format: 'think' }, decontaminate: ['aime24.jsonl', 'math500.jsonl'],
 * });
 * console.log(manifest.kept, manifest.removed);
 * ```
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createSampler,
  drawMissing,
  type Engine,
  type GenerationRequest,
  inBatches,
  planSamples,
  resolveSamplingParams,
  type SamplingParams,
} from '@r1/sampler';
import { type BuilderOptions, DatasetBuilder, type Manifest } from './dataset-builder';
import type { Reason } from './filters';
import { type PromptView, writeJsonAtomic } from './output';
import { TraceCache, type TraceRecord } from './trace-cache';
import type { RSProblem, Trace } from './trace-filter';

/** The R1 paper's evaluation sampling, which R1 also used to sample its SFT data. */
export const DEFAULT_RS_SAMPLING: Readonly<Partial<SamplingParams>> = Object.freeze({
  temperature: 0.6,
  topP: 0.95,
  maxNewTokens: 1024,
  seed: 0,
});

export interface RSProgress {
  problemsDone: number;
  /** Problems in the run when known (for the ETA). */
  problemsTotal: number | null;
  /** Traces seen so far, kept, and removed per reason. */
  seen: number;
  kept: number;
  removed: Record<Reason, number>;
  /** Traces generated in this run (not from the cache). */
  generated: number;
}

export interface RejectionSampleOptions extends Omit<BuilderOptions, 'model' | 'seed'> {
  /** Samples per problem. */
  k: number;
  /** Sampling (n is set per request). Defaults: {@link DEFAULT_RS_SAMPLING}. */
  params?: Partial<SamplingParams>;
  /** Turns a problem into a request (R1-Zero text prompt, chat messages…). */
  template: (problem: RSProblem) => GenerationRequest;
  /**
   * Everything else that identifies the generation for the resume check (template name, problem source…): a rerun
   * into the same directory with any other value is refused.
   */
  settings?: Record<string, unknown>;
  /** Problems per sampler call. Default 8. */
  batchProblems?: number;
  /** Problems in `problems`, when known, for progress. */
  total?: number;
  onProgress?: (progress: RSProgress) => void;
}

/** The generation settings of a run directory, compared on every rerun. */
export function generationSettings(
  modelId: string,
  k: number,
  params: SamplingParams,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const { n: _n, ...sampling } = params;
  return { model: modelId, k, ...sampling, ...extra };
}

/** Throws when `out` holds a run made with other generation settings, naming each difference. */
export function checkSameSettings(out: string, settings: Record<string, unknown>): void {
  const path = join(out, 'run.json');
  if (!existsSync(path)) return;
  let before: Record<string, unknown>;
  try {
    before = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Error(
      `${path}: not readable as JSON (${(error as Error).message}); move the directory away to start afresh`,
    );
  }
  const keys = [...new Set([...Object.keys(before), ...Object.keys(settings)])];
  const diffs = keys
    .filter((key) => JSON.stringify(before[key]) !== JSON.stringify(settings[key]))
    .map((key) => `${key}: ${JSON.stringify(before[key])} before, ${JSON.stringify(settings[key])} now`);
  if (diffs.length > 0) {
    throw new Error(
      `${out} holds a run with other generation settings (${diffs.join('; ')}). ` +
        'Rerun with the same settings to resume, or give another --out.',
    );
  }
}

function promptView(problem: RSProblem, request: GenerationRequest): PromptView {
  return {
    messages: request.messages ?? [{ role: 'user', content: problem.prompt }],
    text: request.prompt ?? null,
  };
}

export async function rejectionSample(
  problems: Iterable<RSProblem> | AsyncIterable<RSProblem>,
  engine: Engine,
  options: RejectionSampleOptions,
): Promise<Manifest> {
  const k = options.k;
  if (!Number.isInteger(k) || k < 1) throw new Error(`rejectionSample: k must be an integer ≥ 1, got ${k}`);
  const params = resolveSamplingParams({ ...DEFAULT_RS_SAMPLING, ...options.params, n: 1 });
  const sampler = createSampler(engine);
  const modelId = sampler.modelId;
  const settings = generationSettings(modelId, k, params, options.settings ?? {});
  mkdirSync(options.out, { recursive: true });
  checkSameSettings(options.out, settings);
  const builder = await DatasetBuilder.open({ ...options, model: modelId, seed: params.seed });
  writeJsonAtomic(join(options.out, 'run.json'), settings);
  const cache = new TraceCache(join(options.out, 'traces.jsonl'));
  const seenIds = new Set<string>();
  let generated = 0;
  let done = 0;
  try {
    for await (const batch of inBatches(problems, options.batchProblems ?? 8)) {
      for (const p of batch) {
        if (seenIds.has(p.id))
          throw new Error(`rejectionSample: problem id "${p.id}" appears twice; ids must be unique`);
        seenIds.add(p.id);
      }
      const clean = batch.filter((p) => builder.contaminatedBy(p) === null);
      const plans = planSamples(clean, options.template, modelId, params, k);
      generated += await drawMissing(
        sampler,
        plans,
        params,
        (key) => cache.has(key),
        (drawn) => {
          cache.append(
            drawn.map(
              ({ plan, sampleIndex, completion }): TraceRecord => ({
                key: plan.keys[sampleIndex]!,
                problemId: plan.item.id,
                sampleIndex,
                modelId,
                completion: completion.text,
                finishReason: completion.finishReason,
                tokens: completion.tokenIds.length > 0 || completion.text === '' ? completion.tokenIds.length : null,
              }),
            ),
          );
        },
      );
      const planOf = new Map(plans.map((p) => [p.item.id, p]));
      for (const problem of batch) {
        const plan = planOf.get(problem.id);
        let traces: Trace[] = [];
        let view: PromptView = promptView(problem, options.template(problem));
        if (plan !== undefined) {
          view = promptView(problem, plan.request);
          traces = plan.keys.map((key, j) => {
            const r = cache.get(key);
            if (r === undefined)
              throw new Error(`rejectionSample: sample ${j} of problem ${problem.id} is missing after generation`);
            return {
              problemId: problem.id,
              sampleIndex: j,
              completion: r.completion,
              finishReason: r.finishReason,
              completionTokens: r.tokens,
            };
          });
        }
        await builder.add(problem, view, traces);
        done++;
      }
      const f = builder.filter;
      options.onProgress?.({
        problemsDone: done,
        problemsTotal: options.total ?? null,
        seen: f.input,
        kept: f.kept,
        removed: { ...f.removed },
        generated,
      });
    }
  } finally {
    cache.close();
  }
  return builder.finish({ ...settings, generated_this_run: generated });
}
