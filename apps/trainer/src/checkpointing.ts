/**
 * Training checkpoints: the policy in HF layout plus what an exact resume needs — AdamW's moments and step counts
 * (`optimizer.safetensors`) and the trainer's own state (`trainer_state.json`: steps done, metrics so far, the
 * "before" evaluation). Written atomically by @r1/model's saveCheckpoint, so a crash never leaves half a checkpoint.
 * Every random choice of the loop is derived from (seed, step), so no RNG state needs saving.
 */
import type { AdamW } from '@r1/grpo-core';
import {
  loadModel,
  type Model,
  readCheckpointExtras,
  saveModel,
  type Tokenizer,
  type tf,
  type WritableTensor,
} from '@r1/model';

export const TRAINER_STATE_FILE = 'trainer_state.json';
export const OPTIMIZER_FILE = 'optimizer.safetensors';

export async function saveTrainingCheckpoint(
  dir: string,
  model: Model,
  tokenizer: Tokenizer,
  optimizer: AdamW,
  state: Record<string, unknown>,
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

export interface ResumePoint {
  model: Model;
  state: Record<string, unknown>;
  /** Optimizer state as tensors (caller disposes after `importState`). */
  optimizerState: Map<string, tf.Tensor>;
}

export async function loadTrainingCheckpoint(dir: string, tfModule: typeof tf): Promise<ResumePoint> {
  const model = await loadModel(dir);
  const extras = await readCheckpointExtras(dir, { extraJson: [TRAINER_STATE_FILE], extraTensors: [OPTIMIZER_FILE] });
  const state = extras.extraJson[TRAINER_STATE_FILE];
  if (typeof state !== 'object' || state === null) {
    throw new Error(`${dir}/${TRAINER_STATE_FILE}: not a trainer state; resume from a checkpoint written by r1-train`);
  }
  const optimizerState = new Map<string, tf.Tensor>();
  for (const [name, t] of extras.extraTensors[OPTIMIZER_FILE] ?? new Map()) {
    optimizerState.set(name, tfModule.tensor(t.data, [...t.shape], t.dtype));
  }
  return { model, state: state as Record<string, unknown>, optimizerState };
}
