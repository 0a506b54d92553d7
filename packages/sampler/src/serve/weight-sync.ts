/**
 * Weight sync over HTTP, in SGLang's protocol, so a trainer that drives SGLang drives r1-serve unchanged:
 *
 * - `POST /update_weights_from_disk {"model_path": DIR, "abort_all_requests"?: bool, "weight_version"?: str,
 *   "load_format"?: "auto" | "safetensors"}` loads the HF-layout checkpoint at DIR while the old weights keep
 *   serving, then swaps it in between decode steps. As in SGLang (its model-update writer lock), requests in flight
 *   finish on the old weights and requests that arrive meanwhile wait and run on the new ones; with
 *   `abort_all_requests` the ones in flight are aborted instead (their clients get an error). It answers
 *   `{"success": true, "message", "num_paused_requests"}`, or `success: false` with a 400 (bad body, a path that is
 *   not a loadable checkpoint — the old weights then stay in use).
 * - `GET /get_model_info` (and SGLang's newer name `/model_info`): `{"model_path", "tokenizer_path",
 *   "is_generation", "weight_version", …}`.
 *
 * SGLang's other update fields (`flush_cache`, `is_async`, `torch_empty_cache`, `keep_pause`,
 * `recapture_cuda_graph`, `token_step`) are accepted and have nothing to act on here (no prefix cache, no CUDA).
 */
import { resolve } from 'node:path';
import type { ContinuousEngine, ModelParts } from '../local/continuous-types';

export interface WeightSyncOptions {
  /** The engine to swap weights in; null when the server runs over an engine that cannot swap. */
  engine: ContinuousEngine | null;
  /** Loads a checkpoint directory; null when the server was started without one. */
  load: ((dir: string) => Promise<ModelParts>) | null;
  /** Frees the parts a swap replaced. */
  dispose: (parts: ModelParts) => void;
  modelPath: string;
  weightVersion: string;
  servedModelName: string;
}

export interface ControlAnswer {
  status: number;
  body: Record<string, unknown>;
}

const SGLANG_IGNORED = [
  'flush_cache',
  'is_async',
  'torch_empty_cache',
  'keep_pause',
  'recapture_cuda_graph',
  'token_step',
];
const KNOWN = new Set(['model_path', 'load_format', 'abort_all_requests', 'weight_version', ...SGLANG_IGNORED]);

const failed = (message: string): ControlAnswer => ({
  status: 400,
  body: { success: false, message, num_paused_requests: 0 },
});

export function createWeightSync(options: WeightSyncOptions) {
  let modelPath = options.modelPath;
  let weightVersion = options.weightVersion;
  let chain: Promise<unknown> = Promise.resolve();

  async function update(body: Record<string, unknown>): Promise<ControlAnswer> {
    for (const key of Object.keys(body)) {
      if (!KNOWN.has(key))
        return failed(
          `unknown field '${key}'; update_weights_from_disk takes model_path, load_format, abort_all_requests, weight_version`,
        );
    }
    const { model_path: path, load_format: format, abort_all_requests: abort, weight_version: version } = body;
    if (typeof path !== 'string' || path.trim() === '')
      return failed("'model_path' must be the checkpoint directory to load");
    if (format !== undefined && format !== null && format !== 'auto' && format !== 'safetensors') {
      return failed(
        `'load_format' ${JSON.stringify(format)} is not supported; r1-serve loads HF-layout safetensors ('auto')`,
      );
    }
    if (abort !== undefined && abort !== null && typeof abort !== 'boolean')
      return failed("'abort_all_requests' must be true or false");
    if (version !== undefined && version !== null && typeof version !== 'string')
      return failed("'weight_version' must be a string");
    const { engine, load } = options;
    if (engine === null || load === null) {
      return failed(
        'this server cannot load weights: it was started without a checkpoint loader (r1-serve --model DIR has one)',
      );
    }
    const dir = resolve(path);
    const started = performance.now();
    let parts: ModelParts;
    try {
      parts = await load(dir);
    } catch (error) {
      return failed(`could not load a checkpoint from ${dir}: ${(error as Error).message}; still serving ${modelPath}`);
    }
    const result = await engine
      .swap(parts, { abortInFlight: abort === true })
      .catch((error: unknown) => error as Error);
    if (result instanceof Error) {
      options.dispose(parts);
      return failed(`could not swap in ${dir}: ${result.message}`);
    }
    options.dispose(result.previous);
    modelPath = dir;
    if (typeof version === 'string') weightVersion = version;
    const ms = Math.round(performance.now() - started);
    const flight = abort === true ? 'were aborted' : 'finished on the previous weights';
    return {
      status: 200,
      body: {
        success: true,
        message:
          `Succeeded to update model weights from ${dir} in ${ms} ms; ${result.inFlight} request(s) in flight ${flight}, ` +
          `${result.queued} waiting request(s) run on the new weights.` +
          (typeof version === 'string' ? ` Weight version updated to ${version}.` : ''),
        num_paused_requests: result.queued,
      },
    };
  }

  return {
    /** One update at a time: a second waits for the first. */
    update(body: Record<string, unknown>): Promise<ControlAnswer> {
      const run = chain.then(() => update(body));
      chain = run.catch(() => undefined);
      return run;
    },
    info(): Record<string, unknown> {
      const config = options.engine?.parts.model.config;
      return {
        model_path: modelPath,
        tokenizer_path: modelPath,
        is_generation: true,
        preferred_sampling_params: null,
        weight_version: weightVersion,
        has_image_understanding: false,
        has_audio_understanding: false,
        model_type: config?.model_type ?? null,
        served_model_name: options.servedModelName,
        max_context_length: config?.max_position_embeddings ?? null,
      };
    },
  };
}
