/**
 * Trainer checkpoints in `OUT/checkpoint-<step>`: the model in HF layout (config.json, model.safetensors,
 * tokenizer files), AdamW's state (`optimizer.safetensors`: PyTorch's `exp_avg`, `exp_avg_sq`, `step` per
 * parameter) and `trainer_state.json` (step, plan, history). Written atomically by @r1/model's saveModel, so a
 * crash leaves the previous checkpoint or the new one, never half of one. No RNG state: the loop derives every
 * random choice from (seed, epoch).
 */
import {
  type AdamW,
  OPTIMIZER_FILE,
  readTrainingCheckpointExtras,
  saveTrainingCheckpoint,
  TRAINER_STATE_FILE,
} from '@r1/grpo-core';
import { loadModel, type Model, type Tokenizer, type tf } from '@r1/model';
import type { SftTrainerState } from './sft-train';

export { OPTIMIZER_FILE, TRAINER_STATE_FILE };

/** `OUT/checkpoint-<step>`. */
export const checkpointName = (step: number): string => `checkpoint-${step}`;

export async function saveSftCheckpoint(
  dir: string,
  model: Model,
  tokenizer: Tokenizer,
  optimizer: AdamW,
  state: SftTrainerState,
): Promise<void> {
  await saveTrainingCheckpoint(dir, model, tokenizer, optimizer, state);
}

export interface SftResumePoint {
  model: Model;
  state: SftTrainerState;
  /** The caller disposes these after `sftTrain` has imported them. */
  optimizerState: Map<string, tf.Tensor>;
}

export async function loadSftCheckpoint(dir: string): Promise<SftResumePoint> {
  const extras = await readTrainingCheckpointExtras(dir);
  const state = extras.state as SftTrainerState | undefined;
  const optimizerState = extras.optimizerState;
  if (typeof state !== 'object' || state === null || typeof state.step !== 'number' || optimizerState === undefined) {
    throw new Error(
      `${dir}: not an SFT checkpoint (no ${TRAINER_STATE_FILE} with a step, or no ${OPTIMIZER_FILE}); ` +
        'resume from an OUT/checkpoint-<step> directory written by r1-train sft',
    );
  }
  const model = await loadModel(dir);
  return { model, state, optimizerState };
}
