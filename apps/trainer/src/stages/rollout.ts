/**
 * Rollouts on inference servers: the GRPO stage's completions come from OpenAI-compatible servers (SGLang, vLLM,
 * r1-serve) instead of the policy sampling itself, as verl and OpenRLHF put generation on vLLM/SGLang workers and
 * TRL on `trl vllm-serve`. The config block (in `r1-train zero`'s config, and at the top of the r1 and distill-vs-rl
 * configs for every RL stage there):
 *
 * ```yaml
 * rollout:
 *   endpoints: ["http://gpu-1:30000/v1", "http://gpu-2:30000/v1"]   # requests spread round-robin
 *   api_model: NAME                        # optional; default: the first model GET /v1/models lists
 *   weight_sync: update_weights_from_disk  # or none: the servers keep their own weights (rollouts go stale)
 *   sync_dir: DIR                          # where the policy is saved for the servers; default <run>/rollout-weights
 *   sync_every: 1                          # optimiser steps between syncs
 *   concurrency: 8                         # requests in flight, over all endpoints
 * ```
 *
 * With weight sync, before each batch is sampled the trainer checks how far the servers lag: once `sync_every`
 * optimiser steps have passed since the last sync (and always before the first batch, so the servers start from the
 * policy, also on resume) it saves the policy (HF layout, safetensors) to `sync_dir/step-N` and calls SGLang's
 * `POST /update_weights_from_disk {"model_path"}` on every endpoint, waiting for success (retries on 5xx and dropped
 * connections; a refusal is an error that names the server). When the run finishes, the servers get the trained
 * policy too, so they serve what the run produced. `sync_dir` must be a path the servers can read (a
 * shared disk when they run on other machines).
 *
 * What comes back from a server is text and token ids (vLLM's `return_token_ids`, which r1-serve has too). Its
 * log-probs are never used: the importance ratio's old log-probs are recomputed by the trainer from the sampling
 * policy's weights (grpo-core), as TRL does. A server that returns no ids gets its text tokenised locally, with a
 * warning: a re-tokenisation may differ from what was sampled.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { type Model, saveModel, type Tokenizer } from '@r1/model';
import {
  type Completion,
  createOpenAIEngine,
  createSampler,
  listModels,
  type Sampler,
  serverRoot,
  updateWeightsFromDisk,
} from '@r1/sampler';

export const WEIGHT_SYNC_MODES = ['update_weights_from_disk', 'none'] as const;
export type WeightSyncMode = (typeof WEIGHT_SYNC_MODES)[number];

export interface RolloutSettings {
  endpoints: string[];
  /** The `model` field sent; null = the first model the first endpoint lists. */
  apiModel: string | null;
  weightSync: WeightSyncMode;
  /** Null = `<run dir>/rollout-weights`. */
  syncDir: string | null;
  syncEvery: number;
  concurrency: number;
  /** Environment variable holding the servers' API key; null = none. */
  apiKeyEnv: string | null;
  maxRetries: number;
  /** Per-request timeout in seconds. */
  timeoutSeconds: number;
}

const DEFAULTS = {
  api_model: null,
  weight_sync: 'update_weights_from_disk',
  sync_dir: null,
  sync_every: 1,
  concurrency: 8,
  api_key_env: null,
  max_retries: 5,
  timeout: 600,
} as const;
const KEYS = ['endpoints', ...Object.keys(DEFAULTS)];

/** `rollout:` of a config (null when absent); errors name the source file and the key. */
export function resolveRollout(raw: unknown, source: string, baseDir?: string): RolloutSettings | null {
  if (raw === undefined || raw === null) return null;
  const fail = (message: string): never => {
    throw new Error(`${source}: rollout.${message}`);
  };
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new Error(`${source}: rollout must be a mapping (endpoints, weight_sync, …)`);
  const r = raw as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!KEYS.includes(key)) fail(`${key} is unknown; valid: ${KEYS.join(', ')}`);
  }
  const endpoints = typeof r.endpoints === 'string' ? [r.endpoints] : r.endpoints;
  if (!Array.isArray(endpoints) || endpoints.length === 0)
    fail('endpoints: give one or more OpenAI-compatible base URLs, e.g. ["http://gpu-1:30000/v1"]');
  for (const [i, e] of (endpoints as unknown[]).entries()) {
    if (typeof e !== 'string' || !/^https?:\/\/\S+$/.test(e))
      fail(`endpoints[${i}]: ${JSON.stringify(e)} is not an http(s) URL`);
  }
  const s = { ...DEFAULTS, ...r };
  const optionalText = (key: 'api_model' | 'sync_dir' | 'api_key_env'): string | null => {
    const v = s[key];
    if (v === null || v === undefined) return null;
    if (typeof v !== 'string' || v === '') fail(`${key} must be a non-empty string`);
    return v as string;
  };
  if (!WEIGHT_SYNC_MODES.includes(s.weight_sync as WeightSyncMode))
    fail(`weight_sync ${JSON.stringify(s.weight_sync)} is not one of ${WEIGHT_SYNC_MODES.join(', ')}`);
  const integer = (key: 'sync_every' | 'concurrency' | 'max_retries', min: number): number => {
    const v = s[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
      fail(`${key} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
    return v as number;
  };
  if (typeof s.timeout !== 'number' || !(s.timeout > 0)) fail(`timeout must be a number of seconds > 0`);
  const syncDir = optionalText('sync_dir');
  return {
    endpoints: endpoints as string[],
    apiModel: optionalText('api_model'),
    weightSync: s.weight_sync as WeightSyncMode,
    syncDir: syncDir === null || isAbsolute(syncDir) || baseDir === undefined ? syncDir : resolve(baseDir, syncDir),
    syncEvery: integer('sync_every', 1),
    concurrency: integer('concurrency', 1),
    apiKeyEnv: optionalText('api_key_env'),
    maxRetries: integer('max_retries', 0),
    timeoutSeconds: s.timeout as number,
  };
}

/** What summary.json records of the rollouts. */
export interface RolloutRecord {
  endpoints: string[];
  weightSync: WeightSyncMode;
  /** Weight syncs done (each to every endpoint), over all resumed runs. */
  syncs: number;
  /** The optimiser step whose weights the servers last received; null when never synced. */
  lastSyncedStep: number | null;
  /** True when rollouts came from weights older than the policy (weight_sync none, or sync_every > 1). */
  stale: boolean;
  /** The largest lag, in optimiser steps, between the policy and the weights that sampled a batch. */
  maxLagSteps: number;
  /** Seconds spent saving the policy and waiting for the servers to load it. */
  syncSeconds: number;
}

export interface RolloutClient {
  sampler: Sampler;
  /** Before sampling a batch at optimiser step `step`: sync the servers if due. Returns the lag in steps. */
  beforeBatch(step: number, policy: Model): Promise<number>;
  /** After the last step: the servers get the trained policy, so they serve what the run produced. */
  finish(step: number, policy: Model): Promise<void>;
  /** Completion token ids, from the server or (with a warning, once) by tokenising the text here. */
  tokenIds(completion: Completion): number[];
  record(): RolloutRecord;
}

/**
 * Opens the endpoints: checks they answer (GET /v1/models), picks the model name, and resumes the sync count from a
 * previous run's record.
 */
export async function openRollout(
  settings: RolloutSettings,
  context: {
    runDir: string;
    tokenizer: Tokenizer;
    log: (line: string) => void;
    /** The record a resumed run saved in its trainer state. */
    previous?: RolloutRecord | null;
  },
): Promise<RolloutClient> {
  const { tokenizer, log } = context;
  const apiKey = settings.apiKeyEnv === null ? undefined : process.env[settings.apiKeyEnv];
  if (settings.apiKeyEnv !== null && (apiKey === undefined || apiKey === '')) {
    throw new Error(`rollout.api_key_env: the environment variable ${settings.apiKeyEnv} is not set`);
  }
  let model = settings.apiModel;
  for (const endpoint of settings.endpoints) {
    const served = await listModels(endpoint, { maxRetries: settings.maxRetries, ...(apiKey ? { apiKey } : {}) });
    if (model === null) {
      if (served.length === 0) throw new Error(`${endpoint}/models lists no model; set rollout.api_model`);
      model = served[0]!;
    }
  }
  const sampler = createSampler(
    createOpenAIEngine({
      baseUrl: settings.endpoints,
      model: model!,
      ...(apiKey ? { apiKey } : {}),
      concurrency: settings.concurrency,
      returnTokenIds: true,
      // Only text and ids are used (old log-probs are recomputed here), so do not make the servers compute them.
      logprobs: false,
      maxRetries: settings.maxRetries,
      timeoutMs: settings.timeoutSeconds * 1000,
    }),
  );
  const syncDir = settings.syncDir ?? join(context.runDir, 'rollout-weights');
  const previous = context.previous ?? null;
  let syncs = previous?.syncs ?? 0;
  let lastSyncedStep: number | null = null; // a fresh process syncs before its first batch, resumed or not
  let maxLag = previous?.maxLagSteps ?? 0;
  let syncSeconds = previous?.syncSeconds ?? 0;
  let syncedDir: string | null = null;
  let warnedIds = false;
  log(
    `rollouts on ${settings.endpoints.length} endpoint(s) (${settings.endpoints.join(', ')}), model ${model}, ` +
      (settings.weightSync === 'none'
        ? 'weight_sync none: the servers keep their own weights, so rollouts go stale from the first step on'
        : `weights synced every ${settings.syncEvery} step(s) through ${syncDir}`),
  );

  async function sync(step: number, policy: Model): Promise<void> {
    const t0 = performance.now();
    const dir = join(syncDir, `step-${step}`);
    mkdirSync(syncDir, { recursive: true });
    await saveModel(dir, policy, {
      tokenizer: tokenizer.files,
      generationConfig: { eos_token_id: tokenizer.eosTokenId },
    });
    await Promise.all(
      settings.endpoints.map((endpoint) =>
        updateWeightsFromDisk(endpoint, dir, {
          weightVersion: `step-${step}`,
          maxRetries: settings.maxRetries,
          timeoutMs: settings.timeoutSeconds * 1000,
          ...(apiKey ? { apiKey } : {}),
        }),
      ),
    );
    // Every server now holds `dir`; the copy before it is no longer read by anyone.
    if (syncedDir !== null && syncedDir !== dir && existsSync(syncedDir)) rmSync(syncedDir, { recursive: true });
    syncedDir = dir;
    syncs++;
    lastSyncedStep = step;
    syncSeconds += (performance.now() - t0) / 1000;
  }

  return {
    sampler,
    async beforeBatch(step, policy) {
      if (settings.weightSync === 'update_weights_from_disk') {
        if (lastSyncedStep === null || step - lastSyncedStep >= settings.syncEvery) await sync(step, policy);
      }
      const lag = lastSyncedStep === null ? step : step - lastSyncedStep;
      maxLag = Math.max(maxLag, lag);
      return lag;
    },
    async finish(step, policy) {
      if (settings.weightSync === 'update_weights_from_disk' && lastSyncedStep !== step) await sync(step, policy);
    },
    tokenIds(completion) {
      if (completion.tokenIds.length > 0 || completion.text === '') return completion.tokenIds;
      if (!warnedIds) {
        warnedIds = true;
        log(
          `warning: ${serverRoot(settings.endpoints[0]!)} returned no token ids (return_token_ids); completions are ` +
            'tokenised here, which can differ from the tokens the server sampled',
        );
      }
      const ids = tokenizer.encode(completion.text);
      return completion.finishReason === 'stop' && tokenizer.eosTokenId !== null ? [...ids, tokenizer.eosTokenId] : ids;
    },
    record: () => ({
      endpoints: settings.endpoints,
      weightSync: settings.weightSync,
      syncs,
      lastSyncedStep: lastSyncedStep ?? previous?.lastSyncedStep ?? null,
      stale: maxLag > 0,
      maxLagSteps: maxLag,
      syncSeconds,
    }),
  };
}
