import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { disposeBackend, initBackend } from './init-backend';
import { readFloats } from './read-floats';

describe.each(['wasm', 'cpu'] as const)('readFloats on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });
  afterAll(async () => {
    await disposeBackend();
  });

  test('the values dataSync gives, into a kept buffer or a new one', () => {
    const x = tf.tidy(() => tf.add(tf.randomNormal([37, 129], 0, 1, 'float32', 5), 1));
    const want = x.dataSync();
    const scratch = new Float32Array(10_000).fill(Number.NaN);
    const got = readFloats(x, scratch);
    expect(got.buffer).toBe(scratch.buffer);
    expect(got.length).toBe(37 * 129);
    expect(Array.from(got)).toEqual(Array.from(want));
    const small = new Float32Array(3);
    const fresh = readFloats(x, small);
    expect(fresh.buffer).not.toBe(small.buffer);
    expect(Array.from(fresh)).toEqual(Array.from(want));
    expect(Array.from(readFloats(x))).toEqual(Array.from(want));
    x.dispose();
  });

  test('a clear error for other dtypes and disposed tensors', () => {
    const i = tf.tensor1d([1, 2], 'int32');
    expect(() => readFloats(i)).toThrow(/float32 only, got a int32 tensor of shape \[2\]/);
    i.dispose();
    const f = tf.tensor1d([1, 2]);
    f.dispose();
    expect(() => readFloats(f)).toThrow(/disposed/);
  });
});
