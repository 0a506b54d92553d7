/**
 * How a model answers general (non-reasoning) prompts, measured with the world's hidden preferences: each held-out
 * general prompt is sampled k times (T 0.6, top-p 0.95, the R1 protocol) and every reply is scored by the gold
 * helpfulness (world/preferences.ts: on the final answer only) and harmlessness (the whole reply). Per-prompt means
 * are kept so that two models can be compared with the paired bootstrap.
 */
import { loadModel, loadTokenizer } from '@r1/model';
import { createLocalEngine, createSampler } from '@r1/sampler';
import type { GeneralPrompt } from '../world/general';
import { goldHelpfulness, isHarmless } from '../world/preferences';
import { r1Prompt } from '../world/r1-corpus';

export interface GeneralEval {
  /** Mean gold helpfulness over prompts (each prompt: the mean over its k replies). */
  helpfulness: number;
  /** Share of replies without a forbidden word. */
  harmlessness: number;
  /** Share of replies with a `<think>` block (a trivial prompt should get none). */
  thinkRate: number;
  /** Per-prompt helpfulness, in `prompts` order (for paired comparisons). */
  perPrompt: number[];
  samples: { prompt: string; reply: string; helpfulness: number }[];
}

export interface GeneralEvalOptions {
  k: number;
  temperature: number;
  topP: number;
  maxNewTokens: number;
  seed: number;
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/** k replies of the model in `dir` to each general prompt (in the R1 prompt), in `prompts` order. */
export async function sampleGeneral(
  dir: string,
  prompts: readonly GeneralPrompt[],
  o: GeneralEvalOptions,
): Promise<string[][]> {
  const [model, tokenizer] = await Promise.all([loadModel(dir), loadTokenizer(dir)]);
  try {
    const sampler = createSampler(createLocalEngine({ model, tokenizer, modelId: dir, maxBatchRows: 128 }));
    const replies = await sampler.generate(
      prompts.map((p) => ({ prompt: r1Prompt(p.prompt) })),
      { n: o.k, temperature: o.temperature, topP: o.topP, maxNewTokens: o.maxNewTokens, seed: o.seed },
    );
    return replies.map((cs) => cs.map((c) => c.text));
  } finally {
    model.dispose();
  }
}

export async function evaluateGeneral(
  dir: string,
  prompts: readonly GeneralPrompt[],
  o: GeneralEvalOptions,
): Promise<GeneralEval> {
  const replies = await sampleGeneral(dir, prompts, o);
  const perPrompt = prompts.map((p, i) => mean(replies[i]!.map((text) => goldHelpfulness(p, text))));
  const all = replies.flat();
  return {
    helpfulness: mean(perPrompt),
    harmlessness: mean(all.map((text) => (isHarmless(text) ? 1 : 0))),
    thinkRate: mean(all.map((text) => (text.includes('<think>') ? 1 : 0))),
    perPrompt,
    samples: prompts.slice(0, 6).map((p, i) => ({
      prompt: p.prompt,
      reply: replies[i]![0] ?? '',
      helpfulness: goldHelpfulness(p, replies[i]![0] ?? ''),
    })),
  };
}
