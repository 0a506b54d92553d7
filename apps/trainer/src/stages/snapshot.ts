/**
 * The measurement every stage of a pipeline reports (its SNAP): held-out accuracy by the R1 protocol (pass@1 with a
 * 95% bootstrap CI, cons@k) and what the R1 paper says RL-trained reasoning looks like — language consistency of
 * the chain of thought, the share of readable outputs (reasoning, then a summary in words), the share in the
 * template's format, and the mean response length.
 *
 * A checkpoint is evaluated through the same `heldOutEval` as training's own evaluation, with its samples recorded
 * in a JSONL cache (an r1-eval results file: `r1-eval compare A.jsonl B.jsonl` gives the paired CI of two stages),
 * so an evaluation killed half way resumes where it stopped.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type EvalResult, SampleCache } from '@r1/eval';
import { loadModel, loadTokenizer } from '@r1/model';
import { createFormatReward, createLanguageConsistencyReward } from '@r1/rewards';
import { createLocalEngine, createSampler } from '@r1/sampler';
import type { TaskItem } from '@r1/tasks';
import { type CompletionFormat, isReadable } from '@r1/templates';
import type { EvalSettings, TrainTemplate } from '../trainer-config';
import { heldOutEval } from './heldout';
import { promptTemplate } from './prompts';

export interface Snap {
  pass1: number;
  pass1CI: [number, number];
  consK: number;
  /** Mean language consistency (share of English words) of the chains of thought. */
  languageConsistency: number;
  /** Share of outputs in the readable R1 format (`isReadable`). */
  readableRate: number;
  /** Share of outputs whose format reward (for the template's format) is 1. */
  formatRate: number;
  meanTokens: number;
  /** How the model was prompted. */
  template: TrainTemplate;
  k: number;
  problems: number;
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/** The SNAP of an evaluation whose completions are in `format`. */
export function snapOf(result: EvalResult, format: CompletionFormat, template: TrainTemplate): Snap {
  const consistency = createLanguageConsistencyReward({ format });
  const formatReward = createFormatReward({ format });
  const texts = result.problems.flatMap((p) => p.samples.map((s) => s.completion));
  return {
    pass1: result.aggregate.pass1,
    pass1CI: result.aggregate.pass1CI,
    consK: result.aggregate.consK,
    languageConsistency: mean(texts.map((t) => consistency(t, { prompt: '' }) ?? 0)),
    readableRate: mean(texts.map((t) => (isReadable(t) ? 1 : 0))),
    formatRate: mean(texts.map((t) => (formatReward(t, { prompt: '' }) === 1 ? 1 : 0))),
    meanTokens: result.aggregate.meanTokens,
    template,
    k: result.aggregate.samplesPerProblem,
    problems: result.aggregate.problems,
  };
}

export interface CheckpointEvalOptions {
  problems: readonly TaskItem[];
  template: TrainTemplate;
  eval: EvalSettings;
  maxNewTokens: number;
  /** The JSONL file of the evaluation's samples (created; reused on a rerun). */
  cachePath: string;
}

/** Evaluates a checkpoint directory on held-out problems; its SNAP and the full result (per-problem pass@1). */
export async function evaluateCheckpoint(
  dir: string,
  o: CheckpointEvalOptions,
): Promise<{ snap: Snap; result: EvalResult }> {
  const [model, tokenizer] = await Promise.all([loadModel(dir), loadTokenizer(dir)]);
  try {
    const prompt = promptTemplate(o.template, tokenizer, dir);
    const sampler = createSampler(createLocalEngine({ model, tokenizer, modelId: dir, maxBatchRows: 128 }));
    mkdirSync(dirname(o.cachePath), { recursive: true });
    const cache = new SampleCache(o.cachePath);
    try {
      const result = await heldOutEval(sampler, o.problems, prompt.render, {
        k: o.eval.k,
        temperature: o.eval.temperature,
        topP: o.eval.topP,
        maxNewTokens: o.maxNewTokens,
        seed: o.eval.seed,
        cache,
      });
      return { snap: snapOf(result, prompt.format, o.template), result };
    } finally {
      cache.close();
    }
  } finally {
    model.dispose();
  }
}
