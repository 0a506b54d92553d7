import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { groupedAttention } from './attention';
import { attentionBias } from './mask';
import { maxAbsDiff, randomTensor } from './test-utils/tiny';

/** Plain MHA with HF `repeat_kv` (kv head j serves query heads j·g … j·g + g − 1). */
function referenceAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, bias: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, , hd] = q.shape;
    const [, hkv] = k.shape;
    const g = h / hkv;
    const kvHeadOf = tf.tensor1d(
      Array.from({ length: h }, (_, i) => Math.floor(i / g)),
      'int32',
    );
    const repeat = (x: tf.Tensor4D) => tf.gather(x, kvHeadOf, 1) as tf.Tensor4D;
    const scores = tf.add(tf.div(tf.matMul(q, repeat(k), false, true), Math.sqrt(hd)), bias);
    return tf.matMul(tf.softmax(scores), repeat(v)) as tf.Tensor4D;
  });
}

describe('groupedAttention', () => {
  test.each([
    [4, 4],
    [4, 2],
    [6, 1],
  ])('H=%d, Hkv=%d equals MHA with repeated kv heads, forward and gradients', (h, hkv) => {
    const [b, t, hd] = [2, 5, 4];
    const q = randomTensor([b, h, t, hd], 1) as tf.Tensor4D;
    const k = randomTensor([b, hkv, t, hd], 2) as tf.Tensor4D;
    const v = randomTensor([b, hkv, t, hd], 3) as tf.Tensor4D;
    const bias = attentionBias(Uint8Array.from([1, 1, 1, 1, 1, 0, 0, 1, 1, 1]), b, t, t);
    const proj = randomTensor([b, h, t, hd], 4);
    const loss = (f: typeof groupedAttention) => (qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor) =>
      tf.sum(tf.mul(f(qq as tf.Tensor4D, kk as tf.Tensor4D, vv as tf.Tensor4D, bias), proj));
    expect(maxAbsDiff(groupedAttention(q, k, v, bias), referenceAttention(q, k, v, bias))).toBeLessThan(1e-5);
    const got = tf.grads(loss(groupedAttention))([q, k, v]);
    const want = tf.grads(loss(referenceAttention))([q, k, v]);
    got.forEach((g, i) => {
      expect(maxAbsDiff(g, want[i]!)).toBeLessThan(1e-5);
    });
    tf.dispose([q, k, v, bias, proj, ...got, ...want]);
  });

  test('a fully masked query row gives a finite output', () => {
    const q = randomTensor([1, 2, 2, 4], 1) as tf.Tensor4D;
    const k = randomTensor([1, 1, 2, 4], 2) as tf.Tensor4D;
    const bias = attentionBias(Uint8Array.from([0, 1]), 1, 2, 2);
    const out = groupedAttention(q, k, k, bias);
    expect([...out.dataSync()].every(Number.isFinite)).toBe(true);
    tf.dispose([q, k, bias, out]);
  });
});
