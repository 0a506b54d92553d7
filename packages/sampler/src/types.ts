/**
 * The one generation interface shared by the local engine (our own model with a KV cache) and OpenAI-compatible
 * endpoints (vLLM, SGLang, r1-serve). GRPO, rejection sampling and evaluation only ever see these types.
 */

/** A chat message, as the OpenAI chat API and Hugging Face chat templates take it. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * One prompt. Give `prompt` (raw text, already templated) or `messages` (rendered by the engine: the checkpoint's chat
 * template locally, the server's for an endpoint). Local engines also accept pre-tokenised `promptTokenIds`.
 */
export interface GenerationRequest {
  prompt?: string;
  messages?: ChatMessage[];
  promptTokenIds?: number[];
  /**
   * Seed of this request's random streams (default: derived from `SamplingParams.seed` and the request's position).
   * Completion j draws from a stream keyed by (seed, firstSampleIndex + j), so it does not depend on the batch.
   */
  seed?: number;
  /** Index of the first of the `n` completions, for generating only samples k..k+n−1 of a problem. Default 0. */
  firstSampleIndex?: number;
}

/**
 * Which distribution `Completion.logprobs` are taken under.
 * - `raw`: the model's own log-probabilities, log softmax(logits) — temperature 1, full vocabulary.
 * - `temperature`: log softmax(logits / T), full vocabulary. This is what TRL's GRPOTrainer computes for the policy
 *   (it divides logits by the sampling temperature), so it is the default: the sampler's numbers then equal the
 *   trainer's "old" log-probs. With T = 0 (greedy) it falls back to `raw`.
 * - `processed`: the distribution actually sampled from, after repetition penalty, temperature, top-k, top-p and min-p
 *   renormalisation (the sampled token's probability under the truncated distribution).
 * With a padded vocabulary (config `vocab_size` larger than the tokenizer, as in Qwen2.5 and R1-Distill-Qwen) the
 * local engines never sample a padding id: `processed` is then under the masked distribution, while `raw` and
 * `temperature` stay over the full vocabulary, the padding included — what the trainer computes from the logits.
 */
export type LogprobsMode = 'raw' | 'temperature' | 'processed';

export interface SamplingParams {
  /** Completions per request. Default 1. */
  n: number;
  /** 0 = greedy (argmax). Default 1. */
  temperature: number;
  /** Nucleus sampling: keep the smallest set of tokens whose probability sums to ≥ topP. 1 = off. Default 1. */
  topP: number;
  /** Keep the topK most likely tokens. 0 = off. Default 0. */
  topK: number;
  /** Drop tokens whose probability is below minP × the top token's probability. 0 = off. Default 0. */
  minP: number;
  /** Maximum number of generated tokens per completion. Default 256. */
  maxNewTokens: number;
  /** Stop strings, matched on decoded text across token boundaries; the stop string is not included in `text`. */
  stop: string[];
  /** Token ids that end a sequence (in addition to the tokenizer's EOS for local engines). Included in tokenIds. */
  stopTokenIds: number[];
  /** Seed for sampling; the same seed and inputs give the same tokens. Default 0. */
  seed: number;
  /** CTRL-style repetition penalty (> 1 discourages tokens already in prompt or completion). 1 = off. Default 1. */
  repetitionPenalty: number;
  /** See {@link LogprobsMode}. Default 'temperature'. */
  logprobsMode: LogprobsMode;
}

export const DEFAULT_SAMPLING_PARAMS: SamplingParams = {
  n: 1,
  temperature: 1,
  topP: 1,
  topK: 0,
  minP: 0,
  maxNewTokens: 256,
  stop: [],
  stopTokenIds: [],
  seed: 0,
  repetitionPenalty: 1,
  logprobsMode: 'temperature',
};

export type FinishReason = 'stop' | 'length';

export interface Completion {
  /** Generated token ids (prompt excluded). For endpoints that do not return ids this is empty. */
  tokenIds: number[];
  /** Decoded completion text, cut before a matched stop string. */
  text: string;
  /** One log-probability per generated token, under `SamplingParams.logprobsMode`; empty if the server gave none. */
  logprobs: number[];
  finishReason: FinishReason;
  /** Number of prompt tokens (as the engine tokenised it). */
  promptTokens: number;
}

/** An engine generates `n` completions for every request; results are in request order. */
export interface Engine {
  /** Identifies the model (for caches keyed by model): a checkpoint path or an endpoint's model name. */
  readonly modelId: string;
  generate(requests: GenerationRequest[], params: SamplingParams): Promise<Completion[][]>;
  /** Frees what the engine holds (tensors, sockets). */
  close?(): Promise<void> | void;
}
