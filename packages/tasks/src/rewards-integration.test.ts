/**
 * The seam between this package and @r1/rewards: the reward each task names accepts the task's own gold, and
 * rejects a wrong answer. Tests of the rewards themselves live in @r1/rewards.
 */

import { accuracyReward, countdownReward } from '@r1/rewards';
import { describe, expect, test } from 'vitest';
import { arithmeticTask } from './arithmetic';
import { countdownTask } from './countdown';

const completion = (answer: string) => `<think>working</think>\n<answer>${answer}</answer>`;

describe('tasks scored by the rewards they name', () => {
  test.each(['tiny', 'medium', 'hard'] as const)(
    "arithmetic '%s': 'accuracy' gives the gold 1 and gold + 1 0",
    (preset) => {
      const task = arithmeticTask(preset);
      expect(task.reward).toBe('accuracy');
      for (const item of task.generate({ split: 'test', count: 40, seed: 3 })) {
        expect(accuracyReward(completion(item.answer), item)).toBe(1);
        expect(accuracyReward(completion(String(Number(item.answer) + 1)), item)).toBe(0);
      }
    },
  );

  test.each(['tiny', 'easy', 'tinyzero'] as const)("countdown '%s': 'countdown' gives meta.solution 1", (preset) => {
    const task = countdownTask(preset);
    expect(task.reward).toBe('countdown');
    for (const item of task.generate({ split: 'train', count: 100, seed: 5 })) {
      expect(countdownReward(completion(item.meta.solution), item)).toBe(1);
      // Leaving out a number breaks TinyZero's "use every number" rule.
      const [first, ...rest] = item.meta.numbers;
      expect(countdownReward(completion(rest.join(' + ') || String(first)), item)).toBe(0);
    }
  });
});
