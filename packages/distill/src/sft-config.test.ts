import { describe, expect, test } from 'vitest';
import { DEFAULT_SFT_CONFIG, resolveSFTConfig, SFTConfigError } from './sft-config';
import { parseSFTConfigText } from './sft-config-file';

describe('SFT config', () => {
  test('defaults are TRL / HF ones; snake_case and camelCase both set fields', () => {
    const c = resolveSFTConfig({ learning_rate: 1e-4, packing: true, maxSteps: 10 });
    expect(c).toMatchObject({
      learningRate: 1e-4,
      packing: true,
      maxSteps: 10,
      maxLength: 1024,
      seed: 42,
      perDeviceTrainBatchSize: 8,
    });
    expect(resolveSFTConfig()).toEqual({ ...DEFAULT_SFT_CONFIG });
  });

  test.each([
    [{ learnig_rate: 1 }, 'learnig_rate: unknown option; did you mean learning_rate?'],
    [{ packin: true }, 'did you mean packing?'],
    [{ per_device_train_batch_size: 0 }, 'perDeviceTrainBatchSize: must be an integer ≥ 1'],
    [{ over_length: 'cut' }, 'overLength: must be one of drop, truncate'],
    [{ lr_scheduler_type: 'step' }, 'must be one of linear, cosine, constant'],
    [{ warmup_ratio: 1 }, 'warmupRatio: must be a number in [0, 1)'],
    [{ kd: { teacher: 'dir', alpa: 0.5 } }, 'kd.alpa: unknown key; did you mean kd.alpha?'],
    [{ kd: { alpha: 2 } }, 'kd.teacher: must be the teacher checkpoint directory'],
    [{ kd: { teacher: 't', temperature: 0 } }, 'kd.temperature: must be a number in (0'],
  ])('%j is refused: %s', (partial, message) => {
    expect(() => resolveSFTConfig(partial)).toThrow(SFTConfigError);
    expect(() => resolveSFTConfig(partial)).toThrow(message);
  });

  test('every problem at once', () => {
    try {
      resolveSFTConfig({ max_length: 1, seed: 1.5, bogus_key_here: 1 });
      expect.unreachable();
    } catch (e) {
      expect((e as SFTConfigError).issues.map((i) => i.field).sort()).toEqual(['bogus_key_here', 'maxLength', 'seed']);
    }
  });

  test('YAML: TRL names, the kd block, errors with file, line and the key as written', () => {
    const yaml =
      'num_train_epochs: 2\nlearning_rate: 1.0e-4\npacking: true\nkd:\n  teacher: ckpt/t\n  temperature: 2\n';
    expect(parseSFTConfigText(yaml, 'sft.yaml')).toEqual({
      numTrainEpochs: 2,
      learningRate: 1e-4,
      packing: true,
      kd: { teacher: 'ckpt/t', temperature: 2 },
    });
    expect(() => parseSFTConfigText('seed: 1\nmax_lenght: 512\n', 'sft.yaml')).toThrow(
      /sft\.yaml:2: max_lenght: unknown option; did you mean max_length\?/,
    );
    expect(() => parseSFTConfigText('packing: yes please\n', 'sft.yaml')).toThrow(
      /sft\.yaml:1: packing: must be true or false/,
    );
    expect(() => parseSFTConfigText('seed: [1\n', 'sft.yaml')).toThrow(/sft\.yaml.*not valid YAML/);
    expect(() => parseSFTConfigText('seed: 1\nseed: 2\n', 'sft.yaml')).toThrow(/not valid YAML|again/);
    expect(parseSFTConfigText('', 'sft.yaml')).toEqual({});
  });
});
