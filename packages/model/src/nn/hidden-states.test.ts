import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, test } from 'vitest';
import type { ModelConfig } from './config';
import { createModel } from './model';
import { int2d, tinyDense, tinyMoe } from './test-utils/tiny';

const configs: Array<[string, ModelConfig]> = [
  ['dense, untied head', tinyDense({ tie_word_embeddings: false })],
  ['dense, tied head', tinyDense({ tie_word_embeddings: true })],
  ['MoE', tinyMoe()],
];
const models = new Map(configs.map(([name, c]) => [name, createModel(c, { seed: 3 })]));
afterAll(() => {
  for (const m of models.values()) m.dispose();
});

const IDS = [
  [3, 1, 4, 1, 5],
  [0, 0, 9, 2, 6],
];
const MASK = [
  [1, 1, 1, 1, 1],
  [0, 0, 1, 1, 1],
];

describe.each(configs)('hiddenStates (%s)', (name) => {
  const model = models.get(name)!;
  const { vocab_size: V, hidden_size: D } = model.config;

  test('times the LM head (in plain JS) gives forward’s logits, with a mask and with segment ids', () => {
    const headName = model.config.tie_word_embeddings ? 'model.embed_tokens.weight' : 'lm_head.weight';
    const head = model.parameters().get(headName)!.dataSync(); // [V, D]
    for (const opts of [
      { attentionMask: int2d(MASK) },
      {
        segmentIds: int2d([
          [1, 1, 2, 2, 2],
          [0, 0, 1, 1, 1],
        ]),
      },
    ]) {
      const hidden = model.hiddenStates(int2d(IDS), opts);
      const logits = model.forward(int2d(IDS), opts);
      expect(hidden.shape).toEqual([2, 5, D]);
      const h = hidden.dataSync();
      const l = logits.dataSync();
      let worst = 0;
      for (let n = 0; n < 10; n++) {
        for (let v = 0; v < V; v++) {
          let dot = 0;
          for (let d = 0; d < D; d++) dot += h[n * D + d]! * head[v * D + d]!;
          worst = Math.max(worst, Math.abs(dot - l[n * V + v]!));
        }
      }
      expect(worst).toBeLessThan(1e-4);
      tf.dispose([hidden, logits, ...Object.values(opts)]);
    }
  });

  test('is differentiable and frees every intermediate', () => {
    const ids = int2d(IDS);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(model.hiddenStates(ids))) as tf.Scalar);
    const embed = model.parameters().get('model.embed_tokens.weight')!;
    const g = grads[embed.name];
    expect(g).toBeDefined();
    expect(tf.tidy(() => tf.sum(tf.abs(g!)).dataSync()[0]!)).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    ids.dispose();
  });

  test('rejects bad ids as forward does', () => {
    expect(() => model.hiddenStates(int2d([[V]]))).toThrow(
      /hiddenStates ids\[0\]\[0\] = \d+ is outside the vocabulary/,
    );
  });
});
