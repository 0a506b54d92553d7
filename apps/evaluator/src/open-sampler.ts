/**
 * Opens the sampler of a run: a local checkpoint (tfjs backend initialised first) or an OpenAI-compatible endpoint
 * (its model name looked up at /v1/models when not given, which doubles as a fast reachability check), or, for a
 * queued run's coordinator, only the model's identity.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { initBackend } from '@r1/model';
import { connectRedis } from '@r1/queue';
import {
  createOpenAIEngine,
  createSampler,
  engineFromCheckpoint,
  listModels,
  normaliseBaseUrl,
  type Sampler,
} from '@r1/sampler';
import type { Io } from './io';
import type { RunOptions } from './run-options';
import { UsageError } from './usage-error';

export interface OpenedSampler {
  sampler: Sampler;
  /** Human-readable model name for reports. */
  label: string;
  close(): Promise<void>;
  /** A local checkpoint's context (max_position_embeddings) and whether it has a chat template; null for endpoints. */
  local: { context: number; chatTemplate: boolean } | null;
}

/**
 * `engineRetries` replaces --max-retries for generation requests (not for the model lookup): a queue worker passes 0
 * so that a 429 or a 500 reaches the queue, which rate-limits or retries the job.
 */
export async function openSampler(o: RunOptions, io: Io, engineRetries?: number): Promise<OpenedSampler> {
  if (o.model !== null) return openLocal(o.model, o, io);
  return openEndpoint(endpointsOf(o), o, io, engineRetries);
}

/** The fleet of a run's options (`endpoints`), or its one `endpoint` when only that was set. */
const endpointsOf = (o: RunOptions): readonly string[] => (o.endpoints.length > 0 ? o.endpoints : [o.endpoint!]);

async function openLocal(modelDir: string, o: RunOptions, io: Io): Promise<OpenedSampler> {
  const dir = resolve(modelDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(
      `--model ${modelDir}: no such directory (give a checkpoint directory with config.json)`,
      'run',
    );
  }
  await initBackend((o.backend ?? undefined) as never, { log: (line) => io.stderr(`${line}\n`) });
  const { engine, model, tokenizer } = await engineFromCheckpoint(dir);
  const context = model.config.max_position_embeddings;
  let problem: string | null = null;
  if (o.maxTokens >= context) {
    problem =
      `--max-tokens ${o.maxTokens} does not fit this checkpoint's context of ${context} tokens ` +
      `(max_position_embeddings); pass --max-tokens N with N + the prompt length ≤ ${context}`;
  } else if (o.template === 'chat' && tokenizer.chatTemplate === undefined) {
    problem =
      `--template chat (the default): ${modelDir} has no chat template (tokenizer_config.json chat_template or ` +
      'chat_template.jinja); use --template r1-zero or --template raw';
  }
  if (problem !== null) {
    await engine.close?.();
    throw new UsageError(problem, 'run');
  }
  const sampler = createSampler(engine);
  return {
    sampler,
    label: dir,
    close: () => sampler.close(),
    local: { context, chatTemplate: tokenizer.chatTemplate !== undefined },
  };
}

/** The one model an endpoint serves, from GET /v1/models. */
async function discoverModel(baseUrl: string, apiKey: string | undefined, o: RunOptions): Promise<string> {
  const ids = await listModels(baseUrl, {
    ...(apiKey === undefined ? {} : { apiKey }),
    maxRetries: o.maxRetries,
    timeoutMs: Math.min(o.timeoutSeconds, 30) * 1000,
  });
  if (ids.length === 1) return ids[0]!;
  if (ids.length === 0) throw new Error(`${baseUrl}/models lists no models; pass the model name with --api-model NAME`);
  throw new UsageError(`the endpoint serves ${ids.join(', ')}; pick one with --api-model NAME`, 'run');
}

async function openEndpoint(
  endpoints: readonly string[],
  o: RunOptions,
  io: Io,
  engineRetries = o.maxRetries,
): Promise<OpenedSampler> {
  let apiKey: string | undefined;
  if (o.apiKeyEnv !== null) {
    apiKey = io.env[o.apiKeyEnv];
    if (apiKey === undefined || apiKey === '') {
      throw new UsageError(`--api-key-env ${o.apiKeyEnv}: that environment variable is not set`, 'run');
    }
  }
  const baseUrls = endpoints.map(normaliseBaseUrl);
  const baseUrl = baseUrls[0]!;
  const model = o.apiModel ?? (await discoverModel(baseUrl, apiKey, o));
  // A fleet serves one model: without --api-model (the user's word for it), every other server must list the model
  // the first one serves.
  for (const other of o.apiModel === null ? baseUrls.slice(1) : []) {
    const ids = await listModels(other, {
      ...(apiKey === undefined ? {} : { apiKey }),
      maxRetries: o.maxRetries,
      timeoutMs: Math.min(o.timeoutSeconds, 30) * 1000,
    });
    if (!ids.includes(model)) {
      throw new UsageError(
        `--endpoint ${other} does not serve ${model} (it lists ${ids.join(', ') || 'nothing'}); the servers of one run ` +
          'must serve the same model',
        'run',
      );
    }
  }
  const engine = createOpenAIEngine({
    baseUrl: baseUrls,
    model,
    ...(apiKey === undefined ? {} : { apiKey }),
    concurrency: o.batch,
    maxRetries: engineRetries,
    timeoutMs: o.timeoutSeconds * 1000,
    returnTokenIds: o.returnTokenIds,
  });
  const sampler = createSampler(engine);
  return { sampler, label: `${model} @ ${baseUrls.join(', ')}`, close: () => sampler.close(), local: null };
}

/**
 * The model side of a queued run's coordinator, which generates nothing itself: the same model id and label as
 * `openSampler` (so keys, run.json and reports are those of a local run) and a sampler that refuses to generate.
 * A local checkpoint is not loaded — only its config.json is read, to check --max-tokens against its context —
 * and an endpoint is asked for its model name as in a local run.
 */
export async function openCoordinatorModel(o: RunOptions, io: Io): Promise<OpenedSampler> {
  let modelId: string;
  let label: string;
  if (o.model !== null) {
    const dir = resolve(o.model);
    const configPath = join(dir, 'config.json');
    if (!existsSync(configPath)) {
      throw new UsageError(`--model ${o.model}: no config.json there (give a checkpoint directory)`, 'run');
    }
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as { max_position_embeddings?: number };
    const context = config.max_position_embeddings;
    if (context !== undefined && o.maxTokens >= context) {
      throw new UsageError(
        `--max-tokens ${o.maxTokens} does not fit this checkpoint's context of ${context} tokens ` +
          `(max_position_embeddings); pass --max-tokens N with N + the prompt length ≤ ${context}`,
        'run',
      );
    }
    modelId = dir;
    label = dir;
  } else {
    const opened = await openEndpoint(endpointsOf(o), o, io);
    await opened.close();
    modelId = opened.sampler.modelId;
    label = opened.label;
  }
  // Redis is checked (reachable, noeviction) before anything in --out is touched, like the model.
  (await connectRedis(o.queue!, { field: '--queue' })).disconnect();
  const sampler: Sampler = {
    modelId,
    generate: async () => {
      throw new Error('internal: a queued run generated locally; every sample must come from the queue');
    },
    close: async () => {},
  };
  return { sampler, label, close: async () => {}, local: null };
}
