import { AdamW, groupAdvantages, grpoUpdate, namedTrainables, type Rollout, resolveGRPOConfig } from '@r1/grpo-core';
import { createModel, tf } from '@r1/model';
import { createLocalEngine, createSampler } from '@r1/sampler';
import { describe, expect, test } from 'vitest';

/**
 * The smallest end-to-end check that GRPO pushes the policy the right way: reward 1 when the first sampled token is
 * 3, else 0. Sampling, advantages and the update are the real ones; after a few steps token 3 must dominate.
 */
describe('GRPO learns a rewarded behaviour', () => {
  test.each(['dapo', 'grpo', 'dr_grpo', 'bnpo'] as const)(
    'lossType %s raises the probability of the rewarded token',
    async (lossType) => {
      const model = createModel(
        {
          model_type: 'qwen2',
          vocab_size: 8,
          hidden_size: 16,
          intermediate_size: 32,
          num_hidden_layers: 1,
          num_attention_heads: 2,
          max_position_embeddings: 16,
        } as never,
        { seed: 3 },
      );
      const tokenizer = { eosTokenId: null, encode: () => [], decode: (ids: number[]) => ids.join(',') };
      const sampler = createSampler(createLocalEngine({ model, tokenizer }));
      const config = resolveGRPOConfig({
        numGenerations: 16,
        perDeviceTrainBatchSize: 32,
        maxCompletionLength: 1,
        learningRate: 3e-2,
        maxSteps: 100,
        lossType,
      });
      const named = namedTrainables(model);
      const optimizer = new AdamW(named.params, { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 });
      const schedule = {
        learningRate: config.learningRate,
        schedule: 'constant' as const,
        warmupSteps: 0,
        totalSteps: 100,
      };
      const prompts = [[1, 2], [5]];
      const p3 = () =>
        tf.tidy(() => {
          const logits = model.forward(tf.tensor2d([[1, 2]], [1, 2], 'int32'));
          return tf.softmax(tf.slice(logits, [0, 1, 0], [1, 1, 8])).dataSync()[3]!;
        });
      const before = p3();
      for (let step = 0; step < 12; step++) {
        const out = await sampler.generate(
          prompts.map((promptTokenIds) => ({ promptTokenIds })),
          { n: 16, maxNewTokens: 1, seed: step },
        );
        const rewards = out.flat().map((c) => (c.tokenIds[0] === 3 ? 1 : 0));
        const { advantages } = groupAdvantages(rewards, 16, { scaleRewards: 'group' });
        const rollouts: Rollout[] = out.flatMap((cs, i) =>
          cs.map((c, j) => ({
            promptIds: prompts[i]!,
            completionIds: c.tokenIds,
            truncated: false,
            advantage: advantages[i * 16 + j]!,
          })),
        );
        grpoUpdate({ policy: model, reference: null, optimizer, named, config, schedule, padId: 0 }, rollouts, step);
      }
      const after = p3();
      model.dispose();
      expect(before).toBeLessThan(0.3);
      expect(after).toBeGreaterThan(0.8);
    },
  );
});
