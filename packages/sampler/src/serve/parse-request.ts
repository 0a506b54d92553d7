/**
 * The body of `POST /v1/completions` and `/v1/chat/completions`, checked and turned into a generation request and
 * sampling parameters, with the server's limits applied (n, max_tokens, the model's context). Every refusal is an
 * {@link HttpError} 400 naming the field and saying what would be accepted.
 *
 * Unknown fields are refused, so a typo does not silently change sampling; OpenAI fields that change nothing here
 * (`user`, `metadata`, `store`, …) are accepted, and ones that would change the output but are not supported
 * (`echo`, penalties, tools, logit_bias, …) are refused unless they hold their neutral value.
 */
import { randomInt } from 'node:crypto';
import { resolveSamplingParams } from '../params';
import type { ChatMessage, GenerationRequest, SamplingParams } from '../types';
import { HttpError } from './http-error';

export interface RequestLimits {
  /** Largest n. */
  maxN: number;
  /** Largest max_tokens, or null for only the context's bound. */
  maxTokens: number | null;
  /** Prompt + completion tokens the model takes, or null if unknown (then the engine checks). */
  contextLength: number | null;
  /** The engine's tokenisation of a request, to check it against the context before it is queued. */
  promptTokenIds: ((request: GenerationRequest) => number[]) | null;
}

export interface ParsedRequest {
  chat: boolean;
  request: GenerationRequest;
  params: SamplingParams;
  stream: boolean;
  /** `stream_options.include_usage`: a last chunk with `usage` and no choices. */
  includeUsage: boolean;
  logprobs: boolean;
  /** vLLM's `return_token_ids`. */
  tokenIds: boolean;
}

type Body = Record<string, unknown>;

const SAMPLING_FIELDS = [
  'model',
  'prompt',
  'messages',
  'n',
  'temperature',
  'top_p',
  'top_k',
  'min_p',
  'max_tokens',
  'max_completion_tokens',
  'stop',
  'seed',
  'logprobs',
  'top_logprobs',
  'repetition_penalty',
  'stop_token_ids',
  'return_token_ids',
  'stream',
  'stream_options',
] as const;
/** Accepted and ignored: they do not change what is generated. */
const IGNORED_FIELDS = ['user', 'metadata', 'store', 'service_tier', 'parallel_tool_calls'] as const;
/** Accepted only with their neutral value: anything else would change the output in a way r1-serve cannot do. */
const NEUTRAL: Record<string, { ok: (v: unknown) => boolean; fix: string }> = {
  echo: { ok: (v) => v === false, fix: "'echo' is not supported by r1-serve" },
  best_of: { ok: (v) => v === 1, fix: "'best_of' is not supported; use n" },
  frequency_penalty: { ok: (v) => v === 0, fix: "'frequency_penalty' is not supported; use repetition_penalty" },
  presence_penalty: { ok: (v) => v === 0, fix: "'presence_penalty' is not supported; use repetition_penalty" },
  logit_bias: {
    ok: (v) => typeof v === 'object' && v !== null && Object.keys(v).length === 0,
    fix: "'logit_bias' is not supported",
  },
  suffix: { ok: (v) => v === '', fix: "'suffix' is not supported" },
  tools: { ok: (v) => Array.isArray(v) && v.length === 0, fix: "'tools' (function calling) is not supported" },
  tool_choice: { ok: (v) => v === 'none', fix: "'tool_choice' is not supported" },
  response_format: {
    ok: (v) => typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'text',
    fix: "'response_format' other than {type: 'text'} is not supported",
  },
};
const KNOWN = new Set<string>([...SAMPLING_FIELDS, ...IGNORED_FIELDS, ...Object.keys(NEUTRAL)]);

function field<T>(body: Body, name: string, check: (v: unknown) => v is T, expected: string): T | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (!check(v)) throw new HttpError(`'${name}' must be ${expected}, got ${JSON.stringify(v)}`, 400, name);
  return v;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown): v is number => Number.isInteger(v);
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isStringOrList = (v: unknown): v is string | string[] =>
  typeof v === 'string' || (Array.isArray(v) && v.every((s) => typeof s === 'string'));
const isIntList = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => Number.isInteger(x));
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkFields(body: Body): void {
  for (const key of Object.keys(body)) {
    if (!KNOWN.has(key)) throw new HttpError(`unknown field '${key}'`, 400, key);
    const neutral = NEUTRAL[key];
    const v = body[key];
    if (neutral && v !== undefined && v !== null && !neutral.ok(v)) throw new HttpError(neutral.fix, 400, key);
  }
}

function contentText(content: unknown, i: number): string {
  if (typeof content === 'string') return content;
  // The array form of the OpenAI API (what several clients send): text parts only.
  if (Array.isArray(content)) {
    return content
      .map((part, j) => {
        if (isObject(part) && part.type === 'text' && typeof part.text === 'string') return part.text;
        throw new HttpError(`messages[${i}].content[${j}] must be a text part {type: 'text', text}`, 400, 'messages');
      })
      .join('');
  }
  throw new HttpError(`messages[${i}].content must be a string or a list of text parts`, 400, 'messages');
}

export function parseMessages(v: unknown): ChatMessage[] {
  if (!Array.isArray(v) || v.length === 0) throw new HttpError("'messages' must be a non-empty list", 400, 'messages');
  return v.map((m, i) => {
    if (!isObject(m)) throw new HttpError(`messages[${i}] must be an object`, 400, 'messages');
    // 'developer' is the OpenAI API's newer name for the system role.
    const role = m.role === 'developer' ? 'system' : m.role;
    if (role !== 'system' && role !== 'user' && role !== 'assistant') {
      throw new HttpError(`messages[${i}].role must be system, developer, user or assistant`, 400, 'messages');
    }
    return { role, content: contentText(m.content, i) };
  });
}

function samplingFrom(body: Body, maxNewTokens: number): SamplingParams {
  const stop = field(body, 'stop', isStringOrList, 'a string or a list of strings');
  try {
    return resolveSamplingParams({
      n: field(body, 'n', isInt, 'an integer') ?? 1,
      temperature: field(body, 'temperature', isNumber, 'a number') ?? 1,
      topP: field(body, 'top_p', isNumber, 'a number') ?? 1,
      // vLLM takes −1 (and 0) for "off".
      topK: Math.max(0, field(body, 'top_k', isInt, 'an integer') ?? 0),
      minP: field(body, 'min_p', isNumber, 'a number') ?? 0,
      maxNewTokens,
      stop: stop === undefined ? [] : typeof stop === 'string' ? [stop] : stop,
      stopTokenIds: field(body, 'stop_token_ids', isIntList, 'a list of integers') ?? [],
      // No seed: a fresh one, so repeated requests differ (OpenAI's behaviour); a given seed reproduces.
      seed: field(body, 'seed', isInt, 'an integer') ?? randomInt(2 ** 31),
      repetitionPenalty: field(body, 'repetition_penalty', isNumber, 'a number') ?? 1,
      logprobsMode: 'raw',
    });
  } catch (error) {
    throw new HttpError((error as Error).message);
  }
}

export function parseCompletionRequest(body: Body, chat: boolean, limits: RequestLimits): ParsedRequest {
  checkFields(body);
  let request: GenerationRequest;
  if (chat) request = { messages: parseMessages(body.messages) };
  else {
    if (typeof body.prompt !== 'string') {
      throw new HttpError("'prompt' must be a string (lists of prompts: send one request each)", 400, 'prompt');
    }
    request = { prompt: body.prompt };
  }
  const stream = field(body, 'stream', isBool, 'true or false') ?? false;
  const options = field(body, 'stream_options', isObject, 'an object');
  if (options !== undefined && !stream) {
    throw new HttpError("'stream_options' is only allowed with stream: true", 400, 'stream_options');
  }
  const includeUsage = options?.include_usage === true;
  const n = field(body, 'n', isInt, 'an integer') ?? 1;
  if (n > limits.maxN) {
    throw new HttpError(
      `n = ${n} is more than this server allows (at most ${limits.maxN}; r1-serve --max-n)`,
      400,
      'n',
    );
  }
  const asked =
    field(body, 'max_tokens', isInt, 'an integer') ?? field(body, 'max_completion_tokens', isInt, 'an integer');
  const tokensParam =
    body.max_tokens !== undefined && body.max_tokens !== null ? 'max_tokens' : 'max_completion_tokens';
  if (asked !== undefined && limits.maxTokens !== null && asked > limits.maxTokens) {
    throw new HttpError(
      `${tokensParam} = ${asked} is more than this server allows (at most ${limits.maxTokens}; r1-serve --max-tokens)`,
      400,
      tokensParam,
    );
  }

  let promptLength: number | null = null;
  if (limits.promptTokenIds !== null) {
    try {
      promptLength = limits.promptTokenIds(request).length;
    } catch (error) {
      throw new HttpError((error as Error).message, 400, chat ? 'messages' : 'prompt');
    }
  }
  const context = limits.contextLength;
  if (context !== null && promptLength !== null && promptLength >= context) {
    throw new HttpError(
      `the prompt is ${promptLength} tokens and this model's context is ${context} tokens ` +
        `(max_position_embeddings), which leaves no room to generate; shorten the prompt`,
      400,
      chat ? 'messages' : 'prompt',
      'invalid_request_error',
      'context_length_exceeded',
    );
  }
  const room = context !== null && promptLength !== null ? context - promptLength : null;
  // Defaults: OpenAI's 16 for completions; for chat, whatever fits (what vLLM does), which chat UIs rely on.
  const fallback = chat && room !== null ? Math.min(room, limits.maxTokens ?? room) : 16;
  const maxNewTokens = asked ?? fallback;
  if (room !== null && maxNewTokens > room) {
    throw new HttpError(
      `${tokensParam} = ${maxNewTokens} is too large: the prompt is ${promptLength} tokens and this model's context ` +
        `is ${context} tokens (max_position_embeddings), so ${tokensParam} can be at most ${room}`,
      400,
      tokensParam,
      'invalid_request_error',
      'context_length_exceeded',
    );
  }
  const params = samplingFrom(body, maxNewTokens);
  if (body.seed !== undefined && body.seed !== null) request.seed = params.seed;
  const logprobs = chat
    ? (field(body, 'logprobs', isBool, 'true or false') ?? false)
    : (field(body, 'logprobs', isInt, 'an integer') ?? -1) >= 0;
  const tokenIds = field(body, 'return_token_ids', isBool, 'true or false') ?? false;
  return { chat, request, params, stream, includeUsage, logprobs, tokenIds };
}
