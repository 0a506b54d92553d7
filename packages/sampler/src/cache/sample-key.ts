/**
 * The identity of one sample: a hash of (model id, rendered prompt, the sampling parameters that change what is
 * generated, sample index). `n` is not part of it, since sample j is the same whatever n is; raising k reuses the
 * samples already drawn.
 */
import { createHash } from 'node:crypto';
import type { GenerationRequest, SamplingParams } from '../types';

export function sampleKey(modelId: string, prompt: string, params: SamplingParams, sampleIndex: number): string {
  const { n: _n, ...rest } = params;
  const canonical = JSON.stringify([
    modelId,
    prompt,
    Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)),
    sampleIndex,
  ]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

/** The text a request's samples are keyed by: the prompt, or the messages / token ids as JSON. */
export function renderedPrompt(request: GenerationRequest): string {
  if (request.prompt !== undefined) return request.prompt;
  if (request.messages !== undefined) return JSON.stringify(request.messages);
  return JSON.stringify(request.promptTokenIds ?? []);
}
