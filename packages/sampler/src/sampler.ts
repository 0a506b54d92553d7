/**
 * `createSampler(engine)`: the one entry point GRPO, rejection sampling and evaluation use. It resolves and validates
 * sampling parameters, checks requests, and hands them to the engine (local model or OpenAI-compatible endpoint).
 *
 * @example
 * ```ts
 * const sampler = createSampler(createOpenAIEngine({ baseUrl: 'http://localhost:8000/v1', model: 'qwen' }));
 * const [[first]] = await sampler.generate([{ prompt: 'What is 2 + 3?' }], { n: 1, temperature: 0 });
 * console.log(first.text, first.finishReason);
 * ```
 */
import { resolveSamplingParams } from './params';
import type { Completion, Engine, GenerationRequest, SamplingParams } from './types';

export interface Sampler {
  readonly modelId: string;
  /** For every request, `params.n` completions (request order kept). */
  generate(requests: GenerationRequest[], params?: Partial<SamplingParams>): Promise<Completion[][]>;
  close(): Promise<void>;
}

export function createSampler(engine: Engine): Sampler {
  return {
    modelId: engine.modelId,
    async generate(requests, params = {}) {
      const resolved = resolveSamplingParams(params);
      requests.forEach((r, i) => {
        if (r.prompt === undefined && r.messages === undefined && r.promptTokenIds === undefined) {
          throw new Error(`request ${i}: give one of prompt, messages or promptTokenIds`);
        }
        if (r.firstSampleIndex !== undefined && (!Number.isInteger(r.firstSampleIndex) || r.firstSampleIndex < 0)) {
          throw new Error(`request ${i}: firstSampleIndex must be an integer ≥ 0, got ${r.firstSampleIndex}`);
        }
      });
      if (requests.length === 0) return [];
      return engine.generate(requests, resolved);
    },
    async close() {
      await engine.close?.();
    },
  };
}
