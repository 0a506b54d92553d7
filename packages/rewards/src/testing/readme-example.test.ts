// The "Test your reward" example of packages/rewards/README.md, as a user would paste it (imports from the package's
// sources here; a user imports '@r1/rewards' and '@r1/rewards/testing').
import { expect, test } from 'vitest';
import { mathVerify, type RewardFn } from '../index';
import { ACCURACY_LAWS, assertRewardLaws, checkRewardLaws } from './index';

// 1 when the last <answer> block equals the gold answer, null when there is no gold.
const myAccuracy: RewardFn = (completion, sample) => {
  if (sample.answer === undefined) return null;
  const open = completion.lastIndexOf('<answer>');
  const close = completion.indexOf('</answer>', open);
  if (open < 0 || close < 0) return 0;
  return mathVerify(sample.answer, completion.slice(open + 8, close)).correct ? 1 : 0;
};

test('my reward keeps the reward laws', () => assertRewardLaws(myAccuracy, { laws: ACCURACY_LAWS }));

test('substring matching is caught', () => {
  const hack: RewardFn = (c, s) => (c.includes(s.answer ?? '') ? 1 : 0);
  const { ok, failures } = checkRewardLaws(hack, { laws: ['correct-beats-wrong'] });
  expect(ok).toBe(false); // failures[0].counterexample: the shrunk pair of completions
  expect(failures[0]!.law).toBe('correct-beats-wrong');
});
