/**
 * Moving a model's weights in and out of a checkpoint directory: `loadModel` builds nn's transformer from
 * `config.json` and assigns every weight from the safetensors files; `saveModel` writes a model (plus tokenizer and
 * trainer extras) with `saveCheckpoint`, copying one variable at a time off the backend.
 *
 * Names and shapes are checked against `model.parameters()` (the model's own view of the config) before any data is
 * read or written. Deliberately no dtype tricks: weights live as float32 in tfjs whatever the file held.
 */
import * as tf from '@tensorflow/tfjs';
import { createModel, type Model } from '../nn/index';
import { recoverInterruptedReplace } from './atomic-dir';
import { readCheckpointConfig, type SaveCheckpointInput, saveCheckpoint } from './checkpoint';
import { openCheckpointWeights } from './checkpoint-files';
import { checkTensorShapes } from './checkpoint-layout';
import type { WritableTensor } from './safetensors-write';
import { formatShape, sameShape } from './tensor-data';

export interface LoadModelOptions {
  /** Called after each weight is assigned (`loaded` of `total`), e.g. for a progress bar on a large checkpoint. */
  onProgress?: (loaded: number, total: number, name: string) => void;
}

/**
 * Loads a model from a Hugging Face checkpoint directory (ours, or a real Qwen2 one, single-file or sharded; BF16 and
 * F16 weights are upcast to float32). On any error the half-built model is disposed.
 * @example
 * const model = await loadModel('runs/step-100');
 * const tokenizer = await loadTokenizer('runs/step-100');
 */
export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<Model> {
  await recoverInterruptedReplace(dir);
  const { config } = await readCheckpointConfig(dir);
  const weights = await openCheckpointWeights(dir);
  // The seed only shapes the init that every assignment below overwrites.
  const model = createModel(config, { seed: 0 });
  try {
    const params = model.parameters();
    const expected = new Map([...params].map(([name, v]) => [name, v.shape] as const));
    checkTensorShapes(expected, weights.shapes, dir, config.tie_word_embeddings);
    let loaded = 0;
    for (const [name, variable] of params) {
      const data = await weights.read(name);
      if (data.dtype !== variable.dtype || !sameShape(data.shape, variable.shape)) {
        throw new Error(
          `${weights.fileOf(name)}: tensor "${name}" is ${data.dtype} ${formatShape(data.shape)} but the model needs ${variable.dtype} ${formatShape(variable.shape)}`,
        );
      }
      const value = tf.tensor(data.data, data.shape, data.dtype);
      variable.assign(value);
      value.dispose();
      options.onProgress?.(++loaded, params.size, name);
    }
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    await weights.close();
  }
}

/**
 * Saves `model` as a checkpoint directory, atomically (see saveCheckpoint). `extras` adds the tokenizer, generation
 * config and trainer files (`extraJson`, `extraTensors`) to the same write.
 * @example
 * await saveModel('runs/step-100', model, { tokenizer: tokenizer.files, extraJson: { 'trainer_state.json': state } });
 */
export async function saveModel(
  dir: string,
  model: Model,
  extras: Omit<SaveCheckpointInput, 'config' | 'tensors'> = {},
): Promise<void> {
  const tensors = new Map<string, WritableTensor>();
  for (const [name, variable] of model.parameters()) {
    if (variable.dtype !== 'float32') {
      throw new Error(`saveModel: parameter "${name}" is ${variable.dtype}; checkpoints hold float32 weights`);
    }
    tensors.set(name, { shape: variable.shape, data: async () => (await variable.data()) as Float32Array });
  }
  await saveCheckpoint(dir, { ...extras, config: model.config, tensors });
}
