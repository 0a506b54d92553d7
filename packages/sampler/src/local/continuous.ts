/**
 * The continuous-batching engine: one decode loop that every request shares, for serving many clients at once.
 *
 * - A request joins at the next decode step: its prompt is prefilled alone ([1, T]), its cache row repeated for its n
 *   completions and stacked onto the rows already decoding (left-padded, see `cache-rows.ts`); a finished row leaves
 *   the batch at once and the slots no remaining row uses are trimmed away.
 * - Every completion draws from its own random stream keyed by (request seed, sample index), as in the batch engine,
 *   so a request's tokens do not depend on what else is being decoded at the same time (tested against requests run
 *   alone). Sampling parameters are per request.
 * - `submit` streams: after every step each request gets the new token of each of its rows and the text that became
 *   safe to show (`SampleRow.takeDelta`). An `AbortSignal` drops a request's rows at the next step boundary.
 * - Ids past the tokenizer (a padded `vocab_size`, see `padding.ts`) are never drawn.
 * - `swap` replaces the model between decode steps: new requests wait, the requests in flight finish on the old
 *   weights (or are aborted, if asked), then the new model takes over. Nothing ever mixes weights within a request.
 *
 * It knows nothing of HTTP (see `serve/`) and does not load checkpoints (see `serve/from-checkpoint.ts`).
 */
import { type KVCache, readFloats, tf } from '@r1/model';
import { deriveSeed } from '../rng';
import type { Completion, GenerationRequest, SamplingParams } from '../types';
import { concatCaches, trimCache } from './cache-rows';
import type {
  ContinuousEngine,
  ContinuousEngineOptions,
  ModelParts,
  SampleDelta,
  SubmitOptions,
  SwapResult,
} from './continuous-types';
import { sampleableIds } from './padding';
import { SampleRow } from './sample-row';

interface Job {
  request: GenerationRequest;
  params: SamplingParams;
  prompt: number[];
  /** Which parts tokenised `prompt`; re-tokenised at admission if the model was swapped meanwhile. */
  generation: number;
  seed: number;
  rows: SampleRow[];
  onDelta: ((deltas: SampleDelta[]) => void) | undefined;
  resolve: (completions: Completion[]) => void;
  reject: (error: unknown) => void;
  failure: unknown;
  done: boolean;
}

const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createContinuousEngine(options: ContinuousEngineOptions): ContinuousEngine {
  const maxBatchRows = options.maxBatchRows ?? 64;
  if (!Number.isInteger(maxBatchRows) || maxBatchRows < 1) {
    throw new Error(`createContinuousEngine: maxBatchRows must be an integer ≥ 1, got ${maxBatchRows}`);
  }
  const sampleableOf = (p: ModelParts) =>
    sampleableIds(p.model.config.vocab_size, p.tokenizer.vocabSize, p.modelId, options.log);
  let parts: ModelParts = { ...options };
  let sampleable = sampleableOf(parts);
  let generation = 0;
  const queue: Job[] = [];
  const active = new Set<Job>();
  let slots: { job: Job; row: SampleRow }[] = []; // aligned with the cache rows and the logits rows
  let cache: KVCache | null = null;
  let logits: tf.Tensor2D | null = null;
  let logitsBuffer: Float32Array = new Float32Array(0);
  let running = false;
  let paused = false;
  let closed = false;
  let idleWaiters: (() => void)[] = [];
  let swapping: Promise<unknown> = Promise.resolve();

  function promptTokenIds(request: GenerationRequest): number[] {
    const { tokenizer, model } = parts;
    let ids: number[];
    if (request.promptTokenIds !== undefined) ids = request.promptTokenIds;
    else if (request.messages !== undefined) {
      if (!parts.renderChat) throw new Error('messages need a chat template, and this model has none');
      ids = tokenizer.encode(parts.renderChat(request.messages));
    } else ids = tokenizer.encode(request.prompt ?? '');
    if (ids.length === 0) throw new Error('the prompt is empty after tokenisation');
    const vocab = model.config.vocab_size;
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= vocab) {
        throw new Error(`prompt token id ${id} is outside the model's vocabulary [0, ${vocab})`);
      }
    }
    return ids;
  }

  function checkFits(prompt: number[], params: SamplingParams): void {
    const maxPos = parts.model.config.max_position_embeddings;
    if (prompt.length + params.maxNewTokens > maxPos) {
      throw new Error(
        `prompt of ${prompt.length} tokens + maxNewTokens ${params.maxNewTokens} exceeds the model's ` +
          `max_position_embeddings ${maxPos}; lower maxNewTokens or shorten the prompt`,
      );
    }
    if (params.n > maxBatchRows) {
      throw new Error(`n = ${params.n} is more than the engine decodes at once (maxBatchRows ${maxBatchRows})`);
    }
  }

  function makeRows(job: Job): SampleRow[] {
    const stopIds = new Set(job.params.stopTokenIds);
    const eos = parts.tokenizer.eosTokenId;
    if (eos !== null) stopIds.add(eos);
    const first = job.request.firstSampleIndex ?? 0;
    return Array.from(
      { length: job.params.n },
      (_, j) => new SampleRow(j, job.params, stopIds, job.prompt.length, job.seed, first + j, job.prompt),
    );
  }

  function finish(job: Job, error?: unknown): void {
    if (job.done) return;
    job.done = true;
    active.delete(job);
    if (error !== undefined) {
      job.reject(error);
      return;
    }
    // Decoding the text can throw (a tokenizer refusing an id): that must settle the request too, not leave it
    // pending behind `done`.
    let completions: Completion[];
    try {
      completions = job.rows.map((r) => r.toCompletion(parts.tokenizer));
    } catch (decodeError) {
      job.reject(decodeError);
      return;
    }
    job.resolve(completions);
  }

  function disposeState(): void {
    cache?.dispose();
    cache = null;
    logits?.dispose();
    logits = null;
    slots = [];
  }

  /** Prefills waiting requests that fit and stacks them onto the running rows. */
  function admit(): void {
    const caches: KVCache[] = [];
    const heads: tf.Tensor2D[] = [];
    while (!paused && queue.length > 0 && slots.length + queue[0]!.params.n <= maxBatchRows) {
      const job = queue.shift()!;
      try {
        if (job.generation !== generation) {
          job.prompt = promptTokenIds(job.request);
          checkFits(job.prompt, job.params);
          job.generation = generation;
        }
        job.rows = makeRows(job);
        const repeat = job.rows.map(() => 0);
        const ids = tf.tensor2d([job.prompt], [1, job.prompt.length], 'int32');
        const prefilled = parts.model.prefill(ids);
        ids.dispose();
        caches.push(prefilled.cache.select(repeat));
        prefilled.cache.dispose();
        heads.push(tf.tidy(() => tf.gather(prefilled.logits, tf.tensor1d(repeat, 'int32')) as tf.Tensor2D));
        prefilled.logits.dispose();
      } catch (error) {
        finish(job, error);
        continue;
      }
      active.add(job);
      for (const row of job.rows) slots.push({ job, row });
    }
    if (caches.length === 0) return;
    const merged = concatCaches(cache ? [cache, ...caches] : caches);
    const mergedLogits = tf.concat(logits ? [logits, ...heads] : heads, 0) as tf.Tensor2D;
    cache?.dispose();
    logits?.dispose();
    for (const c of caches) c.dispose();
    for (const h of heads) h.dispose();
    cache = merged;
    logits = mergedLogits;
  }

  /** Chooses every row's next token, streams it, and settles the requests that are done. */
  function choose(): void {
    if (logits === null) return;
    const vocab = parts.model.config.vocab_size;
    const data = readFloats(logits, logitsBuffer); // into one kept buffer: see the batch engine's download
    if (data.buffer !== logitsBuffer.buffer) logitsBuffer = data;
    logits.dispose();
    logits = null;
    const deltas = new Map<Job, SampleDelta[]>();
    slots.forEach(({ job, row }, i) => {
      if (job.done || job.failure !== undefined) return;
      const tokenId = row.step(data.subarray(i * vocab, (i + 1) * vocab), parts.tokenizer, sampleable);
      if (job.onDelta === undefined) return;
      const list = deltas.get(job) ?? [];
      const delta: SampleDelta = {
        index: row.index,
        tokenId,
        logprob: row.logprobs.at(-1)!,
        text: row.takeDelta(parts.tokenizer),
        finishReason: row.finish,
      };
      list.push(delta);
      deltas.set(job, list);
    });
    for (const [job, list] of deltas) {
      try {
        job.onDelta!(list);
      } catch (error) {
        job.failure = error;
      }
    }
    for (const job of [...active]) {
      if (job.failure !== undefined) finish(job, job.failure);
      else if (job.rows.every((r) => r.finish !== null)) finish(job);
    }
  }

  /** Drops finished and aborted rows, trims the cache, and runs the next decode step. */
  function decode(): void {
    if (cache === null) return;
    const keep: number[] = [];
    slots.forEach(({ job, row }, i) => {
      if (!job.done && row.finish === null) keep.push(i);
    });
    if (keep.length === 0) {
      disposeState();
      return;
    }
    if (keep.length < slots.length) {
      const kept = cache.select(keep);
      cache.dispose();
      cache = kept;
      slots = keep.map((i) => slots[i]!);
    }
    const trimmed = trimCache(cache);
    if (trimmed !== cache) {
      cache.dispose();
      cache = trimmed;
    }
    const step = cache;
    const vocab = parts.model.config.vocab_size;
    const next = slots.map(({ row }) => row.tokens.at(-1)!);
    logits = tf.tidy(() => {
      const input = tf.tensor2d(next, [next.length, 1], 'int32');
      return tf.reshape(parts.model.decodeStep(step, input), [next.length, vocab]) as tf.Tensor2D;
    });
  }

  async function loop(): Promise<void> {
    running = true;
    try {
      while (slots.length > 0 || (queue.length > 0 && !paused)) {
        try {
          // Aborted requests leave before the step, not after it.
          for (const job of [...active]) if (job.failure !== undefined) finish(job, job.failure);
          admit();
          choose();
          decode();
        } catch (error) {
          // A failed step fails the requests in it; the loop and the queue carry on.
          for (const job of [...active]) finish(job, error);
          disposeState();
        }
        if (slots.length === 0) notifyIdle();
        await yieldToIo();
      }
    } finally {
      running = false;
      notifyIdle();
    }
  }

  function notifyIdle(): void {
    if (active.size > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  }

  function kick(): void {
    if (!running) void loop();
  }

  function whenIdle(): Promise<void> {
    if (active.size === 0 && !running) return Promise.resolve();
    return new Promise((resolve) => {
      idleWaiters.push(resolve);
      kick();
    });
  }

  function submit(request: GenerationRequest, params: SamplingParams, opts: SubmitOptions = {}): Promise<Completion[]> {
    if (closed) return Promise.reject(new Error('the engine is closed'));
    let prompt: number[];
    try {
      prompt = promptTokenIds(request);
      checkFits(prompt, params);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<Completion[]>((resolve, reject) => {
      const job: Job = {
        request,
        params,
        prompt,
        generation,
        seed: request.seed ?? deriveSeed(params.seed, 0),
        rows: [],
        onDelta: opts.onDelta,
        resolve,
        reject,
        failure: undefined,
        done: false,
      };
      const { signal } = opts;
      if (signal) {
        const onAbort = () => {
          const reason = signal.reason ?? new Error('the request was aborted');
          const at = queue.indexOf(job);
          if (at >= 0) {
            queue.splice(at, 1);
            finish(job, reason);
          } else job.failure = reason;
        };
        if (signal.aborted) {
          reject(signal.reason ?? new Error('the request was aborted'));
          return;
        }
        signal.addEventListener('abort', onAbort, { once: true });
      }
      queue.push(job);
      kick();
    });
  }

  return {
    get modelId() {
      return parts.modelId;
    },
    get contextLength() {
      return parts.model.config.max_position_embeddings;
    },
    get parts() {
      return parts;
    },
    maxBatchRows,
    submit,
    promptTokenIds,
    async generate(requests, params) {
      // Validate every request before any of them starts decoding.
      requests.forEach((r, i) => {
        try {
          checkFits(promptTokenIds(r), params);
        } catch (error) {
          throw new Error(`request ${i}: ${(error as Error).message}`);
        }
      });
      return Promise.all(requests.map((r, i) => submit({ ...r, seed: r.seed ?? deriveSeed(params.seed, i) }, params)));
    },
    stats: () => ({ activeRequests: active.size, activeRows: slots.length, queuedRequests: queue.length }),
    swap(next, { abortInFlight = false } = {}) {
      const run = swapping.then(async (): Promise<SwapResult> => {
        if (closed) throw new Error('the engine is closed');
        const nextSampleable = sampleableOf(next);
        paused = true;
        const inFlight = active.size;
        if (abortInFlight) {
          for (const job of active) job.failure ??= new Error('aborted: the model weights are being replaced');
        }
        try {
          await whenIdle();
          const previous = parts;
          parts = { ...next };
          sampleable = nextSampleable;
          generation++;
          return { previous, inFlight, queued: queue.length };
        } finally {
          paused = false;
          if (queue.length > 0) kick();
        }
      });
      swapping = run.catch(() => undefined);
      return run;
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) finish(job, new Error('the engine was closed'));
      for (const job of active) job.failure ??= new Error('the engine was closed');
      await whenIdle();
      disposeState();
    },
  };
}
