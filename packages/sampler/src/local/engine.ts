/**
 * The local {@link Engine}: batched decoding on our own model with a KV cache.
 *
 * - Prompts of different lengths share a batch (left padding + attention mask); each prompt is prefilled once and its
 *   cache rows are repeated for its `n` completions (`KVCache.select`).
 * - Finished rows are compacted out of the batch, so they stop costing compute.
 * - Every completion draws from its own random stream keyed by (request seed, sample index): the same seed and inputs
 *   give the same tokens whatever the batch size or the finishing order of other rows.
 * - EOS and stop token ids end a row (the token is kept in `tokenIds`/`logprobs`, not in `text`); stop strings are
 *   matched on the decoded text across token boundaries and cut from `text`.
 * - Ids past the tokenizer (a padded `vocab_size`, see `padding.ts`) are never drawn.
 *
 * It knows nothing of chat templates beyond calling the injected `renderChat`, and nothing of rewards.
 */
import { type KVCache, type Model, readFloats, tf } from '@r1/model';
import { chooseToken } from '../logits';
import { createRng, deriveSeed, type Uniform } from '../rng';
import { StopMatcher } from '../stop';
import type { ChatMessage, Completion, Engine, FinishReason, GenerationRequest, SamplingParams } from '../types';
import { type PaddingLog, sampleableIds } from './padding';

/** What the engine needs of a tokenizer (the @r1/model tokenizer satisfies it). */
export interface EngineTokenizer {
  encode(text: string): number[];
  decode(ids: number[]): string;
  /** End-of-sequence token; generation of a row stops when it is sampled. */
  readonly eosTokenId: number | null;
  /**
   * Ids the tokenizer can decode (one more than the largest). When the model's `vocab_size` is larger, the ids from
   * here on are padding and are never sampled; a larger tokenizer than the model is refused. Omitted: all of them.
   */
  readonly vocabSize?: number;
}

export interface LocalEngineOptions {
  model: Model;
  tokenizer: EngineTokenizer;
  /** Renders chat messages to prompt text (e.g. the checkpoint's chat template). Needed only for `messages`. */
  renderChat?: (messages: ChatMessage[]) => string;
  /** Name used in cache keys. Default 'local'. */
  modelId?: string;
  /** Most rows (requests × n) decoded together; more requests are processed in consecutive batches. Default 64. */
  maxBatchRows?: number;
  /** Token used to left-pad prompts (masked out, never attended). Default: eosTokenId, else 0. */
  padTokenId?: number;
  /**
   * Decode with the KV cache (default true). `false` recomputes the whole prefix every step — the same tokens, much
   * slower; it exists as the baseline of the `sampler.decode` benchmark and as a cross-check in tests.
   */
  useKvCache?: boolean;
  /** Where the one-line notice of a padded vocabulary goes. Default: stderr. */
  log?: PaddingLog;
}

interface Row {
  request: number;
  sample: number;
  uniform: Uniform;
  seen: Set<number>;
  tokens: number[];
  logprobs: number[];
  stop: StopMatcher;
  text: string | null;
  finish: FinishReason | null;
}

export function createLocalEngine(options: LocalEngineOptions): Engine {
  const { model, tokenizer } = options;
  const maxBatchRows = options.maxBatchRows ?? 64;
  const pad = options.padTokenId ?? tokenizer.eosTokenId ?? 0;
  const vocab = model.config.vocab_size;
  const sampleable = sampleableIds(vocab, tokenizer.vocabSize, options.modelId ?? 'local', options.log);

  function promptIds(request: GenerationRequest, index: number): number[] {
    let ids: number[];
    if (request.promptTokenIds !== undefined) ids = request.promptTokenIds;
    else if (request.messages !== undefined) {
      if (!options.renderChat) {
        throw new Error(`request ${index}: messages need a chat template; pass renderChat to createLocalEngine`);
      }
      ids = tokenizer.encode(options.renderChat(request.messages));
    } else ids = tokenizer.encode(request.prompt ?? '');
    if (ids.length === 0) throw new Error(`request ${index}: the prompt is empty after tokenisation`);
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= vocab) {
        throw new Error(`request ${index}: prompt token id ${id} is outside the model's vocabulary [0, ${vocab})`);
      }
    }
    return ids;
  }

  /** Decodes one batch of requests (all rows fit in `maxBatchRows`). */
  function decodeBatch(
    prompts: number[][],
    requests: GenerationRequest[],
    indices: number[],
    params: SamplingParams,
  ): Completion[][] {
    const n = params.n;
    const width = Math.max(...prompts.map((p) => p.length));
    const maxPos = model.config.max_position_embeddings;
    if (width + params.maxNewTokens > maxPos) {
      throw new Error(
        `prompt of ${width} tokens + maxNewTokens ${params.maxNewTokens} exceeds the model's ` +
          `max_position_embeddings ${maxPos}; lower maxNewTokens or shorten the prompt`,
      );
    }
    const stopIds = new Set(params.stopTokenIds);
    if (tokenizer.eosTokenId !== null) stopIds.add(tokenizer.eosTokenId);

    const rows: Row[] = [];
    prompts.forEach((p, r) => {
      const req = requests[r]!;
      const seed = req.seed ?? deriveSeed(params.seed, indices[r]!);
      for (let j = 0; j < n; j++) {
        const sample = (req.firstSampleIndex ?? 0) + j;
        rows.push({
          request: r,
          sample,
          uniform: createRng(deriveSeed(seed, sample)),
          seen: new Set(params.repetitionPenalty !== 1 ? p : []),
          tokens: [],
          logprobs: [],
          stop: new StopMatcher(params.stop),
          text: null,
          finish: null,
        });
      }
    });

    // Prefill every prompt once, then repeat its cache rows n times.
    const padded = new Int32Array(prompts.length * width).fill(pad);
    const mask = new Int32Array(prompts.length * width);
    prompts.forEach((p, r) => {
      padded.set(p, r * width + width - p.length);
      mask.fill(1, r * width + width - p.length, (r + 1) * width);
    });
    const ids = tf.tensor2d(padded, [prompts.length, width], 'int32');
    const attentionMask = tf.tensor2d(mask, [prompts.length, width], 'int32');
    const prefilled = model.prefill(ids, { attentionMask });
    ids.dispose();
    attentionMask.dispose();
    const expand = rows.map((row) => row.request);
    let cache: KVCache = prefilled.cache.select(expand);
    prefilled.cache.dispose();
    let logits = tf.tidy(() => tf.gather(prefilled.logits, tf.tensor1d(expand, 'int32')) as tf.Tensor2D);
    prefilled.logits.dispose();
    let active = rows.map((_, i) => i); // indices into rows, in cache order
    // Without the cache: every active row's full token sequence and mask (left-padded prompt + generated tokens).
    const useCache = options.useKvCache ?? true;
    let sequences = useCache ? [] : expand.map((r) => Array.from(padded.subarray(r * width, (r + 1) * width)));
    let masks = useCache ? [] : expand.map((r) => Array.from(mask.subarray(r * width, (r + 1) * width)));

    // The step's logits, downloaded into one kept buffer (`readFloats`: dataSync copies the shared wasm heap slowly,
    // ~25 ms a step for 16 rows at Qwen's vocabulary).
    let logitsBuffer: Float32Array = new Float32Array(0);
    try {
      for (let step = 0; step < params.maxNewTokens && active.length > 0; step++) {
        const data = readFloats(logits, logitsBuffer);
        if (data.buffer !== logitsBuffer.buffer) logitsBuffer = data;
        logits.dispose();
        const next: number[] = [];
        const still: number[] = [];
        const keep: number[] = [];
        active.forEach((rowIndex, position) => {
          const row = rows[rowIndex]!;
          const { token, logprob } = chooseToken(
            data.subarray(position * vocab, (position + 1) * vocab),
            params,
            row.seen,
            row.uniform,
            sampleable,
          );
          row.tokens.push(token);
          row.logprobs.push(logprob);
          if (params.repetitionPenalty !== 1) row.seen.add(token);
          if (stopIds.has(token)) {
            row.finish = 'stop';
          } else if (params.stop.length > 0) {
            const decoded = tokenizer.decode(row.tokens);
            const hit = row.stop.check(decoded);
            if (hit) {
              row.finish = 'stop';
              row.text = decoded.slice(0, hit.cutAt);
            }
          }
          if (row.finish === null && row.tokens.length >= params.maxNewTokens) row.finish = 'length';
          if (row.finish === null) {
            still.push(rowIndex);
            keep.push(position);
            next.push(token);
          }
        });
        if (still.length === 0) break;
        active = still;
        if (useCache) {
          if (keep.length < cache.batchSize) {
            const compacted = cache.select(keep);
            cache.dispose();
            cache = compacted;
          }
          const input = tf.tensor2d(next, [next.length, 1], 'int32');
          logits = tf.tidy(() => tf.reshape(model.decodeStep(cache, input), [next.length, vocab]) as tf.Tensor2D);
          input.dispose();
        } else {
          sequences = keep.map((p, i) => [...sequences[p]!, next[i]!]);
          masks = keep.map((p) => [...masks[p]!, 1]);
          logits = tf.tidy(() => {
            const length = sequences[0]!.length;
            const full = model.forward(tf.tensor2d(sequences, [sequences.length, length], 'int32'), {
              attentionMask: tf.tensor2d(masks, [masks.length, length], 'int32'),
            });
            return tf.reshape(tf.slice(full, [0, length - 1, 0], [-1, 1, -1]), [
              sequences.length,
              vocab,
            ]) as tf.Tensor2D;
          });
        }
      }
    } finally {
      cache.dispose();
      if (!logits.isDisposed) logits.dispose();
    }

    const out: Completion[][] = prompts.map(() => []);
    for (const row of rows) {
      const textIds = row.finish === 'stop' && stopIds.has(row.tokens.at(-1)!) ? row.tokens.slice(0, -1) : row.tokens;
      out[row.request]!.push({
        tokenIds: row.tokens,
        text: row.text ?? tokenizer.decode(textIds),
        logprobs: row.logprobs,
        finishReason: row.finish ?? 'length',
        promptTokens: prompts[row.request]!.length,
      });
    }
    return out;
  }

  return {
    modelId: options.modelId ?? 'local',
    async generate(requests, params) {
      const prompts = requests.map(promptIds);
      const perBatch = Math.max(1, Math.floor(maxBatchRows / params.n));
      const results: Completion[][] = [];
      for (let start = 0; start < requests.length; start += perBatch) {
        const end = Math.min(requests.length, start + perBatch);
        const indices = Array.from({ length: end - start }, (_, i) => start + i);
        results.push(...decodeBatch(prompts.slice(start, end), requests.slice(start, end), indices, params));
        // Let timers and I/O run between batches (progress bars, signal handlers).
        await new Promise((resolve) => setImmediate(resolve));
      }
      return results;
    },
  };
}
