/**
 * Trainer checkpoints in `OUT/checkpoint-<step>`: the model in HF layout (config.json, model.safetensors,
 * tokenizer files), AdamW's state (`optimizer.safetensors`: PyTorch's `exp_avg`, `exp_avg_sq`, `step` per
 * parameter) and `trainer_state.json` (step, plan, history). Written atomically by @r1/model's saveModel, so a
 * crash leaves the previous checkpoint or the new one, never half of one. No RNG state: the loop derives every
 * random choice from (seed, epoch).
 */
import type { AdamW } from '@r1/grpo-core';
import {
  loadModel,
  type Model,
  readCheckpointExtras,
  saveModel,
  type Tokenizer,
  tf,
  type WritableTensor,
} from '@r1/model';
import type { SftTrainerState } from './sft-train';

export const TRAINER_STATE_FILE = 'trainer_state.json';
export const OPTIMIZER_FILE = 'optimizer.safetensors';

/** `OUT/checkpoint-<step>`. */
export const checkpointName = (step: number): string => `checkpoint-${step}`;

export async function saveSftCheckpoint(
  dir: string,
  model: Model,
  tokenizer: Tokenizer,
  optimizer: AdamW,
  state: SftTrainerState,
): Promise<void> {
  const exported = optimizer.exportState();
  try {
    const tensors = new Map<string, WritableTensor>();
    for (const [name, t] of exported) {
      const int = t.dtype === 'int32';
      tensors.set(name, {
        shape: t.shape,
        dtype: int ? 'int32' : 'float32',
        data: int ? Int32Array.from(t.dataSync()) : Float32Array.from(t.dataSync()),
      });
    }
    await saveModel(dir, model, {
      tokenizer: tokenizer.files,
      generationConfig: { eos_token_id: tokenizer.eosTokenId },
      extraJson: { [TRAINER_STATE_FILE]: state },
      extraTensors: { [OPTIMIZER_FILE]: tensors },
    });
  } finally {
    for (const t of exported.values()) t.dispose();
  }
}

export interface SftResumePoint {
  model: Model;
  state: SftTrainerState;
  /** The caller disposes these after `sftTrain` has imported them. */
  optimizerState: Map<string, tf.Tensor>;
}

export async function loadSftCheckpoint(dir: string): Promise<SftResumePoint> {
  const extras = await readCheckpointExtras(dir, { extraJson: [TRAINER_STATE_FILE], extraTensors: [OPTIMIZER_FILE] });
  const state = extras.extraJson[TRAINER_STATE_FILE] as SftTrainerState | undefined;
  const tensors = extras.extraTensors[OPTIMIZER_FILE];
  if (typeof state !== 'object' || state === null || typeof state.step !== 'number' || tensors === undefined) {
    throw new Error(
      `${dir}: not an SFT checkpoint (no ${TRAINER_STATE_FILE} with a step, or no ${OPTIMIZER_FILE}); ` +
        'resume from an OUT/checkpoint-<step> directory written by r1-train sft',
    );
  }
  const model = await loadModel(dir);
  const optimizerState = new Map<string, tf.Tensor>();
  for (const [name, t] of tensors) optimizerState.set(name, tf.tensor(t.data, [...t.shape], t.dtype));
  return { model, state, optimizerState };
}
