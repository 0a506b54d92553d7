import { createModel, tf } from '@r1/model';
import { describe, expect, test } from 'vitest';
import { upcycleToMoe } from './upcycle';

describe('upcycleToMoe', () => {
  test('the upcycled MoE model computes exactly what the dense one did, and trains its experts', () => {
    const dense = createModel(
      {
        model_type: 'qwen2',
        vocab_size: 20,
        hidden_size: 16,
        intermediate_size: 32,
        num_hidden_layers: 2,
        num_attention_heads: 2,
        max_position_embeddings: 32,
      } as never,
      { seed: 4 },
    );
    const moe = upcycleToMoe(dense, { nRoutedExperts: 4, numExpertsPerTok: 2, seed: 1 });
    expect(moe.config.moe).toMatchObject({ n_routed_experts: 4, num_experts_per_tok: 2, n_shared_experts: 1 });
    const ids = tf.tensor2d(
      [
        [1, 5, 7, 2, 9],
        [3, 3, 4, 0, 8],
      ],
      [2, 5],
      'int32',
    );
    const a = dense.forward(ids).arraySync() as number[][][];
    const b = moe.forward(ids).arraySync() as number[][][];
    for (const [i, x] of a.flat(2).entries()) expect(b.flat(2)[i]).toBeCloseTo(x, 5);
    // The routed experts' down projections start at zero but receive gradient.
    const { grads } = tf.variableGrads(
      () => tf.neg(tf.mean(moe.tokenLogprobs(ids, ids))) as tf.Scalar,
      moe.trainableVariables(),
    );
    const names = new Map([...moe.parameters()].map(([n, v]) => [v.name, n]));
    const down = Object.entries(grads).filter(([v]) => /experts\.\d+\.down_proj/.test(names.get(v) ?? ''));
    expect(down.length).toBe(8);
    expect(down.some(([, g]) => tf.max(tf.abs(g)).dataSync()[0]! > 0)).toBe(true);
    expect(() => upcycleToMoe(moe)).toThrow(/already MoE/);
    dense.dispose();
    moe.dispose();
  });
});
