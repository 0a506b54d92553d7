import { tf } from '@r1/model';
import { describe, expect, test } from 'vitest';
import { stopGradient } from './stop-gradient';

describe('stopGradient', () => {
  test('is the identity in the forward pass', () => {
    const x = tf.tensor2d([
      [1, -2],
      [3.5, 0],
    ]);
    expect(stopGradient(x).arraySync()).toEqual(x.arraySync());
    expect(stopGradient(x).shape).toEqual([2, 2]);
  });

  test('passes zero gradient', () => {
    const x = tf.tensor1d([1, 2, 3]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(stopGradient(t), t)))(x);
    // d/dx Σ sg(x)·x = sg(x) = x: only the non-detached factor contributes.
    expect(Array.from(g.dataSync())).toEqual([1, 2, 3]);
  });

  test('a fully detached expression has an all-zero gradient', () => {
    const x = tf.tensor1d([0.5, -4]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.exp(stopGradient(t))))(x);
    expect(Array.from(g.dataSync())).toEqual([0, 0]);
  });
});
