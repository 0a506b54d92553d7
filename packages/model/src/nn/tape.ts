/**
 * Whether tfjs is recording a gradient tape right now (inside `tf.grads` / `tf.variableGrads` / `minimize`, and not
 * inside a kernel). Fused ops run their kernel directly when it is off: no `customGrad` bookkeeping and no tensors
 * kept for a backward pass that will not come (decoding, scoring without gradients).
 */
import * as tf from '@tensorflow/tfjs';

interface EngineState {
  state: { gradientDepth: number; kernelDepth: number };
}

export function recordingGradients(): boolean {
  const { state } = tf.engine() as unknown as EngineState;
  return state.gradientDepth > 0 && state.kernelDepth === 0;
}
