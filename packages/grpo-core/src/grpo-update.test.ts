import { createModel, type Model, tf } from '@r1/model';
import { afterEach, describe, expect, test } from 'vitest';
import { AdamW } from './adamw';
import { grpoUpdate, type Rollout } from './grpo-update';
import { namedTrainables } from './named-trainables';
import { resolveGRPOConfig } from './resolve-grpo-config';

const models: Model[] = [];
afterEach(() => {
  for (const m of models.splice(0)) m.dispose();
});

function tinyModel(extra: Record<string, unknown> = {}): Model {
  const m = createModel(
    {
      model_type: 'qwen2',
      vocab_size: 16,
      hidden_size: 16,
      intermediate_size: 32,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      num_key_value_heads: 2,
      max_position_embeddings: 64,
      ...extra,
    } as never,
    { seed: 7 },
  );
  models.push(m);
  return m;
}

function rollouts(advantages: number[]): Rollout[] {
  return advantages.map((advantage, i) => ({
    promptIds: [1, 2, 3].slice(0, 1 + (i % 3)),
    completionIds: [4 + (i % 5), 5, 6, 0].slice(0, 2 + (i % 3)),
    truncated: i % 4 === 3,
    advantage,
  }));
}

function setup(model: Model, overrides: Record<string, unknown> = {}) {
  const config = resolveGRPOConfig({
    numGenerations: 4,
    perDeviceTrainBatchSize: 4,
    maxSteps: 100,
    learningRate: 1e-2,
    ...overrides,
  });
  const named = namedTrainables(model);
  const optimizer = new AdamW(named.params, { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 });
  const schedule = {
    learningRate: config.learningRate,
    schedule: 'constant' as const,
    warmupSteps: 0,
    totalSteps: config.maxSteps,
  };
  return { policy: model, reference: null, optimizer, named, config, schedule, padId: 0 };
}

const snapshot = (m: Model) => new Map([...m.parameters()].map(([k, v]) => [k, Array.from(v.dataSync())]));

describe('grpoUpdate', () => {
  test('changes the weights when advantages are non-zero, and reports metrics', () => {
    const model = tinyModel();
    const before = snapshot(model);
    const [m] = grpoUpdate(setup(model), rollouts([1, -1, 0.5, -0.5, 1, -1, 0.5, -0.5]), 0);
    expect(m).toMatchObject({ step: 0, skipped: false, clipFraction: 0 });
    expect(m!.gradNorm).toBeGreaterThan(0);
    expect(m!.entropy).toBeGreaterThan(0);
    const after = snapshot(model);
    expect([...before].some(([k, v]) => v.some((x, i) => x !== after.get(k)![i]))).toBe(true);
  });

  test('all-zero advantages give a zero gradient and leave the weights as they were', () => {
    const model = tinyModel();
    const before = snapshot(model);
    const [m] = grpoUpdate(setup(model), rollouts([0, 0, 0, 0]), 0);
    expect(m!.gradNorm).toBe(0);
    expect(snapshot(model)).toEqual(before);
  });

  test('steps per batch follow micro-batching, accumulation and numIterations', () => {
    const model = tinyModel();
    const eight = rollouts([1, -1, 1, -1, 1, -1, 1, -1]);
    expect(grpoUpdate(setup(model), eight, 0)).toHaveLength(2); // 2 micro-batches, 1 each
    expect(grpoUpdate(setup(model, { gradientAccumulationSteps: 2 }), eight, 0)).toHaveLength(1);
    const twice = grpoUpdate(setup(model, { numIterations: 2 }), eight, 5);
    expect(twice.map((m) => m.step)).toEqual([5, 6, 7, 8]);
    expect(twice[2]!.clipFraction).toBeGreaterThanOrEqual(0); // second pass: old ≠ new, clipping possible
    expect(grpoUpdate(setup(model, { maxSteps: 6 }), eight, 5)).toHaveLength(1); // stops at maxSteps
  });

  test("each step says where its time went; the batch's old log-probs count on its first step only", () => {
    const model = tinyModel();
    const eight = rollouts([1, -1, 1, -1, 1, -1, 1, -1]);
    const once = grpoUpdate(setup(model), eight, 0);
    for (const m of once) {
      expect(m.phaseSeconds.logprobs).toBe(0); // μ = 1, β = 0: nothing to compute before the passes
      expect(m.phaseSeconds.forwardBackward).toBeGreaterThan(0);
      expect(m.phaseSeconds.optimizer).toBeGreaterThanOrEqual(0);
    }
    const twice = grpoUpdate(setup(model, { numIterations: 2 }), eight, 0);
    expect(twice[0]!.phaseSeconds.logprobs).toBeGreaterThan(0);
    expect(twice.slice(1).map((m) => m.phaseSeconds.logprobs)).toEqual([0, 0, 0]);
  });

  test('a step whose loss is not finite is skipped and the weights are untouched', () => {
    const model = tinyModel();
    const first = [...model.parameters()][0]![1];
    first.assign(tf.fill(first.shape, Number.NaN));
    const before = snapshot(model);
    const [m] = grpoUpdate(setup(model), rollouts([1, -1, 1, -1]), 0);
    expect(m!.skipped).toBe(true);
    const after = snapshot(model);
    for (const [k, v] of before) if (!v.some(Number.isNaN)) expect(after.get(k)).toEqual(v);
  });

  test('beta > 0 needs a reference and reports the KL', () => {
    const model = tinyModel();
    const ctx = setup(model, { beta: 0.1 });
    expect(() => grpoUpdate(ctx, rollouts([1, -1, 1, -1]), 0)).toThrow(/reference model/);
    const reference = tinyModel();
    const [m1] = grpoUpdate({ ...ctx, reference }, rollouts([1, -1, 1, -1]), 0);
    expect(m1!.kl).toBeCloseTo(0, 6); // same init: policy = reference at the first step
    const [m2] = grpoUpdate({ ...ctx, reference }, rollouts([1, -1, 1, -1]), 1);
    expect(m2!.kl).toBeGreaterThan(0);
  });

  test('maskTruncatedCompletions drops truncated rows from the token count', () => {
    const model = tinyModel();
    const r = rollouts([1, -1, 1, -1]);
    const [all] = grpoUpdate(setup(model), r, 0);
    const [kept] = grpoUpdate(setup(model, { maskTruncatedCompletions: true }), r, 0);
    expect(kept!.activeTokens).toBe(all!.activeTokens - r[3]!.completionIds.length);
  });

  test('an MoE policy trains through the same path and its selection bias moves', () => {
    const model = tinyModel({
      model_type: 'r1_moe',
      n_routed_experts: 4,
      num_experts_per_tok: 2,
      moe_intermediate_size: 8,
    });
    const bias = () =>
      [...model.parameters()]
        .filter(([k]) => k.endsWith('e_score_correction_bias'))
        .flatMap(([, v]) => Array.from(v.dataSync()));
    const before = bias();
    const [m] = grpoUpdate(setup(model), rollouts([1, -1, 1, -1]), 0);
    expect(m!.skipped).toBe(false);
    expect(bias()).not.toEqual(before);
  });

  test('no tensors leak across updates', () => {
    const model = tinyModel();
    const ctx = setup(model);
    grpoUpdate(ctx, rollouts([1, -1, 1, -1]), 0);
    const count = tf.memory().numTensors;
    for (let i = 1; i < 4; i++) grpoUpdate(ctx, rollouts([1, -1, 1, -1]), i);
    expect(tf.memory().numTensors).toBe(count);
  });
});
