import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import type { GRPOConfig } from './grpo-config';
import { loadGRPOConfigFile, parseGRPOConfig } from './grpo-config-file';
import { camelToSnake } from './nearest-name';
import { GRPOConfigError, resolveGRPOConfig } from './resolve-grpo-config';

const dir = mkdtempSync(join(tmpdir(), 'grpo-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function file(name: string, text: string): string {
  const path = join(dir, `${counter++}-${name}`);
  writeFileSync(path, text);
  return path;
}

function errorOf(call: () => unknown): Error {
  try {
    call();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('loadGRPOConfigFile', () => {
  test('reads TRL snake_case YAML', () => {
    const path = file(
      'trl.yaml',
      [
        '# a TRL-style GRPO section',
        'learning_rate: 3.0e-6',
        'num_generations: 4',
        'per_device_train_batch_size: 16',
        'loss_type: dr_grpo',
        'scale_rewards: false',
        'epsilon_high: 0.28',
        'adam_beta2: 0.99',
        'reward_funcs: [accuracy, format, tag_count]',
        'reward_weights: [1.0, 0.5, 0.25]',
        'min_p: null',
        '',
      ].join('\n'),
    );
    expect(loadGRPOConfigFile(path)).toEqual(
      resolveGRPOConfig({
        learningRate: 3e-6,
        numGenerations: 4,
        perDeviceTrainBatchSize: 16,
        lossType: 'dr_grpo',
        scaleRewards: 'none',
        epsilonHigh: 0.28,
        adamBeta2: 0.99,
        rewardFuncs: ['accuracy', 'format', 'tag_count'],
        rewardWeights: [1, 0.5, 0.25],
        minP: null,
      }),
    );
  });

  test('reads camelCase JSON, and mixed spellings of different keys', () => {
    const path = file('c.json', JSON.stringify({ numGenerations: 2, max_steps: 7, scaleRewards: 'batch' }, null, 2));
    expect(loadGRPOConfigFile(path)).toMatchObject({ numGenerations: 2, maxSteps: 7, scaleRewards: 'batch' });
  });

  test('an empty file gives the defaults', () => {
    expect(loadGRPOConfigFile(file('empty.yml', '# nothing\n'))).toEqual(resolveGRPOConfig());
  });

  test.each<[string, string, string, RegExp]>([
    [
      'typo on line 3',
      'c.yaml',
      'beta: 0\nseed: 1\nnum_generation: 4\n',
      /c\.yaml:3: num_generation: unknown option — did you mean num_generations\?/,
    ],
    [
      'camel typo keeps camel style',
      'c.yaml',
      'numGeneratons: 4\n',
      /c\.yaml:1: numGeneratons: unknown option — did you mean numGenerations\?/,
    ],
    [
      'bad value on line 2',
      'c.yaml',
      'seed: 1\nlearning_rate: -1\n',
      /c\.yaml:2: learning_rate: must be a finite number > 0, got -1/,
    ],
    ['quoted number', 'c.yaml', "learning_rate: '1e-6'\n", /c\.yaml:1: learning_rate: .*write it without quotes/],
    ['unsupported TRL option', 'c.yaml', 'use_vllm: true\n', /c\.yaml:1: use_vllm: not supported by @r1/],
    [
      'the same field in both spellings',
      'c.yaml',
      'learning_rate: 1e-6\nseed: 3\nlearningRate: 2e-6\n',
      /c\.yaml:3: learningRate: sets learningRate again \(already set as learning_rate on line 1\)/,
    ],
    ['duplicate key (YAML)', 'c.yaml', 'seed: 1\nseed: 2\n', /c\.yaml:2: not valid YAML: Map keys must be unique/],
    ['YAML syntax', 'c.yaml', 'seed: 1\nbeta: [0.1\n', /c\.yaml:\d: not valid YAML: /],
    ['JSON syntax', 'c.json', '{\n  "seed": 1,\n  "beta": 0.1,\n}\n', /c\.json:4: not valid JSON: /],
    ['JSON comments are rejected', 'c.json', '{\n  // no\n  "seed": 1\n}\n', /c\.json:2: not valid JSON/],
    ['not a mapping', 'c.yaml', '- seed\n- beta\n', /c\.yaml: a GRPO config must be a mapping of option: value/],
    [
      'cross-field rule names the file key that is present',
      'c.yaml',
      'reward_funcs: [a, b]\nreward_weights: [1]\n',
      /c\.yaml:2: reward_weights: has 1 weights for 2 reward functions/,
    ],
    [
      'cross-field rule on a derived field has no line',
      'c.yaml',
      'num_generations: 3\n',
      /c\.yaml: generationBatchSize: 8 .* must be divisible by numGenerations 3/,
    ],
  ])('%s', (_name, name, text, message) => {
    const error = errorOf(() => loadGRPOConfigFile(file(name, text)));
    expect(error.message).toMatch(message);
  });

  test('all problems of a file are reported together as a GRPOConfigError', () => {
    const path = file('many.yaml', 'num_generations: 1\nepsilon: 3\nbogus: x\n');
    const error = errorOf(() => loadGRPOConfigFile(path));
    expect(error).toBeInstanceOf(GRPOConfigError);
    expect((error as GRPOConfigError).source).toBe(path);
    expect((error as GRPOConfigError).issues.map((i) => [i.field, i.line])).toEqual([
      ['bogus', 3],
      ['num_generations', 1],
      ['epsilon', 2],
    ]);
  });

  test('a missing file and a wrong extension say so', () => {
    expect(() => loadGRPOConfigFile(join(dir, 'nope.yaml'))).toThrow(
      /nope\.yaml: cannot read the GRPO config file \(ENOENT\)/,
    );
    expect(() => loadGRPOConfigFile(file('c.toml', 'seed = 1'))).toThrow(
      /must end in \.yaml, \.yml or \.json \(got "\.toml"\)/,
    );
  });
});

describe('config files round-trip', () => {
  const partialArb = fc.record(
    {
      numGenerations: fc.constantFrom(2, 4, 8),
      beta: fc.double({ min: 0, max: 1, noNaN: true }),
      epsilon: fc.double({ min: 0.01, max: 0.5, noNaN: true }),
      learningRate: fc.double({ min: 1e-7, max: 1e-3, noNaN: true }),
      lossType: fc.constantFrom('grpo', 'bnpo', 'dr_grpo', 'dapo' as const),
      lrSchedulerType: fc.constantFrom('linear', 'cosine', 'constant' as const),
      rewardFuncs: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z_]{0,9}$/), { minLength: 1, maxLength: 3 }),
      maskTruncatedCompletions: fc.boolean(),
      runName: fc.option(
        fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() !== ''),
        { nil: null },
      ),
    },
    { requiredKeys: [] },
  );

  test('resolve → write as snake_case YAML or camelCase JSON → load gives the same config', () => {
    fc.assert(
      fc.property(partialArb, fc.boolean(), (partial, asYaml) => {
        const config = resolveGRPOConfig(partial as Partial<GRPOConfig>);
        const text = asYaml
          ? stringify(Object.fromEntries(Object.entries(config).map(([k, v]) => [camelToSnake(k), v])))
          : JSON.stringify(config);
        expect(parseGRPOConfig(text, { format: asYaml ? 'yaml' : 'json' })).toEqual(config);
      }),
      { numRuns: 50 },
    );
  });
});
