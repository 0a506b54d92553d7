/**
 * Row-level KV-cache surgery that continuous batching needs and `KVCache` itself does not offer: stacking caches of
 * different lengths into one batch (a request joining rows that are already decoding) and dropping the leading slots
 * that no remaining row uses (after the row with the longest history has left).
 *
 * Joining pads the shorter caches on the left with masked slots. That is invisible to attention for the same reason
 * left-padded prompts are: a masked key gets a −1e9 score (probability exactly 0 after softmax), and positions come
 * from each row's own count of real tokens, not from its slot index. So a row decodes the same tokens in any batch.
 *
 * It builds `KVCache`s through the constructor `model.prefill` uses (marked internal in @r1/model); a `concat` and
 * `trimLeft` on `KVCache` would be the natural home for this if @r1/model grows them.
 */
import { KVCache, type LayerKV, tf } from '@r1/model';

/** Layer `i`'s `which` tensor cut to the cache's filled slots (a cache may hold spare capacity after them). */
function filled(cache: KVCache, i: number, which: 'keys' | 'values'): tf.Tensor4D {
  const t = cache.layer(i)[which];
  return t.shape[2] === cache.length ? t : tf.slice(t, [0, 0, 0, 0], [-1, -1, cache.length, -1]);
}

/** One cache holding the rows of `caches` in order, left-padded to the longest. The inputs stay valid. */
export function concatCaches(caches: readonly KVCache[]): KVCache {
  if (caches.length === 0) throw new Error('concatCaches: no caches given');
  const first = caches[0]!;
  for (const c of caches) {
    if (c.disposed) throw new Error('concatCaches: a cache was used after dispose()');
    if (c.numLayers !== first.numLayers) {
      throw new Error(`concatCaches: caches have ${first.numLayers} and ${c.numLayers} layers; use one model`);
    }
  }
  const length = Math.max(...caches.map((c) => c.length));
  const batch = caches.reduce((s, c) => s + c.batchSize, 0);
  const mask = new Uint8Array(batch * length);
  const next = new Int32Array(batch);
  let row = 0;
  for (const c of caches) {
    const m = c.keyMask();
    const positions = c.nextPositions();
    const pad = length - c.length;
    for (let b = 0; b < c.batchSize; b++, row++) {
      mask.set(m.subarray(b * c.length, (b + 1) * c.length), row * length + pad);
      next[row] = positions[b]!;
    }
  }
  const layers: LayerKV[] = tf.tidy(() =>
    Array.from({ length: first.numLayers }, (_, i) => {
      const padded = (c: KVCache, which: 'keys' | 'values') => {
        const t = filled(c, i, which);
        const pad = length - c.length;
        return pad === 0
          ? t
          : (tf.pad(t, [
              [0, 0],
              [0, 0],
              [pad, 0],
              [0, 0],
            ]) as tf.Tensor4D);
      };
      return {
        keys: tf.concat(
          caches.map((c) => padded(c, 'keys')),
          0,
        ) as tf.Tensor4D,
        values: tf.concat(
          caches.map((c) => padded(c, 'values')),
          0,
        ) as tf.Tensor4D,
      };
    }),
  );
  return new KVCache(layers, mask, next, batch, length);
}

/** Number of leading slots that are padding in every row. */
export function unusedLeadingSlots(cache: KVCache): number {
  const mask = cache.keyMask();
  const s = cache.length;
  let lead = s;
  for (let b = 0; b < cache.batchSize && lead > 0; b++) {
    let i = 0;
    while (i < lead && mask[b * s + i] === 0) i++;
    lead = i;
  }
  return lead;
}

/**
 * The same rows without the slots no row attends to: `cache` itself when there are none, else a new cache (the old
 * one stays valid; the caller disposes it). At least one slot per row is kept.
 */
export function trimCache(cache: KVCache): KVCache {
  const lead = Math.min(unusedLeadingSlots(cache), cache.length - 1);
  if (lead <= 0) return cache;
  const s = cache.length;
  const length = s - lead;
  const old = cache.keyMask();
  const mask = new Uint8Array(cache.batchSize * length);
  for (let b = 0; b < cache.batchSize; b++) mask.set(old.subarray(b * s + lead, (b + 1) * s), b * length);
  const layers: LayerKV[] = tf.tidy(() =>
    Array.from({ length: cache.numLayers }, (_, i) => {
      const l = cache.layer(i);
      return {
        keys: tf.slice(l.keys, [0, 0, lead, 0], [-1, -1, length, -1]) as tf.Tensor4D,
        values: tf.slice(l.values, [0, 0, lead, 0], [-1, -1, length, -1]) as tf.Tensor4D,
      };
    }),
  );
  return new KVCache(layers, mask, cache.nextPositions(), cache.batchSize, length);
}
