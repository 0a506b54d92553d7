/**
 * Opens the engine a trainer stage samples from: a local checkpoint (tfjs backend initialised first) or one or more
 * OpenAI-compatible endpoints (the model name looked up at /v1/models when not given, which is also a reachability
 * check before any work starts).
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { initBackend } from '@r1/model';
import { createOpenAIEngine, type Engine, engineFromCheckpoint, listModels, normaliseBaseUrl } from '@r1/sampler';

export interface EngineSource {
  model: string | null;
  /** One or more base URLs (requests are spread over them). */
  endpoints: string[];
  apiModel: string | null;
  apiKey: string | null;
  concurrency: number;
  maxRetries: number;
  timeoutSeconds: number;
  returnTokenIds: boolean;
}

export interface OpenedEngine {
  engine: Engine;
  /** Context length of a local checkpoint (null for endpoints). */
  context: number | null;
  /** Counts tokens with the checkpoint's tokenizer (local only). */
  countTokens: ((text: string) => number) | null;
  close(): Promise<void>;
}

export async function openEngine(s: EngineSource, log: (line: string) => void): Promise<OpenedEngine> {
  if (s.model !== null) {
    const dir = resolve(s.model);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new Error(`--model ${s.model}: no such directory (give a checkpoint directory with config.json)`);
    }
    await initBackend(undefined, { log });
    const { engine, model, tokenizer } = await engineFromCheckpoint(dir, { maxBatchRows: Math.max(8, s.concurrency) });
    return {
      engine,
      context: model.config.max_position_embeddings,
      countTokens: (text) => tokenizer.encode(text).length,
      close: async () => {
        await engine.close?.();
      },
    };
  }
  const baseUrls = s.endpoints.map(normaliseBaseUrl);
  let model = s.apiModel;
  if (model === null) {
    const ids = await listModels(baseUrls[0]!, {
      ...(s.apiKey === null ? {} : { apiKey: s.apiKey }),
      maxRetries: s.maxRetries,
      timeoutMs: Math.min(s.timeoutSeconds, 30) * 1000,
    });
    if (ids.length !== 1) {
      throw new Error(
        ids.length === 0
          ? `${baseUrls[0]}/models lists no models; pass the model name with --api-model NAME`
          : `the endpoint serves ${ids.join(', ')}; pick one with --api-model NAME`,
      );
    }
    model = ids[0]!;
  }
  const engine = createOpenAIEngine({
    baseUrl: baseUrls,
    model,
    ...(s.apiKey === null ? {} : { apiKey: s.apiKey }),
    concurrency: s.concurrency,
    maxRetries: s.maxRetries,
    timeoutMs: s.timeoutSeconds * 1000,
    returnTokenIds: s.returnTokenIds,
  });
  return { engine, context: null, countTokens: null, close: async () => {} };
}
