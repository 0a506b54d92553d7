import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { attentionBias, MASKED_SCORE, positionIds, readMask } from './mask';

describe('positionIds', () => {
  test.each([
    [
      [1, 1, 1, 1],
      [0, 1, 2, 3],
    ],
    [
      [0, 0, 1, 1],
      [0, 0, 0, 1],
    ],
    [
      [0, 1, 1, 0],
      [0, 0, 1, 1],
    ],
    [
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ],
  ])('mask %j → positions %j', (mask, positions) => {
    expect([...positionIds(Uint8Array.from(mask), 1, mask.length)]).toEqual(positions);
  });

  test('start offsets (decode) continue each row', () => {
    expect([...positionIds(Uint8Array.from([1, 1, 1, 1]), 2, 2, Int32Array.from([5, 0]))]).toEqual([5, 6, 0, 1]);
  });

  test('fast-check: real tokens of a row are numbered 0, 1, 2, … in order', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(0, 1), { minLength: 1, maxLength: 30 }), (mask) => {
        const pos = positionIds(Uint8Array.from(mask), 1, mask.length);
        const real = mask.flatMap((m, i) => (m === 1 ? [pos[i]] : []));
        expect(real).toEqual(real.map((_, i) => i));
      }),
    );
  });
});

describe('attentionBias', () => {
  test('full sequence: causal and key mask', () => {
    const bias = attentionBias(Uint8Array.from([0, 1, 1]), 1, 3, 3);
    const M = MASKED_SCORE;
    expect(bias.shape).toEqual([1, 1, 3, 3]);
    expect([...bias.dataSync()]).toEqual([M, M, M, M, 0, M, M, 0, 0]);
    bias.dispose();
  });

  test('decode: 1 query sees every real cached key and itself', () => {
    const bias = attentionBias(Uint8Array.from([0, 1, 1, 1]), 1, 1, 4);
    expect([...bias.dataSync()]).toEqual([MASKED_SCORE, 0, 0, 0]);
    bias.dispose();
  });
});

describe('readMask', () => {
  test('undefined → all ones', () => {
    expect([...readMask(undefined, 2, 2)]).toEqual([1, 1, 1, 1]);
  });
  test('float or int masks of 0/1 are read', () => {
    const m = tf.tensor2d([[0, 1]], undefined, 'float32');
    expect([...readMask(m, 1, 2)]).toEqual([0, 1]);
    m.dispose();
  });
  test('bad values and shapes name the entry', () => {
    const bad = tf.tensor2d([[1, 2]]);
    expect(() => readMask(bad, 1, 2)).toThrow(/attentionMask\[0\]\[1\] = 2/);
    expect(() => readMask(bad, 2, 2)).toThrow(/expected shape \[2, 2\]/);
    bad.dispose();
  });
});
