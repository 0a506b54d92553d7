/**
 * An {@link Engine} over OpenAI-compatible servers (vLLM, SGLang, r1-serve, hosted APIs): `/v1/completions` for text
 * prompts and `/v1/chat/completions` for messages. One HTTP call per request asks for all `n` completions.
 * Parameters that are extensions of the OpenAI API (top_k, min_p, repetition_penalty, stop_token_ids) are sent only
 * when they differ from "off", so strict servers that reject unknown fields still work with default settings.
 */
import { deriveSeed } from '../rng';
import type { Completion, Engine, FinishReason, GenerationRequest, SamplingParams } from '../types';
import { normaliseBaseUrl } from './list-models';
import { DEFAULT_RETRY_OPTIONS, mapWithConcurrency, postJsonWithRetry, type RetryOptions } from './retry';

export interface OpenAIEngineOptions extends Partial<RetryOptions> {
  /** One or more base URLs, e.g. "http://gpu-1:8000/v1"; requests are spread round-robin. "/v1" is added if absent. */
  baseUrl: string | string[];
  /** The model name the server expects in the `model` field. */
  model: string;
  apiKey?: string;
  /** Requests in flight at once, across all base URLs. Default 8. */
  concurrency?: number;
  /** Ask for per-token logprobs (default true; some hosted APIs refuse them on completions). */
  logprobs?: boolean;
  /** Ask the server for generated token ids (vLLM ≥ 0.10 and r1-serve understand `return_token_ids`). Default false. */
  returnTokenIds?: boolean;
  /** Extra fields merged into every request body. */
  extraBody?: Record<string, unknown>;
  /** Injected fetch (tests, proxies). Default: global fetch. */
  fetch?: typeof fetch;
}

interface ChoiceJson {
  index?: number;
  text?: string;
  message?: { content?: string | null; reasoning_content?: string | null };
  finish_reason?: string | null;
  logprobs?: {
    token_logprobs?: (number | null)[];
    content?: { logprob: number }[] | null;
  } | null;
  token_ids?: number[];
}

interface ResponseJson {
  choices?: ChoiceJson[];
  usage?: { prompt_tokens?: number };
}

/**
 * The seed sent for a request. A server draws all n samples of a request from its one seed, so a request for
 * samples k… (firstSampleIndex k > 0, e.g. a resumed evaluation) gets a seed of its own — otherwise a seeded server
 * would return samples 0… again.
 */
function requestSeed(request: GenerationRequest, params: SamplingParams, index: number): number {
  const base = request.seed ?? deriveSeed(params.seed, index);
  const first = request.firstSampleIndex ?? 0;
  return first > 0 ? deriveSeed(base, first) : base;
}

function finishReason(raw: string | null | undefined, url: string): FinishReason {
  if (raw === 'length') return 'length';
  if (raw === 'stop' || raw === 'eos' || raw === null || raw === undefined) return 'stop';
  // vLLM reports 'abort' when the request was cancelled: that is an error, not a completion.
  throw new Error(`${url}: completion ended with finish_reason "${raw}"; expected "stop" or "length"`);
}

export function createOpenAIEngine(options: OpenAIEngineOptions): Engine {
  const baseUrls = (Array.isArray(options.baseUrl) ? options.baseUrl : [options.baseUrl]).map(normaliseBaseUrl);
  if (baseUrls.length === 0) throw new Error('createOpenAIEngine: give at least one baseUrl');
  let turn = 0;
  const retry: RetryOptions = { ...DEFAULT_RETRY_OPTIONS, ...options };
  const headers: Record<string, string> = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
  const doFetch = options.fetch ?? fetch;
  const wantLogprobs = options.logprobs ?? true;

  async function one(request: GenerationRequest, params: SamplingParams, index: number): Promise<Completion[]> {
    const chat = request.messages !== undefined;
    if (!chat && request.prompt === undefined) {
      throw new Error(`request ${index}: give prompt or messages (an endpoint cannot take promptTokenIds alone)`);
    }
    const body: Record<string, unknown> = {
      model: options.model,
      n: params.n,
      temperature: params.temperature,
      top_p: params.topP,
      max_tokens: params.maxNewTokens,
      seed: requestSeed(request, params, index),
      ...(params.stop.length > 0 ? { stop: params.stop } : {}),
      ...(params.topK > 0 ? { top_k: params.topK } : {}),
      ...(params.minP > 0 ? { min_p: params.minP } : {}),
      ...(params.repetitionPenalty !== 1 ? { repetition_penalty: params.repetitionPenalty } : {}),
      ...(params.stopTokenIds.length > 0 ? { stop_token_ids: params.stopTokenIds } : {}),
      ...(options.returnTokenIds ? { return_token_ids: true } : {}),
      ...options.extraBody,
    };
    if (chat) {
      body.messages = request.messages;
      if (wantLogprobs) body.logprobs = true;
    } else {
      body.prompt = request.prompt;
      if (wantLogprobs) body.logprobs = 1;
    }
    const path = chat ? '/chat/completions' : '/completions';
    const json = (await postJsonWithRetry(path, body, {
      ...retry,
      headers,
      fetch: doFetch,
      nextBaseUrl: () => baseUrls[turn++ % baseUrls.length]!,
    })) as ResponseJson;

    const where = `${options.model} ${path}`;
    const choices = json.choices;
    if (!Array.isArray(choices) || choices.length !== params.n) {
      throw new Error(
        `${where}: expected ${params.n} choices, got ${Array.isArray(choices) ? choices.length : 'none'}`,
      );
    }
    const ordered = [...choices].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    return ordered.map((choice) => {
      const text = chat ? (choice.message?.content ?? '') : (choice.text ?? '');
      const lp = chat
        ? (choice.logprobs?.content ?? []).map((t) => t.logprob)
        : (choice.logprobs?.token_logprobs ?? []).map((x) => x ?? 0);
      return {
        tokenIds: choice.token_ids ?? [],
        text,
        logprobs: lp,
        finishReason: finishReason(choice.finish_reason, where),
        promptTokens: json.usage?.prompt_tokens ?? 0,
      };
    });
  }

  return {
    modelId: `${options.model}@${baseUrls.join(',')}`,
    generate: (requests, params) =>
      mapWithConcurrency(requests, options.concurrency ?? 8, (request, i) => one(request, params, i)),
  };
}
