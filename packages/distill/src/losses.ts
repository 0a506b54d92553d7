/**
 * The two losses of SFT/distillation, as sums over trained tokens (the caller divides by the trained-token count of
 * the whole optimiser step, so gradient accumulation gives the same loss as one large batch, as in transformers
 * ≥ 4.46):
 *
 *   maskedNllSum  = −Σ_t mask_t · log p_student(target_t)
 *   forwardKlSum  = Σ_rows Σ_v p_T(v) (log p_T(v) − log q_T(v)),  p_T = softmax(teacher / T), q_T = softmax(student / T)
 *
 * The KL is the forward one (teacher → student, "mean-seeking", what TRL's GKD computes at β = 0); the teacher's
 * logits are constants. Tensors in, scalars out; no model here.
 */
import { tf } from '@r1/model';

/** `logprobs` and `mask` `[B, T]` → scalar −Σ logprobs·mask. */
export function maskedNllSum(logprobs: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(logprobs, mask))) as tf.Scalar);
}

/** One masked cross-entropy value: −Σ logp·mask / Σ mask. */
export function maskedNll(logprobs: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.div(maskedNllSum(logprobs, mask), tf.maximum(tf.sum(mask), 1)) as tf.Scalar);
}

/**
 * Σ over rows of KL(softmax(teacher/T) ‖ softmax(student/T)), `[M, V]` logits each (only the trained positions).
 * Differentiable in `student`; `teacher` is treated as a constant.
 */
export function forwardKlSum(student: tf.Tensor2D, teacher: tf.Tensor2D, temperature: number): tf.Scalar {
  if (!(temperature > 0)) throw new Error(`forwardKlSum: temperature must be > 0, got ${temperature}`);
  if (!tf.util.arraysEqual(student.shape, teacher.shape)) {
    throw new Error(`forwardKlSum: student [${student.shape}] and teacher [${teacher.shape}] logits differ in shape`);
  }
  return tf.tidy(() => {
    const logP = tf.logSoftmax(tf.div(teacher, temperature)); // [M, V]
    const p = tf.exp(logP);
    const logQ = tf.logSoftmax(tf.div(student, temperature)); // [M, V]
    return tf.sum(tf.mul(p, tf.sub(logP, logQ))) as tf.Scalar;
  });
}
