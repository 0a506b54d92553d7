/**
 * The key/value cache of incremental decoding: per layer, keys and values `[B, Hkv, S, hd]` (after RoPE), plus the
 * host-side bookkeeping that left-padded batches need — which cached slots are real tokens, and each row's next
 * position id (positions count real tokens only, as HF's `position_ids = cumsum(mask) - 1`).
 *
 * Growth is by concatenation along S. tfjs has no in-place slice update, so a preallocated buffer would be copied on
 * every write too; a concat copies O(S) per step, the same order as the attention read of the cache that the step
 * does anyway. Rows can be selected (repeat a prefilled prompt n times, drop finished sequences) with `select`.
 *
 * Ownership: a cache owns its tensors (they are `tf.keep`-ed, so a caller's `tf.tidy` never frees them); free them
 * with `dispose()`. It does not compute attention — the model does, through `model.decodeStep(cache, ids)`.
 */
import * as tf from '@tensorflow/tfjs';

/** One layer's cached keys and values, `[B, Hkv, S, hd]` each. */
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
  #disposed = false;

  /** @internal Built by `model.prefill`; use that (or `select`) rather than constructing one. */
  constructor(layers: LayerKV[], keyMask: Uint8Array, nextPosition: Int32Array, batch: number, length: number) {
    if (keyMask.length !== batch * length || nextPosition.length !== batch) {
      throw new Error(
        `KVCache: bookkeeping of ${keyMask.length} mask slots / ${nextPosition.length} rows does not match [${batch}, ${length}]`,
      );
    }
    for (const l of layers) {
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

  /** @internal Layer `i`'s keys and values (owned by the cache: do not dispose). */
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
   * @internal Replaces every layer's tensors with ones longer by `added` slots (all real tokens) and frees the old
   * ones. Called by the model after it has computed the new keys and values for all layers.
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
    const s = this.#length + added;
    const mask = new Uint8Array(this.#batch * s);
    for (let b = 0; b < this.#batch; b++) {
      mask.set(this.#keyMask.subarray(b * this.#length, (b + 1) * this.#length), b * s);
      mask.fill(1, b * s + this.#length, (b + 1) * s);
      this.#nextPosition[b]! += added;
    }
    this.#layers = layers;
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
