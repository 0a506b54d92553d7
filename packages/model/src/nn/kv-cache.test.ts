import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { KVCache } from './kv-cache';

/** A 1-layer cache of B rows × S slots whose key values encode (row, slot). */
function cache(batch: number, length: number, mask: number[]): KVCache {
  const keys = tf.tensor4d(
    Array.from({ length: batch * length }, (_, i) => i),
    [batch, 1, length, 1],
  );
  const next = Int32Array.from({ length: batch }, (_, b) =>
    mask.slice(b * length, (b + 1) * length).reduce((a, x) => a + x, 0),
  );
  return new KVCache([{ keys, values: tf.clone(keys) }], Uint8Array.from(mask), next, batch, length);
}

describe('KVCache', () => {
  test('select repeats, reorders and drops rows with their bookkeeping', () => {
    const c = cache(2, 2, [0, 1, 1, 1]);
    const s = c.select([1, 1, 0]);
    expect(s.batchSize).toBe(3);
    expect([...s.layer(0).keys.dataSync()]).toEqual([2, 3, 2, 3, 0, 1]);
    expect([...s.keyMask()]).toEqual([1, 1, 1, 1, 0, 1]);
    expect([...s.nextPositions()]).toEqual([2, 2, 1]);
    expect(c.disposed).toBe(false); // the source stays valid
    c.dispose();
    s.dispose();
  });

  test('append grows every row by real slots and frees the old tensors', () => {
    const c = cache(2, 1, [0, 1]);
    const before = tf.memory().numTensors;
    const grown = tf.tensor4d([7, 8, 9, 10], [2, 1, 2, 1]);
    c.append([{ keys: grown, values: tf.clone(grown) }], 1);
    expect(tf.memory().numTensors).toBe(before); // + new keys and values, − the old two
    expect(c.length).toBe(2);
    expect([...c.keyMask()]).toEqual([0, 1, 1, 1]);
    expect([...c.nextPositions()]).toEqual([1, 2]);
    c.dispose();
  });

  test('tensors survive a caller’s tf.tidy; dispose is idempotent and use after it throws', () => {
    let c!: KVCache;
    tf.tidy(() => {
      c = cache(1, 2, [1, 1]);
    });
    expect(c.layer(0).keys.isDisposed).toBe(false);
    c.dispose();
    c.dispose();
    expect(c.disposed).toBe(true);
    expect(() => c.select([0])).toThrow(/after dispose/);
  });

  test.each([
    [[], /rows is empty/],
    [[2], /row 2 is out of range \[0, 2\)/],
    [[0.5], /out of range/],
  ])('select(%j) is rejected', (rows, message) => {
    const c = cache(2, 1, [1, 1]);
    expect(() => c.select(rows)).toThrow(message);
    c.dispose();
  });

  test('reserve copies into buffers with spare capacity (doubling), keeping the filled slots; advance counts slots', () => {
    const c = cache(2, 2, [0, 1, 1, 1]);
    const before = tf.memory().numTensors;
    c.reserve(3);
    expect(tf.memory().numTensors).toBe(before); // the copies replace the originals
    expect([c.length, c.capacity]).toEqual([2, 4]);
    const keys = c.layer(0).keys;
    expect(keys.shape).toEqual([2, 1, 4, 1]);
    expect([...keys.dataSync()]).toEqual([0, 1, 0, 0, 2, 3, 0, 0]);
    c.reserve(4); // its own buffers, long enough: nothing to do
    expect(c.layer(0).keys).toBe(keys);
    c.advance(2);
    expect([c.length, c.capacity]).toEqual([4, 4]);
    expect([...c.keyMask()]).toEqual([0, 1, 1, 1, 1, 1, 1, 1]);
    expect([...c.nextPositions()]).toEqual([3, 4]);
    expect(() => c.advance(1)).toThrow(/exceed the capacity 4/);
    const s = c.select([1]); // keeps the capacity, but its buffers are copies the next reserve replaces
    expect([s.length, s.capacity]).toEqual([4, 4]);
    s.reserve(4);
    expect(s.capacity).toBe(8);
    s.dispose();
    c.dispose();
  });
});
