import { DEFAULT_SFT_CONFIG } from '@r1/distill';
import { describe, expect, test } from 'vitest';
import { resolveRewardConfig } from './reward-config';
import { parseRewardConfigText } from './reward-config-file';

describe('RewardConfig', () => {
  test('defaults are @r1/distill’s for the shared knobs, centering off', () => {
    const c = resolveRewardConfig();
    expect(c.learningRate).toBe(DEFAULT_SFT_CONFIG.learningRate);
    expect(c.maxLength).toBe(DEFAULT_SFT_CONFIG.maxLength);
    expect(c.centerRewardsCoefficient).toBeNull();
    expect('packing' in c).toBe(false);
  });

  test('TRL snake_case and camelCase both work', () => {
    const c = resolveRewardConfig({
      center_rewards_coefficient: 0.01,
      learning_rate: 1e-4,
      perDeviceTrainBatchSize: 4,
    });
    expect(c).toMatchObject({ centerRewardsCoefficient: 0.01, learningRate: 1e-4, perDeviceTrainBatchSize: 4 });
  });

  test('every problem at once: SFT-only options, typos with the nearest name, bad values', () => {
    let message = '';
    try {
      resolveRewardConfig({
        packing: true,
        center_reward_coefficient: 0.01,
        learning_rate: -1,
        center_rewards_coefficient: -2,
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/packing: is an SFT option/);
    expect(message).toMatch(/center_reward_coefficient: unknown option; did you mean center_rewards_coefficient\?/);
    expect(message).toMatch(/learningRate: must be a number in \[0, Infinity\]/);
    expect(message).toMatch(/centerRewardsCoefficient: must be null \(off\) or a number ≥ 0/);
  });
});

describe('reward-model config files', () => {
  test('YAML in TRL’s names; errors name the file, the line and the key as written', () => {
    expect(parseRewardConfigText('learning_rate: 1.0e-4\ncenter_rewards_coefficient: 0.01\n', 'rm.yaml')).toEqual({
      learning_rate: 1e-4,
      center_rewards_coefficient: 0.01,
    });
    expect(() => parseRewardConfigText('max_steps: 10\npacking: true\nlearning_rate: -1\n', 'rm.yaml')).toThrow(
      /rm\.yaml:2: packing: is an SFT option[\s\S]*rm\.yaml:3: learning_rate: must be a number/,
    );
    expect(() => parseRewardConfigText('seed: 1\nseed: 2\n', 'rm.yaml')).toThrow(/rm\.yaml:2: not valid YAML/);
    expect(() => parseRewardConfigText('- 1\n', 'rm.yaml')).toThrow(/must be a mapping/);
  });
});
