export type { GroupRewardFn, Verifier } from '../types';
export * from './accuracy';
export {
  type CombinedReward,
  type CombineOptions,
  type ComponentScore,
  combineGroupRewards,
  combineRewards,
  DEFAULT_COMBINE_OPTIONS,
  type GroupRewardComponent,
  type NullPolicy,
  normalizeThenSum,
  type RewardComponent,
  resolveCombineOptions,
  totalOf,
} from './combine';
export {
  type CosineScaledRewardOptions,
  cosineScaled,
  cosineScaledReward,
  DEFAULT_COSINE_SCALED_REWARD_OPTIONS,
  resolveCosineScaledRewardOptions,
} from './cosine';
export {
  type CountdownRewardOptions,
  type CountdownVerdict,
  countdownReward,
  countdownScore,
  countdownTask,
  createCountdownReward,
  DEFAULT_COUNTDOWN_REWARD_OPTIONS,
  judgeCountdown,
  resolveCountdownRewardOptions,
} from './countdown';
export {
  DEFAULT_EQUATION_LIMITS,
  type EquationLimits,
  type EquationResult,
  evaluateEquation,
} from './countdown-equation';
export {
  createFormatReward,
  DEFAULT_FORMAT_REWARD_OPTIONS,
  type FormatRewardOptions,
  formatReward,
  resolveFormatRewardOptions,
} from './format';
export { DEFAULT_MAX_CHARS } from './guard';
export {
  createLanguageConsistencyReward,
  DEFAULT_LANGUAGE_CONSISTENCY_REWARD_OPTIONS,
  type LanguageConsistencyRewardOptions,
  languageConsistencyReward,
  resolveLanguageConsistencyRewardOptions,
  type TargetLanguage,
} from './language-consistency';
export {
  DEFAULT_LENGTH_REWARD_OPTIONS,
  kimiLengthScores,
  type LengthRewardOptions,
  lengthReward,
  resolveLengthRewardOptions,
} from './length';
export {
  DEFAULT_SOFT_OVERLONG_PUNISHMENT_OPTIONS,
  overlongPenalty,
  resolveSoftOverlongPunishmentOptions,
  type SoftOverlongPunishmentOptions,
  softOverlongPunishment,
} from './overlong';
export {
  countReasoningSteps,
  createReasoningStepsReward,
  DEFAULT_REASONING_STEPS_REWARD_OPTIONS,
  type ReasoningStepsRewardOptions,
  reasoningStepsReward,
  resolveReasoningStepsRewardOptions,
} from './reasoning-steps';
export {
  createRepetitionPenalty,
  DEFAULT_REPETITION_PENALTY_OPTIONS,
  type RepetitionPenaltyOptions,
  repetitionPenalty,
  repetitionRatio,
  resolveRepetitionPenaltyOptions,
} from './repetition';
export {
  createTagCountReward,
  DEFAULT_TAG_COUNT_REWARD_OPTIONS,
  OPEN_R1_TAGS,
  R1_ZERO_TAGS,
  resolveTagCountRewardOptions,
  type TagCountRewardOptions,
  tagCountReward,
} from './tag-count';
