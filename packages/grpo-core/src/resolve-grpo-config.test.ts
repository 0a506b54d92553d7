import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DEFAULT_GRPO_CONFIG, type GRPOConfig } from './grpo-config';
import { GRPOConfigError, resolveGRPOConfig } from './resolve-grpo-config';

function issuesOf(partial: Record<string, unknown>): string[] {
  try {
    resolveGRPOConfig(partial as Partial<GRPOConfig>);
  } catch (e) {
    expect(e).toBeInstanceOf(GRPOConfigError);
    return (e as GRPOConfigError).issues.map((i) => `${i.field}: ${i.message}`);
  }
  throw new Error(`expected ${JSON.stringify(partial)} to be rejected`);
}

describe('resolveGRPOConfig', () => {
  test('the defaults resolve, with the derived fields filled in', () => {
    const c = resolveGRPOConfig();
    expect(c).toMatchObject({
      ...DEFAULT_GRPO_CONFIG,
      epsilonHigh: 0.2,
      stepsPerGeneration: 1,
      generationBatchSize: 8,
    });
    expect(c.lossType).toBe('dapo');
    expect(c.beta).toBe(0);
  });

  test.each<[string, Partial<GRPOConfig>, Partial<GRPOConfig>]>([
    ['epsilonHigh defaults to epsilon', { epsilon: 0.1 }, { epsilonHigh: 0.1 }],
    ['explicit epsilonHigh kept', { epsilonHigh: 0.28 }, { epsilon: 0.2, epsilonHigh: 0.28 }],
    [
      'stepsPerGeneration defaults to gradientAccumulationSteps',
      { gradientAccumulationSteps: 4, perDeviceTrainBatchSize: 4, numGenerations: 4 },
      { stepsPerGeneration: 4, generationBatchSize: 16 },
    ],
    [
      'generationBatchSize fixes stepsPerGeneration',
      { generationBatchSize: 32, perDeviceTrainBatchSize: 8 },
      { stepsPerGeneration: 4, generationBatchSize: 32 },
    ],
    ['undefined means default', { beta: undefined }, { beta: 0 }],
  ])('%s', (_name, partial, want) => {
    expect(resolveGRPOConfig(partial)).toMatchObject(want);
  });

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['typo', { numGeneration: 4 }, /^numGeneration: unknown option — did you mean numGenerations\?/],
    ['snake_case in code', { learning_rate: 1e-5 }, /^learning_rate: .*camelCase name learningRate/],
    ['unrelated key', { frobnicate: 1 }, /^frobnicate: unknown option; valid options/],
    ['inherited name', { toString: 'x' }, /^toString: unknown option/],
    ['TRL-only option', { numTrainEpochs: 3 }, /^numTrainEpochs: not supported by @r1: .*set maxSteps/],
    ['numGenerations < 2', { numGenerations: 1 }, /^numGenerations: must be an integer ≥ 2, got 1; GRPO compares/],
    ['fractional steps', { maxSteps: 2.5 }, /^maxSteps: must be an integer ≥ 1, got 2.5/],
    ['maxSteps 0', { maxSteps: 0 }, /^maxSteps: must be an integer ≥ 1/],
    ['epsilon 0', { epsilon: 0 }, /^epsilon: must be a finite number > 0 and < 1, got 0/],
    ['epsilon 1', { epsilon: 1 }, /^epsilon: must be a finite number > 0 and < 1/],
    ['negative beta', { beta: -0.1 }, /^beta: must be a finite number ≥ 0, got -0.1; use 0/],
    ['NaN learning rate', { learningRate: Number.NaN }, /^learningRate: must be a finite number > 0, got NaN/],
    ['quoted number', { learningRate: '1e-6' }, /^learningRate: .*got the string "1e-6"; write it without quotes/],
    ['topP 0', { topP: 0 }, /^topP: must be a finite number > 0 and ≤ 1/],
    ['minP 2', { minP: 2 }, /^minP: must be a finite number ≥ 0 and ≤ 1, got 2; use null/],
    ['temperature 0', { temperature: 0 }, /^temperature: .*> 0.*near-greedy/],
    [
      'lossType typo',
      { lossType: 'drgrpo' },
      /^lossType: must be one of 'grpo', 'bnpo', 'dr_grpo', 'dapo', got "drgrpo" — did you mean 'dr_grpo'\?/,
    ],
    [
      'scaleRewards boolean',
      { scaleRewards: true },
      /^scaleRewards: must be one of 'group', 'batch', 'none', got true/,
    ],
    [
      'lr scheduler',
      { lrSchedulerType: 'cosine_with_restarts' },
      /^lrSchedulerType: must be one of 'linear', 'cosine', 'constant'/,
    ],
    ['boolean as string', { maskTruncatedCompletions: 'yes' }, /^maskTruncatedCompletions: must be true or false/],
    ['empty rewardFuncs', { rewardFuncs: [] }, /^rewardFuncs: must be a non-empty list/],
    ['duplicate rewardFuncs', { rewardFuncs: ['a', 'a'] }, /^rewardFuncs: lists 'a' twice/],
    [
      'weights length',
      { rewardFuncs: ['accuracy', 'format'], rewardWeights: [1] },
      /^rewardWeights: has 1 weights for 2 reward functions \(accuracy, format\)/,
    ],
    [
      'batch not divisible by numGenerations',
      { perDeviceTrainBatchSize: 6, numGenerations: 4 },
      /^generationBatchSize: 6 \(= perDeviceTrainBatchSize 6 × stepsPerGeneration 1\) must be divisible by numGenerations 4.*multiple of 4/,
    ],
    [
      'generation batch not whole micro-batches',
      { generationBatchSize: 24, perDeviceTrainBatchSize: 16 },
      /^generationBatchSize: 24 must be divisible by perDeviceTrainBatchSize 16/,
    ],
    [
      'both generation knobs, inconsistent',
      { generationBatchSize: 16, stepsPerGeneration: 4 },
      /^generationBatchSize: 16 ≠ perDeviceTrainBatchSize × stepsPerGeneration = 8 × 4; set only one/,
    ],
    ['both warmups', { warmupSteps: 10, warmupRatio: 0.1 }, /^warmupSteps: and warmupRatio are both set/],
    ['warmup beyond maxSteps', { warmupSteps: 20, maxSteps: 10 }, /^warmupSteps: 20 exceeds maxSteps 10/],
    ['soft cache too long', { softPunishCache: 256 }, /^softPunishCache: 256 must be below maxCompletionLength 256/],
    ['outputDir empty', { outputDir: ' ' }, /^outputDir: must be a non-empty string/],
    ['seed negative', { seed: -1 }, /^seed: must be an integer ≥ 0/],
  ])('rejects %s', (_name, partial, message) => {
    const issues = issuesOf(partial);
    expect(
      issues.some((i) => message.test(i)),
      `issues were:\n${issues.join('\n')}`,
    ).toBe(true);
  });

  test('lists every problem at once, and the error message names each field', () => {
    try {
      resolveGRPOConfig({ numGenerations: 1, epsilon: 2, bogus: 1 } as Partial<GRPOConfig>);
      expect.unreachable();
    } catch (e) {
      const error = e as GRPOConfigError;
      expect(error.issues.map((i) => i.field).sort()).toEqual(['bogus', 'epsilon', 'numGenerations']);
      expect(error.message).toMatch(
        /^invalid GRPO config:\n {2}- bogus: .*\n {2}- numGenerations: .*\n {2}- epsilon: /,
      );
    }
  });

  test.each([null, 3, 'x', [1]])('rejects a non-object config (%s)', (value) => {
    expect(() => resolveGRPOConfig(value as never)).toThrow(/must be an object of options/);
  });

  test('does not share arrays with the input or the defaults', () => {
    const rewardFuncs = ['accuracy'];
    const c = resolveGRPOConfig({ rewardFuncs });
    rewardFuncs.push('format');
    expect(c.rewardFuncs).toEqual(['accuracy']);
    resolveGRPOConfig().rewardFuncs.push('mutated');
    expect(DEFAULT_GRPO_CONFIG.rewardFuncs).toEqual(['accuracy', 'format']);
  });
});

describe('resolveGRPOConfig properties', () => {
  const validPartial = fc
    .record({
      numGenerations: fc.integer({ min: 2, max: 16 }),
      promptsPerMicroBatch: fc.integer({ min: 1, max: 4 }),
      gradientAccumulationSteps: fc.integer({ min: 1, max: 8 }),
      epsilon: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
      epsilonHigh: fc.option(fc.double({ min: 0.01, max: 5, noNaN: true }), { nil: null }),
      beta: fc.double({ min: 0, max: 1, noNaN: true }),
      lossType: fc.constantFrom('grpo', 'bnpo', 'dr_grpo', 'dapo' as const),
      scaleRewards: fc.constantFrom('group', 'batch', 'none' as const),
      learningRate: fc.double({ min: 1e-8, max: 1e-2, noNaN: true }),
      maxSteps: fc.integer({ min: 1, max: 10_000 }),
    })
    .map(
      ({ promptsPerMicroBatch, ...rest }): Partial<GRPOConfig> => ({
        ...rest,
        perDeviceTrainBatchSize: promptsPerMicroBatch * rest.numGenerations,
      }),
    );

  test('valid configs resolve, and resolving is idempotent', () => {
    fc.assert(
      fc.property(validPartial, (partial) => {
        const once = resolveGRPOConfig(partial);
        expect(resolveGRPOConfig(once)).toEqual(once);
        expect(once.generationBatchSize % once.numGenerations).toBe(0);
        expect(once.generationBatchSize).toBe(once.perDeviceTrainBatchSize * once.stepsPerGeneration);
      }),
    );
  });

  test('every numGenerations that does not divide the generation batch is rejected', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 2, max: 16 }), (batch, G) => {
        fc.pre(batch % G !== 0);
        expect(() => resolveGRPOConfig({ perDeviceTrainBatchSize: batch, numGenerations: G })).toThrow(
          /must be divisible by numGenerations/,
        );
      }),
    );
  });
});
