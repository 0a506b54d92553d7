export * from './rewards/index';
export type { AsyncRewardFn, RewardFn, Sample } from './types';
export * from './verify/index';
