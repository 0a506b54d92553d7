/**
 * The gradient of `BatchMatMul`, fixed for broadcast batch dimensions. tfjs-core 4.22's version returns the gradient
 * of a broadcast operand at the broadcast shape (`[3, 23, 40]` for a `[23, 40]` weight used by a `[3, 17, 40]`
 * input), and the engine then rejects it ("The gradient of input 'b' has shape …"), so `x[B, T, D] · W[D, N]` could
 * not be trained. This version computes the same products and sums them over the broadcast dimensions.
 * It is backend-independent (registered for every backend by `initBackend`) and changes nothing for unbroadcast
 * operands.
 */
import * as tf from '@tensorflow/tfjs';

/** Sums `g` (`[...gBatch, r, c]`) down to `shape` (`[...xBatch, r, c]`) over the batch dims `shape` broadcast. */
export function sumToBatchShape(g: tf.Tensor, shape: readonly number[]): tf.Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const extra = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank - 2; i++) {
    if (i < extra || (shape[i - extra] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  return tf.reshape(axes.length > 0 ? tf.sum(g, axes) : g, [...shape]);
}

export const batchMatMulGradConfig: tf.GradConfig = {
  kernelName: 'BatchMatMul',
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved, attrs) => {
    const [a, b] = saved as [tf.Tensor, tf.Tensor];
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    const g = dy as tf.Tensor;
    let da: () => tf.Tensor;
    let db: () => tf.Tensor;
    if (!transposeA && !transposeB) {
      da = () => tf.matMul(g, b, false, true);
      db = () => tf.matMul(a, g, true, false);
    } else if (!transposeA && transposeB) {
      da = () => tf.matMul(g, b, false, false);
      db = () => tf.matMul(g, a, true, false);
    } else if (transposeA && !transposeB) {
      da = () => tf.matMul(b, g, false, true);
      db = () => tf.matMul(a, g, false, false);
    } else {
      da = () => tf.matMul(b, g, true, true);
      db = () => tf.matMul(g, a, true, true);
    }
    return { a: () => sumToBatchShape(da(), a.shape), b: () => sumToBatchShape(db(), b.shape) };
  },
};

let registered = false;

/** Installs the fixed gradient (idempotent). */
export function registerBatchMatMulGradient(): void {
  if (registered) return;
  tf.registerGradient(batchMatMulGradConfig);
  registered = true;
}
