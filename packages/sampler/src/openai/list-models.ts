/**
 * GET /v1/models of an OpenAI-compatible endpoint: the model names it serves. Retried like generation requests on
 * connection errors, so it doubles as a fast reachability check before a long run starts.
 */

export interface ListModelsOptions {
  apiKey?: string;
  /** Retries after the first attempt on connection errors. Default 5. */
  maxRetries?: number;
  /** Per-attempt timeout in ms. Default 30,000. */
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `baseUrl` ends in /v1. Throws a message that says what to do when the endpoint cannot be reached or read. */
export async function listModels(baseUrl: string, options: ListModelsOptions = {}): Promise<string[]> {
  const url = `${baseUrl}/models`;
  const headers: Record<string, string> = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
  const maxRetries = options.maxRetries ?? 5;
  let lastError = '';
  for (let attempt = 0; attempt <= maxRetries; attempt++) {
    if (attempt > 0) await sleep(Math.min(30_000, 500 * 2 ** (attempt - 1)));
    let response: Response;
    try {
      response = await fetch(url, { headers, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
    } catch (error) {
      const cause = error as Error & { cause?: { code?: string; message?: string } };
      lastError = cause.cause?.code ?? cause.cause?.message ?? cause.message;
      continue;
    }
    const text = await response.text();
    if (!response.ok) {
      throw new Error(
        `${url} answered ${response.status}: ${text.slice(0, 300)} — pass the model name with --api-model NAME`,
      );
    }
    try {
      const json = JSON.parse(text) as { data?: { id?: unknown }[] };
      return (json.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string');
    } catch {
      throw new Error(`${url} returned something that is not JSON: ${text.slice(0, 200)} — pass --api-model NAME`);
    }
  }
  throw new Error(
    `cannot reach the endpoint: GET ${url} failed (${lastError}) after ${maxRetries + 1} attempt(s). ` +
      'Is the server running at that address? Check --endpoint.',
  );
}

/** The base URL with a trailing /v1 (added when missing) and no trailing slash. */
export function normaliseBaseUrl(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return trimmed.endsWith('/v1') ? trimmed : `${trimmed}/v1`;
}
