/**
 * The client half of weight sync, in SGLang's protocol (the server half is r1-serve's serve/weight-sync.ts): a
 * trainer saves its policy in HF layout and asks every inference server to load it with
 * `POST /update_weights_from_disk {"model_path": DIR}`, then checks `GET /get_model_info`. The control routes sit at
 * the server's root, not under /v1, so an endpoint given as "http://gpu-1:30000/v1" is called at
 * "http://gpu-1:30000/update_weights_from_disk".
 *
 * Connection errors, timeouts and 5xx are retried with backoff (the server may be busy finishing requests in flight);
 * a 400 or `success: false` is final and throws with the server's own message, since retrying a checkpoint the
 * server cannot load would only repeat the failure.
 */
import { normaliseBaseUrl } from './list-models';
import { DEFAULT_RETRY_OPTIONS, EndpointError, postJsonWithRetry, type RetryOptions } from './retry';

export interface WeightSyncClientOptions extends Partial<RetryOptions> {
  apiKey?: string;
  /** Injected fetch (tests, proxies). Default: global fetch. */
  fetch?: typeof fetch;
}

export interface WeightUpdate {
  /** The server's message, e.g. "Succeeded to update model weights from … in 41 ms". */
  message: string;
  /** Requests that waited for the swap (SGLang's `num_paused_requests`). */
  pausedRequests: number;
}

/** The server's root ("http://gpu-1:30000") for an endpoint given with or without /v1. */
export function serverRoot(endpoint: string): string {
  return normaliseBaseUrl(endpoint).replace(/\/v1$/, '');
}

/**
 * Asks the server behind `endpoint` to load the HF-layout checkpoint at `modelPath` (a path on the server's disk;
 * the trainer and the servers share it). Resolves once the server answers `success: true`.
 */
export async function updateWeightsFromDisk(
  endpoint: string,
  modelPath: string,
  options: WeightSyncClientOptions & { weightVersion?: string } = {},
): Promise<WeightUpdate> {
  const root = serverRoot(endpoint);
  const body: Record<string, unknown> = {
    model_path: modelPath,
    ...(options.weightVersion === undefined ? {} : { weight_version: options.weightVersion }),
  };
  let json: Record<string, unknown>;
  try {
    json = (await postJsonWithRetry('/update_weights_from_disk', body, {
      ...DEFAULT_RETRY_OPTIONS,
      ...options,
      headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
      fetch: options.fetch ?? fetch,
      nextBaseUrl: () => root,
    })) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof EndpointError && error.status === 404) {
      throw new Error(
        `${root}/update_weights_from_disk does not exist (404): the server cannot load new weights. SGLang and ` +
          'r1-serve have this route; for vLLM see the trainer README (weight sync); or set rollout.weight_sync: none',
      );
    }
    throw new Error(`weight sync to ${root} failed: ${(error as Error).message}`);
  }
  if (json.success !== true) {
    throw new Error(
      `weight sync to ${root} failed: the server answered success ${JSON.stringify(json.success)}: ${String(json.message ?? '')}`,
    );
  }
  return {
    message: typeof json.message === 'string' ? json.message : '',
    pausedRequests: typeof json.num_paused_requests === 'number' ? json.num_paused_requests : 0,
  };
}

/** `GET /get_model_info`: what the server says it serves (`model_path`, `weight_version`, …). */
export async function getModelInfo(
  endpoint: string,
  options: { apiKey?: string; timeoutMs?: number; fetch?: typeof fetch } = {},
): Promise<Record<string, unknown>> {
  const url = `${serverRoot(endpoint)}/get_model_info`;
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, {
      headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (error) {
    const cause = error as Error & { cause?: { code?: string } };
    throw new Error(`GET ${url} failed (${cause.cause?.code ?? cause.message}): is the server running there?`);
  }
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`GET ${url} returned something that is not JSON: ${text.slice(0, 200)}`);
  }
}
