import { describe, expect, it } from 'vitest';
import { rewardScorer } from './reward-registry';

const sample = { prompt: 'What is 2 + 2?', answer: '4' };

describe('rewardScorer', () => {
  it.each([
    ['r1-zero', '<think> 2 + 2 = 4 </think> <answer> 4 </answer>', 1],
    ['r1-zero', '<think> 2 + 2 = 4 </think> The answer is 4.', 0],
    ['r1', '<think> 2 + 2 = 4 </think> The answer is 4.', 1],
    ['think', '2 + 2 = 4 </think> The answer is \\boxed{4}.', 1],
  ] as const)('format reward under %s: %j → %d', (format, completion, expected) => {
    const [scored] = rewardScorer(['format'], null, format)([completion], sample);
    expect(scored!.total).toBe(expected);
  });

  it('language consistency reads the reasoning of the template’s format', () => {
    const [r1] = rewardScorer(
      ['language_consistency'],
      null,
      'r1',
    )(['<think> 先 算 two </think> The answer is 4.'], sample);
    expect(r1!.total).toBeCloseTo(1 / 3, 10);
  });

  it('an unknown reward name lists the known ones', () => {
    expect(() => rewardScorer(['acuracy'], null)).toThrow(/unknown reward "acuracy".*accuracy/);
  });
});
