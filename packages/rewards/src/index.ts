export type { AsyncRewardFn, RewardFn, Sample } from './types';
export * from './verify/index';
export * from './rewards/index';
