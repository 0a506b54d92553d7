/**
 * The key/value cache of incremental decoding: per layer, keys and values `[B, Hkv, cap, hd]` (after RoPE) of which
 * the first S slots are filled, plus the host-side bookkeeping that left-padded batches need — which cached slots are
 * real tokens, and each row's next position id (positions count real tokens only, as HF's
 * `position_ids = cumsum(mask) - 1`).
 *
 * Two ways to grow. Where the backend has the fused decode kernel (`R1DecodeAttention`, wasm), `reserve` gives the
 * cache buffers of its own with spare capacity (doubling, so they are copied O(log S) times), the kernel writes
 * each new token's keys and values into them in place and `advance` counts them: no per-step copy of the cache.
 * Elsewhere (cpu, multi-token steps) the model concatenates and hands the longer tensors to `append` (cap = S).
 * Rows can be selected (repeat a prefilled prompt n times, drop finished sequences) with `select`.
 *
 * Ownership: a cache owns its tensors (they are `tf.keep`-ed, so a caller's `tf.tidy` never frees them); free them
 * with `dispose()`. It does not compute attention — the model does, through `model.decodeStep(cache, ids)`.
 */
import * as tf from '@tensorflow/tfjs';

/** One layer's cached keys and values, `[B, Hkv, cap, hd]` each (cap ≥ the cache's length). */
export interface LayerKV {
  keys: tf.Tensor4D;
  values: tf.Tensor4D;
}

export class KVCache {
  #layers: LayerKV[];
  #keyMask: Uint8Array; // [B, S] row-major: 1 = real token
  #nextPosition: Int32Array; // [B]
  #batch: number;
  #length: number;
  /** Whether the tensors are buffers `reserve` allocated, which no other tensor shares (so they may be written). */
  #writable = false;
  #disposed = false;

  /** @internal Built by `model.prefill`; use that (or `select`) rather than constructing one. */
  constructor(layers: LayerKV[], keyMask: Uint8Array, nextPosition: Int32Array, batch: number, length: number) {
    if (keyMask.length !== batch * length || nextPosition.length !== batch) {
      throw new Error(
        `KVCache: bookkeeping of ${keyMask.length} mask slots / ${nextPosition.length} rows does not match [${batch}, ${length}]`,
      );
    }
    for (const l of layers) {
      if (l.keys.shape[2] < length || l.values.shape[2] !== l.keys.shape[2])
        throw new Error(`KVCache: keys [${l.keys.shape}] / values [${l.values.shape}] hold fewer than ${length} slots`);
      tf.keep(l.keys);
      tf.keep(l.values);
    }
    this.#layers = layers;
    this.#keyMask = keyMask;
    this.#nextPosition = nextPosition;
    this.#batch = batch;
    this.#length = length;
  }

  /** Rows B. */
  get batchSize(): number {
    return this.#batch;
  }

  /** Allocated slots per row (≥ `length`; the slots past `length` are unused). */
  get capacity(): number {
    return this.#layers[0]?.keys.shape[2] ?? this.#length;
  }

  /** Cached slots S per row (padding included). */
  get length(): number {
    return this.#length;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Number of layers cached. */
  get numLayers(): number {
    return this.#layers.length;
  }

  /**
   * @internal Layer `i`'s keys and values `[B, Hkv, capacity, hd]` (owned by the cache: do not dispose); only the
   * first `length` slots are filled.
   */
  layer(i: number): LayerKV {
    this.#check();
    const l = this.#layers[i];
    if (l === undefined) throw new Error(`KVCache: no layer ${i} (cache has ${this.#layers.length})`);
    return l;
  }

  /** A copy of the `[B, S]` key mask (1 = real token). */
  keyMask(): Uint8Array {
    this.#check();
    return this.#keyMask.slice();
  }

  /** A copy of each row's next position id (= number of real tokens cached in that row). */
  nextPositions(): Int32Array {
    this.#check();
    return this.#nextPosition.slice();
  }

  /**
   * @internal Replaces every layer's tensors with ones of exactly `length + added` slots (all new ones real tokens)
   * and frees the old ones. Called by the model after it has computed the new keys and values for all layers.
   */
  append(layers: LayerKV[], added: number): void {
    this.#check();
    if (layers.length !== this.#layers.length) {
      throw new Error(`KVCache.append: got ${layers.length} layers, cache has ${this.#layers.length}`);
    }
    for (const l of layers) {
      tf.keep(l.keys);
      tf.keep(l.values);
    }
    for (const old of this.#layers) {
      old.keys.dispose();
      old.values.dispose();
    }
    this.#layers = layers;
    this.#writable = false;
    this.advance(added);
  }

  /**
   * @internal Makes every layer's buffers writable in place with room for `slots` slots: when they are not the
   * cache's own (prefill, `select`, `append` results may share data with other tensors) or too short, copies them
   * into new ones of max(`slots`, 2·`length`) slots, and always more than now (a copy, never an alias). The first
   * `length` slots are kept.
   */
  reserve(slots: number): void {
    this.#check();
    if (this.#writable && this.capacity >= slots) return;
    const cap = this.capacity;
    const extra = Math.max(1, Math.max(slots, 2 * this.#length) - cap);
    const grow = (t: tf.Tensor4D) =>
      tf.keep(
        tf.pad(t, [
          [0, 0],
          [0, 0],
          [0, extra],
          [0, 0],
        ]),
      );
    this.#layers = this.#layers.map((old) => {
      const l = { keys: grow(old.keys), values: grow(old.values) };
      old.keys.dispose();
      old.values.dispose();
      return l;
    });
    this.#writable = true;
  }

  /**
   * @internal Counts `added` new real slots per row, which the model has written into the reserved buffers (or
   * `append` has brought).
   */
  advance(added: number): void {
    this.#check();
    const s = this.#length + added;
    if (s > this.capacity) throw new Error(`KVCache.advance: ${s} slots exceed the capacity ${this.capacity}`);
    const mask = new Uint8Array(this.#batch * s);
    for (let b = 0; b < this.#batch; b++) {
      mask.set(this.#keyMask.subarray(b * this.#length, (b + 1) * this.#length), b * s);
      mask.fill(1, b * s + this.#length, (b + 1) * s);
      this.#nextPosition[b]! += added;
    }
    this.#keyMask = mask;
    this.#length = s;
  }

  /**
   * A new cache holding rows `rows` of this one, in that order; rows may repeat (to sample n completions from one
   * prefilled prompt) or be dropped (to compact finished sequences out of the batch). This cache stays valid.
   *
   * @example
   * ```ts
   * const { cache } = model.prefill(promptIds);          // [1, T]
   * const group = cache.select([0, 0, 0, 0]);             // 4 completions of the same prompt
   * cache.dispose();
   * ```
   */
  select(rows: readonly number[]): KVCache {
    this.#check();
    if (rows.length === 0) throw new Error('KVCache.select: rows is empty; dispose the cache instead of emptying it');
    for (const r of rows) {
      if (!Number.isInteger(r) || r < 0 || r >= this.#batch) {
        throw new Error(`KVCache.select: row ${r} is out of range [0, ${this.#batch})`);
      }
    }
    const s = this.#length;
    const mask = new Uint8Array(rows.length * s);
    const next = new Int32Array(rows.length);
    rows.forEach((r, i) => {
      mask.set(this.#keyMask.subarray(r * s, (r + 1) * s), i * s);
      next[i] = this.#nextPosition[r]!;
    });
    const layers = tf.tidy(() => {
      const idx = tf.tensor1d(rows as number[], 'int32');
      return this.#layers.map((l) => ({
        keys: tf.gather(l.keys, idx) as tf.Tensor4D,
        values: tf.gather(l.values, idx) as tf.Tensor4D,
      }));
    });
    return new KVCache(layers, mask, next, rows.length, s);
  }

  /** Frees every tensor; further use throws. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    for (const l of this.#layers) {
      l.keys.dispose();
      l.values.dispose();
    }
    this.#layers = [];
    this.#disposed = true;
  }

  #check(): void {
    if (this.#disposed) throw new Error('KVCache: used after dispose(); prefill again or keep the cache alive');
  }
}
