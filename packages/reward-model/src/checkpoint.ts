/**
 * Reward-model trainer checkpoints in `OUT/checkpoint-<step>`: the model as a `Qwen2ForSequenceClassification`
 * directory plus the two files of @r1/grpo-core's training-checkpoint format — AdamW's state in
 * `optimizer.safetensors` (PyTorch's `exp_avg`, `exp_avg_sq`, `step` per parameter) and `trainer_state.json` —
 * read back with its `readTrainingCheckpointExtras`. Atomic, as every checkpoint here. No RNG state: the loop
 * derives every random choice from (seed, epoch).
 */
import {
  type AdamW,
  OPTIMIZER_FILE,
  readTrainingCheckpointExtras,
  TRAINER_STATE_FILE,
  withOptimizerTensors,
} from '@r1/grpo-core';
import type { Tokenizer, tf } from '@r1/model';
import type { RewardModel } from './reward-model';
import { loadRewardModel, type RewardModelSettings, saveRewardModel } from './reward-model-io';
import type { RewardTrainerState } from './reward-train';

export async function saveRewardCheckpoint(
  dir: string,
  model: RewardModel,
  tokenizer: Tokenizer,
  settings: RewardModelSettings,
  optimizer: AdamW,
  state: RewardTrainerState,
): Promise<void> {
  await withOptimizerTensors(optimizer, (tensors) =>
    saveRewardModel(dir, model, {
      tokenizer: tokenizer.files,
      padTokenId: tokenizer.padTokenId ?? tokenizer.eosTokenId,
      settings,
      extraJson: { [TRAINER_STATE_FILE]: state },
      extraTensors: { [OPTIMIZER_FILE]: tensors },
    }),
  );
}

export interface RewardResumePoint {
  model: RewardModel;
  state: RewardTrainerState;
  /** The caller disposes these after training has imported them. */
  optimizerState: Map<string, tf.Tensor>;
}

export async function loadRewardCheckpoint(dir: string): Promise<RewardResumePoint> {
  const extras = await readTrainingCheckpointExtras(dir);
  const state = extras.state as RewardTrainerState | undefined;
  if (
    typeof state !== 'object' ||
    state === null ||
    typeof state.step !== 'number' ||
    extras.optimizerState === undefined
  ) {
    throw new Error(
      `${dir}: not a reward-model training checkpoint (no ${TRAINER_STATE_FILE} with a step, or no ${OPTIMIZER_FILE}); ` +
        'resume from an OUT/checkpoint-<step> directory written by runRewardModelTraining',
    );
  }
  return { model: await loadRewardModel(dir), state, optimizerState: extras.optimizerState };
}
