/**
 * The contract of the continuous-batching engine (`continuous.ts`): what it takes (a model with its tokenizer and
 * chat template), what a step hands a streaming caller, and the engine's interface beyond `Engine`.
 */
import type { Model } from '@r1/model';
import type { ChatMessage, Completion, Engine, FinishReason, GenerationRequest, SamplingParams } from '../types';
import type { EngineTokenizer } from './engine';
import type { PaddingLog } from './padding';

/** A model with what it takes to turn requests into tokens and back. */
export interface ModelParts {
  model: Model;
  tokenizer: EngineTokenizer;
  /** Renders chat messages to prompt text (the checkpoint's chat template). Needed only for `messages`. */
  renderChat?: (messages: ChatMessage[]) => string;
  /** Identifies the weights (a checkpoint path); `Engine.modelId`. */
  modelId: string;
  /** Text of one token (for logprobs in responses). */
  tokenText?: (id: number) => string;
}

export interface ContinuousEngineOptions extends ModelParts {
  /** Most rows (requests × n) decoded together; further requests wait in arrival order. Default 64. */
  maxBatchRows?: number;
  /** Where the one-line notice of a padded vocabulary goes (at start and after a swap). Default: stderr. */
  log?: PaddingLog;
}

/** What one decode step produced for one completion of a request. */
export interface SampleDelta {
  /** Which of the request's n completions (0-based). */
  index: number;
  tokenId: number;
  logprob: number;
  /** Newly visible text; may be empty (held back: a possible stop string, an incomplete character, or a stop token). */
  text: string;
  /** Set on the completion's last delta. */
  finishReason: FinishReason | null;
}

export interface SubmitOptions {
  /** Called after every decode step with this request's new tokens (one delta per completion still running). */
  onDelta?: (deltas: SampleDelta[]) => void;
  /** Aborting drops the request at the next step boundary; `submit` then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface SwapResult {
  previous: ModelParts;
  /** Requests that were in flight when the swap was asked for (they finished on, or were aborted from, the old weights). */
  inFlight: number;
  /** Requests queued behind the swap; they run on the new weights. */
  queued: number;
}

export interface ContinuousEngine extends Engine {
  /** One request's n completions; the request shares the decode loop with every other one in flight. */
  submit(request: GenerationRequest, params: SamplingParams, options?: SubmitOptions): Promise<Completion[]>;
  /** The prompt as the engine tokenises it (throws on an empty prompt or ids outside the vocabulary). */
  promptTokenIds(request: GenerationRequest): number[];
  /** Longest prompt + completion, in tokens: the model's `max_position_embeddings`. */
  readonly contextLength: number;
  readonly maxBatchRows: number;
  /** The parts in use now. */
  readonly parts: ModelParts;
  stats(): { activeRequests: number; activeRows: number; queuedRequests: number };
  /**
   * Replaces the model between decode steps (see the file header). Resolves once the new model is in use; rejects,
   * changing nothing, when the new tokenizer is larger than the new model's vocabulary.
   */
  swap(parts: ModelParts, options?: { abortInFlight?: boolean }): Promise<SwapResult>;
  /** Rejects queued requests, aborts running ones and frees the cache; the model stays the caller's. */
  close(): Promise<void>;
}
