/**
 * Response bodies in the OpenAI formats: whole completions (`text_completion`, `chat.completion`) and streamed chunks
 * (`text_completion` chunks, `chat.completion.chunk`), with `logprobs` in each API's shape, vLLM's `token_ids`, and
 * `usage`. Pure functions from completions/deltas to JSON-ready objects; writing them is `server.ts`'s job.
 */
import type { SampleDelta } from '../local/continuous-types';
import type { Completion, FinishReason } from '../types';

export interface ResponseContext {
  id: string;
  created: number;
  model: string;
  chat: boolean;
  logprobs: boolean;
  tokenIds: boolean;
  tokenText: (id: number) => string;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function usageOf(promptTokens: number, completionTokens: number): Usage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

/** The prompt counts once, however many completions (as OpenAI counts it). */
export function usageOfCompletions(completions: Completion[]): Usage {
  return usageOf(
    completions[0]?.promptTokens ?? 0,
    completions.reduce((s, c) => s + c.tokenIds.length, 0),
  );
}

function chatLogprobs(ctx: ResponseContext, ids: number[], logprobs: number[]) {
  return {
    content: ids.map((t, i) => {
      const token = ctx.tokenText(t);
      return { token, logprob: logprobs[i] ?? 0, bytes: [...Buffer.from(token, 'utf8')], top_logprobs: [] };
    }),
  };
}

function completionLogprobs(ctx: ResponseContext, ids: number[], logprobs: number[]) {
  return { tokens: ids.map(ctx.tokenText), token_logprobs: logprobs, top_logprobs: null };
}

/** The non-streamed answer. */
export function completionBody(ctx: ResponseContext, completions: Completion[]) {
  const choices = completions.map((c, index) => {
    const ids = ctx.tokenIds ? { token_ids: c.tokenIds } : {};
    if (ctx.chat) {
      return {
        index,
        message: { role: 'assistant', content: c.text },
        finish_reason: c.finishReason,
        logprobs: ctx.logprobs ? chatLogprobs(ctx, c.tokenIds, c.logprobs) : null,
        ...ids,
      };
    }
    return {
      index,
      text: c.text,
      finish_reason: c.finishReason,
      logprobs: ctx.logprobs ? completionLogprobs(ctx, c.tokenIds, c.logprobs) : null,
      ...ids,
    };
  });
  return {
    id: ctx.id,
    object: ctx.chat ? 'chat.completion' : 'text_completion',
    created: ctx.created,
    model: ctx.model,
    choices,
    usage: usageOfCompletions(completions),
  };
}

/** What one streamed chunk says about one choice. */
export interface ChoicePiece {
  index: number;
  text: string;
  tokenIds: number[];
  logprobs: number[];
  finishReason: FinishReason | null;
}

export function pieceOfDelta(d: SampleDelta): ChoicePiece {
  return { index: d.index, text: d.text, tokenIds: [d.tokenId], logprobs: [d.logprob], finishReason: d.finishReason };
}

/** A piece with nothing to show (held-back text, no logprobs asked, not the last) is not worth a chunk. */
export function worthSending(ctx: ResponseContext, p: ChoicePiece): boolean {
  return p.text !== '' || p.finishReason !== null || ctx.logprobs || ctx.tokenIds;
}

/** One streamed chunk carrying `pieces` (interleaved choices, by index). `usage: null` when usage will follow. */
export function chunkBody(ctx: ResponseContext, pieces: ChoicePiece[], withUsageField: boolean) {
  const choices = pieces.map((p) => {
    const ids = ctx.tokenIds ? { token_ids: p.tokenIds } : {};
    if (ctx.chat) {
      return {
        index: p.index,
        delta: p.text === '' && p.finishReason !== null ? {} : { content: p.text },
        logprobs: ctx.logprobs ? chatLogprobs(ctx, p.tokenIds, p.logprobs) : null,
        finish_reason: p.finishReason,
        ...ids,
      };
    }
    return {
      index: p.index,
      text: p.text,
      logprobs: ctx.logprobs ? completionLogprobs(ctx, p.tokenIds, p.logprobs) : null,
      finish_reason: p.finishReason,
      ...ids,
    };
  });
  return {
    id: ctx.id,
    object: ctx.chat ? 'chat.completion.chunk' : 'text_completion',
    created: ctx.created,
    model: ctx.model,
    choices,
    ...(withUsageField ? { usage: null } : {}),
  };
}

/** The first chunk of each chat choice: the assistant role, no content yet (as OpenAI streams it). */
export function roleChunkBody(ctx: ResponseContext, n: number, withUsageField: boolean) {
  return {
    id: ctx.id,
    object: 'chat.completion.chunk',
    created: ctx.created,
    model: ctx.model,
    choices: Array.from({ length: n }, (_, index) => ({
      index,
      delta: { role: 'assistant', content: '' },
      logprobs: null,
      finish_reason: null,
    })),
    ...(withUsageField ? { usage: null } : {}),
  };
}

/** `stream_options.include_usage`: the last chunk, no choices. */
export function usageChunkBody(ctx: ResponseContext, usage: Usage) {
  return {
    id: ctx.id,
    object: ctx.chat ? 'chat.completion.chunk' : 'text_completion',
    created: ctx.created,
    model: ctx.model,
    choices: [],
    usage,
  };
}
