/**
 * Supervised fine-tuning: next-token cross-entropy on completion tokens only (the prompt is context, not target),
 * averaged over completion tokens of the batch, with AdamW, warmup + cosine decay and gradient-norm clipping.
 * Used to build the demo's base model from the synthetic corpus.
 */
import {
  AdamW,
  clipGradNorm,
  disposeBatch,
  learningRateAt,
  namedTrainables,
  packSequences,
  type SequencePair,
} from '@r1/grpo-core';
import { type Model, tf } from '@r1/model';
import { createRng } from '@r1/sampler';

export interface SftOptions {
  steps: number;
  batchSize: number;
  learningRate: number;
  warmupSteps: number;
  weightDecay: number;
  maxGradNorm: number;
  seed: number;
  padId: number;
  /** Called after every step with its metrics. */
  onStep?: (m: SftStepMetrics) => void;
}

export interface SftStepMetrics {
  step: number;
  loss: number;
  gradNorm: number;
  learningRate: number;
  tokens: number;
  ms: number;
}

/** One masked cross-entropy value: −Σ logp·mask / Σ mask. */
export function maskedNll(logprobs: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.div(tf.sum(tf.mul(logprobs, mask)), tf.maximum(tf.sum(mask), 1))) as tf.Scalar);
}

export function sftTrain(model: Model, examples: readonly SequencePair[], options: SftOptions): SftStepMetrics[] {
  if (examples.length === 0) throw new Error('sftTrain: no examples');
  const named = namedTrainables(model);
  const optimizer = new AdamW(named.params, {
    beta1: 0.9,
    beta2: 0.95,
    epsilon: 1e-8,
    weightDecay: options.weightDecay,
  });
  const uniform = createRng(options.seed);
  const history: SftStepMetrics[] = [];
  for (let step = 0; step < options.steps; step++) {
    const started = performance.now();
    const rows = Array.from({ length: options.batchSize }, () => examples[Math.floor(uniform() * examples.length)]!);
    const batch = packSequences(rows, options.padId);
    const lr = learningRateAt(step, {
      learningRate: options.learningRate,
      warmupSteps: options.warmupSteps,
      totalSteps: options.steps,
      schedule: 'cosine',
    });
    let loss = Number.NaN;
    let gradNorm = Number.NaN;
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(
        () =>
          maskedNll(
            model.tokenLogprobs(batch.ids, batch.targets, { attentionMask: batch.attentionMask }),
            batch.lossMask,
          ),
        model.trainableVariables(),
      );
      loss = value.dataSync()[0]!;
      const clipped = clipGradNorm(named.rename(grads), options.maxGradNorm);
      gradNorm = clipped.norm;
      if (Number.isFinite(loss) && clipped.finite) optimizer.step(clipped.grads, lr);
    });
    const m = {
      step: step + 1,
      loss,
      gradNorm,
      learningRate: lr,
      tokens: batch.completionLengths.reduce((a, b) => a + b, 0),
      ms: performance.now() - started,
    };
    disposeBatch(batch);
    history.push(m);
    options.onStep?.(m);
  }
  return history;
}
