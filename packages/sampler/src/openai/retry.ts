/**
 * Retrying HTTP calls to inference servers: exponential backoff with jitter on 429, 5xx and connection errors,
 * honouring Retry-After; a per-attempt timeout; every attempt goes to the next base URL (round-robin over a fleet).
 * After the last attempt it throws with the server's own message — never an empty result in place of an error.
 */

export interface RetryOptions {
  /** Retries after the first attempt. Default 5. */
  maxRetries: number;
  /** Backoff before retry i is min(maxBackoffMs, initialBackoffMs · 2^i), jittered to [½, 1]× of that. */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Per-attempt timeout. Default 10 minutes (long reasoning completions are slow). */
  timeoutMs: number;
}

export const DEFAULT_RETRY_OPTIONS: RetryOptions = {
  maxRetries: 5,
  initialBackoffMs: 500,
  maxBackoffMs: 30_000,
  timeoutMs: 600_000,
};

export class EndpointError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly url: string,
    readonly retryable: boolean,
    /** The server's Retry-After, in ms, on the last answer (429, 503); null when it sent none. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'EndpointError';
  }
}

/** Parses Retry-After (delta-seconds or an HTTP date) into milliseconds; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

export function backoffMs(attempt: number, options: RetryOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxBackoffMs, options.initialBackoffMs * 2 ** attempt);
  return ceiling * (0.5 + 0.5 * random());
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Pulls the human message out of an OpenAI-style error body ({"error": {"message"}}, {"message"}, {"detail"}). */
function serverMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const err = parsed.error as Record<string, unknown> | string | undefined;
    if (typeof err === 'string') return err;
    if (err && typeof err.message === 'string') return err.message;
    if (typeof parsed.message === 'string') return parsed.message;
    if (typeof parsed.detail === 'string') return parsed.detail;
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.slice(0, 500);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface PostJsonOptions extends RetryOptions {
  headers: Record<string, string>;
  fetch: typeof fetch;
  /** Picks the base URL for each attempt (round-robin). */
  nextBaseUrl: () => string;
  random?: () => number;
}

/** POSTs `body` to `<baseUrl><path>` with retries; resolves to the parsed JSON response. */
export async function postJsonWithRetry(path: string, body: unknown, options: PostJsonOptions): Promise<unknown> {
  let lastError: EndpointError | null = null;
  for (let attempt = 0; attempt <= options.maxRetries; attempt++) {
    const url = `${options.nextBaseUrl()}${path}`;
    let waitMs: number | null = null;
    try {
      const response = await options.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      const text = await response.text();
      if (response.ok) {
        try {
          return JSON.parse(text);
        } catch {
          lastError = new EndpointError(
            `${url} returned invalid JSON: ${text.slice(0, 200)}`,
            response.status,
            url,
            true,
          );
        }
      } else {
        const retryable = isRetryableStatus(response.status);
        waitMs = parseRetryAfter(response.headers.get('retry-after'));
        lastError = new EndpointError(
          `${url} answered ${response.status}: ${serverMessage(text)}`,
          response.status,
          url,
          retryable,
          waitMs,
        );
        if (!retryable) throw lastError;
      }
    } catch (error) {
      if (error instanceof EndpointError && !error.retryable) throw error;
      if (!(error instanceof EndpointError)) {
        const cause = error as Error & { cause?: { code?: string; message?: string } };
        const detail = cause.cause?.code ?? cause.cause?.message ?? cause.message;
        const what = cause.name === 'TimeoutError' ? `timed out after ${options.timeoutMs} ms` : `failed (${detail})`;
        lastError = new EndpointError(`request to ${url} ${what}`, null, url, true);
      }
    }
    if (attempt < options.maxRetries) {
      await sleep(Math.min(options.maxBackoffMs, waitMs ?? backoffMs(attempt, options, options.random)));
    }
  }
  const final = lastError!;
  throw new EndpointError(
    `${final.message} — gave up after ${options.maxRetries + 1} attempts`,
    final.status,
    final.url,
    false,
    final.retryAfterMs,
  );
}

/** Runs async tasks with at most `limit` in flight; results keep input order; the first failure rejects. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
