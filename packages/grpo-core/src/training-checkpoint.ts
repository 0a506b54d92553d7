/**
 * The files of a resumable training checkpoint, shared by every trainer (GRPO, SFT): the model in HF layout, AdamW's
 * state in `optimizer.safetensors` (PyTorch's `exp_avg`, `exp_avg_sq`, `step` per parameter) and the trainer's own
 * JSON state in `trainer_state.json`. Written atomically by @r1/model's saveModel, so a crash leaves the previous
 * checkpoint or the new one, never half of one. What the state holds, and how a bad one is reported, is the
 * trainer's business.
 */
import { type Model, readCheckpointExtras, saveModel, type Tokenizer, tf, type WritableTensor } from '@r1/model';
import type { AdamW } from './adamw';

export const TRAINER_STATE_FILE = 'trainer_state.json';
export const OPTIMIZER_FILE = 'optimizer.safetensors';

/** Saves model, tokenizer, optimizer state and trainer state to `dir`. */
export async function saveTrainingCheckpoint(
  dir: string,
  model: Model,
  tokenizer: Tokenizer,
  optimizer: AdamW,
  state: unknown,
): Promise<void> {
  await withOptimizerTensors(optimizer, (tensors) =>
    saveModel(dir, model, {
      tokenizer: tokenizer.files,
      generationConfig: { eos_token_id: tokenizer.eosTokenId },
      extraJson: { [TRAINER_STATE_FILE]: state },
      extraTensors: { [OPTIMIZER_FILE]: tensors },
    }),
  );
}

/**
 * AdamW's state as host tensors for `optimizer.safetensors`, handed to `save` (which writes the checkpoint its own
 * way: a causal LM, a reward model …); the exported device tensors are freed afterwards.
 */
export async function withOptimizerTensors<T>(
  optimizer: AdamW,
  save: (tensors: Map<string, WritableTensor>) => Promise<T>,
): Promise<T> {
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
    return await save(tensors);
  } finally {
    for (const t of exported.values()) t.dispose();
  }
}

export interface TrainingCheckpointExtras {
  /** The parsed trainer_state.json, or undefined when absent. */
  state: unknown;
  /** AdamW's state as tensors (the caller disposes them after `importState`), or undefined when absent. */
  optimizerState: Map<string, tf.Tensor> | undefined;
}

/** Reads a checkpoint's trainer and optimizer state (not the model: load it with @r1/model's loadModel). */
export async function readTrainingCheckpointExtras(dir: string): Promise<TrainingCheckpointExtras> {
  const extras = await readCheckpointExtras(dir, { extraJson: [TRAINER_STATE_FILE], extraTensors: [OPTIMIZER_FILE] });
  const tensors = extras.extraTensors[OPTIMIZER_FILE];
  let optimizerState: Map<string, tf.Tensor> | undefined;
  if (tensors !== undefined) {
    optimizerState = new Map();
    for (const [name, t] of tensors) optimizerState.set(name, tf.tensor(t.data, [...t.shape], t.dtype));
  }
  return { state: extras.extraJson[TRAINER_STATE_FILE], optimizerState };
}
