import { accuracyReward } from '@r1/rewards';
import { checkRewardLaws } from '@r1/rewards/testing';
import { expect, it } from 'vitest';

it('the @r1/rewards/testing subpath resolves in the workspace (apps can property-test their rewards)', () => {
  expect(typeof checkRewardLaws).toBe('function');
  expect(typeof accuracyReward).toBe('function');
});
