/**
 * @r1/reward-model — reward models for DeepSeek-R1's final RL stage (§2.3.4): our transformer with a scalar head,
 * saved as HF `Qwen2ForSequenceClassification`; the Bradley–Terry loss with TRL's names and a pointwise
 * (harmlessness) classifier; TRL's preference data, JSONL or Parquet; summary-only or full-response scoring; a
 * resumable training loop sharing @r1/distill's and @r1/grpo-core's pieces; and a batched scorer for a trainer.
 */
export { loadRewardCheckpoint, type RewardResumePoint, saveRewardCheckpoint } from './checkpoint';
export {
  createPromptRenderer,
  type Encoded,
  encodePointwiseRows,
  encodePreferenceRows,
  encodeScored,
  type PointwiseExample,
  type PreferenceExample,
  type PromptRenderer,
  type RowEncodeOptions,
} from './encode';
export {
  type BradleyTerryOptions,
  bradleyTerryLoss,
  pairMetrics,
  pointwiseAccuracy,
  pointwiseBceLoss,
  softplus,
} from './losses';
export { type RewardReportInput, renderRewardReport } from './report';
export {
  REWARD_CONFIG_KEYS,
  type RewardConfig,
  RewardConfigError,
  resolveRewardConfig,
  SHARED_TRAINING_KEYS,
} from './reward-config';
export { parseRewardConfigText, readRewardConfigFile } from './reward-config-file';
export {
  emptyRewardModel,
  type FromCausalLmOptions,
  lastTokenIndices,
  type RewardModel,
  rewardModelFromLm,
  SCORE_WEIGHT,
} from './reward-model';
export {
  isRewardModelConfig,
  loadRewardModel,
  REWARD_MODEL_FILE,
  REWARD_MODEL_KINDS,
  type RewardModelKind,
  type RewardModelSettings,
  readRewardModelSettings,
  rewardModelFromCausalLm,
  rewardModelTensorShapes,
  type SaveRewardModelOptions,
  saveRewardModel,
  sequenceClassificationConfig,
} from './reward-model-io';
export {
  evaluateRewardModel,
  padRows,
  planRewardTraining,
  type RewardEvalResult,
  type RewardExamples,
  type RewardPlanSummary,
  type RewardStepRecord,
  type RewardTrainerState,
  type RewardTrainResult,
  scoreRows,
  type TrainRewardModelOptions,
  trainRewardModel,
} from './reward-train';
export {
  type PointwiseRow,
  type PreferenceRow,
  parsePointwiseRow,
  parsePreferenceRow,
  type RowPrompt,
  readPointwiseRows,
  readPreferenceRows,
} from './rows';
export { type RewardModelSummary, type RunRewardModelOptions, runRewardModelTraining } from './run-reward-model';
export { checkScoreMode, SCORE_MODES, type ScoreMode, scoredText, summaryOf } from './scored-text';
export {
  createRewardModelScorer,
  type RewardModelScorer,
  type RewardModelScorerOptions,
  rewardModelScorer,
} from './scorer';
