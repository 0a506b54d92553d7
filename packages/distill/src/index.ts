/**
 * @r1/distill — supervised fine-tuning and distillation (DeepSeek-R1 §2.3.3 cold start and stage 3, §2.4
 * distillation): TRL's data formats and loss masks, over-length policies, best-fit-decreasing packing with exact
 * per-row attention, logit distillation, and a resumable SFT loop with checkpoints, metrics and a report.
 */
export { buildBatch, disposeTrainBatch, positionsOf, type TrainBatch } from './batch';
export { checkpointName, loadSftCheckpoint, OPTIMIZER_FILE, saveSftCheckpoint, TRAINER_STATE_FILE } from './checkpoint';
export { forwardKlSum, maskedNll, maskedNllSum } from './losses';
export { applyOverLength, type OverLengthResult } from './over-length';
export { type PackedSequence, packBestFitDecreasing } from './pack';
export { examplesFromPairs } from './pairs';
export { formatSeconds, ProgressBar } from './progress';
export { escapeHtml, renderReport, svgLineChart } from './report';
export { type RunSftOptions, runSft, type SftSummary } from './run-sft';
export {
  DEFAULT_KD_CONFIG,
  DEFAULT_SFT_CONFIG,
  type KdConfig,
  OVER_LENGTH_POLICIES,
  type OverLengthPolicy,
  resolveSFTConfig,
  SFT_CONFIG_KEYS,
  type SFTConfig,
  SFTConfigError,
} from './sft-config';
export { parseSFTConfigText, readSFTConfigFile } from './sft-config-file';
export { parseSftRow, type ReadSftRowsOptions, type RowLocation, readSftRows, rowName, type SftRow } from './sft-rows';
export {
  evalLoss,
  type KdTeacher,
  microBatchesOf,
  planSft,
  type SftLoopConfig,
  type SftPlan,
  type SftPlanSummary,
  type SftStepRecord,
  type SftTrainerState,
  type SftTrainOptions,
  type SftTrainResult,
  sftTrain,
} from './sft-train';
export {
  createRowTokenizer,
  RowError,
  type RowTokenizerOptions,
  reasoningOf,
  type TokenizedExample,
} from './tokenize-row';
