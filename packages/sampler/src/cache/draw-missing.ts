/**
 * Draws the samples that a cache does not hold yet, for a batch of prompts with k samples each.
 *
 * Prompt p's sample j comes from the stream (hash(prompt) ⊕ seed, j), so the result does not depend on the batch, on
 * which samples were cached, or on how the work was split: an interrupted-then-resumed run draws exactly the samples
 * of an uninterrupted one (with a seeded local engine). One request is made per contiguous run of missing samples
 * of a prompt (usually all k, or none), and requests with the same count share one sampler call.
 *
 * It does not score, store or template anything: the caller maps completions to records and appends them.
 */
import { deriveSeed, hashString } from '../rng';
import type { Sampler } from '../sampler';
import type { Completion, GenerationRequest, SamplingParams } from '../types';
import { renderedPrompt, sampleKey } from './sample-key';

export interface SamplePlan<P> {
  item: P;
  request: GenerationRequest;
  /** The rendered prompt the keys are made from. */
  prompt: string;
  /** Key of sample j, j = 0 … k−1. */
  keys: string[];
  /** Seed of this prompt's streams. */
  seed: number;
}

/** Keys and seeds of every item's k samples. `params` must be resolved (n is ignored). */
export function planSamples<P>(
  items: readonly P[],
  request: (item: P) => GenerationRequest,
  modelId: string,
  params: SamplingParams,
  k: number,
): SamplePlan<P>[] {
  return items.map((item) => {
    const req = request(item);
    const prompt = renderedPrompt(req);
    const keys = Array.from({ length: k }, (_, j) => sampleKey(modelId, prompt, params, j));
    return { item, request: req, prompt, keys, seed: deriveSeed(params.seed, hashString(prompt)) };
  });
}

export interface DrawnSample<P> {
  plan: SamplePlan<P>;
  sampleIndex: number;
  completion: Completion;
}

/**
 * The samples of `plans` that `has` does not hold, as one range per contiguous run of missing sample indices of a
 * problem — the requests `drawMissing` makes (and a work queue's jobs, one per range).
 */
export function missingRanges<P>(
  plans: readonly SamplePlan<P>[],
  has: (key: string) => boolean,
): { plan: SamplePlan<P>; first: number; count: number }[] {
  const ranges: { plan: SamplePlan<P>; first: number; count: number }[] = [];
  for (const plan of plans) {
    const k = plan.keys.length;
    let j = 0;
    while (j < k) {
      if (has(plan.keys[j]!)) {
        j++;
        continue;
      }
      let end = j;
      while (end < k && !has(plan.keys[end]!)) end++;
      ranges.push({ plan, first: j, count: end - j });
      j = end;
    }
  }
  return ranges;
}

/**
 * Generates every sample of `plans` for which `has(key)` is false. Calls `onDrawn` once per sampler call with its
 * samples (so the caller can persist them before the next call) and returns how many were drawn.
 */
export async function drawMissing<P>(
  sampler: Sampler,
  plans: readonly SamplePlan<P>[],
  params: SamplingParams,
  has: (key: string) => boolean,
  onDrawn: (samples: DrawnSample<P>[]) => void,
): Promise<number> {
  const owners = missingRanges(plans, has);
  const byCount = new Map<number, number[]>();
  for (const [i, o] of owners.entries()) byCount.set(o.count, [...(byCount.get(o.count) ?? []), i]);
  let drawn = 0;
  for (const [count, indices] of byCount) {
    const out = await sampler.generate(
      indices.map((i) => {
        const { plan, first } = owners[i]!;
        return { ...plan.request, seed: plan.seed, firstSampleIndex: first };
      }),
      { ...params, n: count },
    );
    const samples: DrawnSample<P>[] = [];
    indices.forEach((i, r) => {
      const { plan, first } = owners[i]!;
      out[r]!.forEach((completion, c) => {
        samples.push({ plan, sampleIndex: first + c, completion });
      });
    });
    onDrawn(samples);
    drawn += samples.length;
  }
  return drawn;
}
