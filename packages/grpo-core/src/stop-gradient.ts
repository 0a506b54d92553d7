/**
 * `stopGradient(x)`: the identity in the forward pass, a zero gradient in the backward pass — what PyTorch's
 * `.detach()` does. tfjs 4.22 has no `tf.stopGradient`, so this is a `tf.customGrad` whose gradient is zeros.
 *
 * Only needed where one tensor must act as a constant inside a differentiated expression that also uses it as a
 * variable (on-policy GRPO's `old = detach(logp)`). Plain input tensors that are not being differentiated are
 * constants already and need no wrapping.
 */
import { tf } from '@r1/model';

// customGrad passes its inputs as a rest list (tensors, then a save function); this op has exactly one tensor.
const detach = tf.customGrad((...inputs) => {
  const x = inputs[0] as tf.Tensor;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
});

/** The same values as `x`, through which no gradient flows (PyTorch `x.detach()`). Returns a new tensor. */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return detach(x) as T;
}
