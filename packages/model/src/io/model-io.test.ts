import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createModel, type ModelConfig, toHfConfig } from '../nn/index';
import { buildCharTokenizer } from './char-tokenizer';
import { readCheckpointExtras } from './checkpoint';
import { loadModel, saveModel } from './model-io';
import { readSafetensors } from './safetensors-read';
import { type WritableTensor, writeSafetensors } from './safetensors-write';
import { tinyConfig, tinyMoeConfig } from './test-utils/tiny-checkpoint';
import { loadTokenizer } from './tokenizer';

let root: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'r1-model-io-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function logitsOf(config: ModelConfig, forward: (ids: tf.Tensor2D) => tf.Tensor3D): Float32Array {
  const ids = tf.tensor2d(
    [
      [1, 5, 2, 9, 0, 3],
      [4, 4, 7, 10, 6, 2],
    ],
    undefined,
    'int32',
  );
  const logits = forward(ids);
  expect(logits.shape).toEqual([2, 6, config.vocab_size]);
  const out = logits.dataSync() as Float32Array;
  ids.dispose();
  logits.dispose();
  return out;
}

describe('saveModel → loadModel', () => {
  test.each([
    ['dense', tinyConfig()],
    ['tied', tinyConfig({ tie_word_embeddings: true })],
    ['MoE', tinyMoeConfig()],
  ])('%s: the loaded model gives bit-identical logits', async (label, config) => {
    const dir = join(root, label);
    const original = createModel(config, { seed: 7 });
    const tokenizer = buildCharTokenizer('abc');
    await saveModel(dir, original, { tokenizer, extraJson: { 'trainer_state.json': { step: 3 } } });
    const loaded = await loadModel(dir);
    try {
      expect(loaded.config).toEqual(original.config);
      const before = logitsOf(config, (ids) => original.forward(ids));
      const after = logitsOf(config, (ids) => loaded.forward(ids));
      expect(after).toEqual(before);
      // The load really replaced the init: a fresh model with the loader's init seed differs.
      const fresh = createModel(config, { seed: 0 });
      expect(logitsOf(config, (ids) => fresh.forward(ids))).not.toEqual(before);
      fresh.dispose();
    } finally {
      original.dispose();
      loaded.dispose();
    }
    expect((await loadTokenizer(dir)).files).toEqual(tokenizer);
    expect((await readCheckpointExtras(dir, { extraJson: ['trainer_state.json'] })).extraJson).toEqual({
      'trainer_state.json': { step: 3 },
    });
  });

  test('non-trainable MoE selection biases are saved and restored too', async () => {
    const config = tinyMoeConfig();
    const model = createModel(config, { seed: 1 });
    const bias = model.parameters().get('model.layers.1.mlp.gate.e_score_correction_bias')!;
    bias.assign(tf.tensor1d([0.5, -0.25, 0.125]));
    const dir = join(root, 'moe-bias');
    await saveModel(dir, model);
    model.dispose();
    const loaded = await loadModel(dir);
    expect([...loaded.parameters().get('model.layers.1.mlp.gate.e_score_correction_bias')!.dataSync()]).toEqual([
      0.5, -0.25, 0.125,
    ]);
    loaded.dispose();
  });

  test('onProgress reports every weight once, in order', async () => {
    const config = tinyConfig();
    const model = createModel(config, { seed: 2 });
    const dir = join(root, 'progress');
    await saveModel(dir, model);
    const names = [...model.parameters().keys()];
    model.dispose();
    const seen: string[] = [];
    const loaded = await loadModel(dir, { onProgress: (n, total, name) => seen.push(`${n}/${total} ${name}`) });
    loaded.dispose();
    expect(seen).toEqual(names.map((name, i) => `${i + 1}/${names.length} ${name}`));
  });
});

describe('loadModel rejects checkpoints that do not fit', () => {
  test('a config whose shapes differ from the weights: each tensor named with both shapes, nothing leaked', async () => {
    const dir = join(root, 'mismatch');
    const model = createModel(tinyConfig(), { seed: 3 });
    await saveModel(dir, model);
    model.dispose();
    await writeFile(join(dir, 'config.json'), JSON.stringify(toHfConfig(tinyConfig({ intermediate_size: 16 }))));
    const tensorsBefore = tf.memory().numTensors;
    await expect(loadModel(dir)).rejects.toThrow(
      'tensor "model.layers.0.mlp.gate_proj.weight" has shape [12, 8] in the checkpoint but the config expects [16, 8]',
    );
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  test('a missing tensor is named; an integer tensor where a float weight belongs is refused', async () => {
    const dir = join(root, 'missing');
    const model = createModel(tinyConfig(), { seed: 4 });
    await saveModel(dir, model);
    model.dispose();
    const { tensors } = await readSafetensors(join(dir, 'model.safetensors'));
    const rewritten = new Map<string, WritableTensor>([...tensors].map(([n, t]) => [n, t]));
    rewritten.delete('model.norm.weight');
    await writeSafetensors(join(dir, 'model.safetensors'), rewritten);
    await expect(loadModel(dir)).rejects.toThrow('missing tensor "model.norm.weight" (expected shape [8])');
    rewritten.set('model.norm.weight', { shape: [8], dtype: 'int32', data: new Int32Array(8) });
    await writeSafetensors(join(dir, 'model.safetensors'), rewritten);
    await expect(loadModel(dir)).rejects.toThrow(
      `${join(dir, 'model.safetensors')}: tensor "model.norm.weight" is int32 [8] but the model needs float32 [8]`,
    );
  });
});
