import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { toHfConfig } from '../nn/index';
import { PREVIOUS_SUFFIX } from './atomic-dir';
import { buildCharTokenizer } from './char-tokenizer';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { encodeSafetensors, type WritableTensor, writeSafetensors } from './safetensors-write';
import { rawSafetensors } from './test-utils/raw-safetensors';
import { tinyConfig, tinyMoeConfig, tinyWeights } from './test-utils/tiny-checkpoint';
import { loadTokenizer } from './tokenizer';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'r1-checkpoint-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('save → load', () => {
  test.each([
    ['dense', tinyConfig()],
    ['tied embeddings', tinyConfig({ tie_word_embeddings: true })],
    ['MoE', tinyMoeConfig()],
  ])('%s: every tensor, the config and the tokenizer come back', async (label, config) => {
    const dir = join(root, `roundtrip-${label.replace(/ /g, '-')}`);
    const tensors = tinyWeights(config, 0.5);
    const tokenizer = buildCharTokenizer('abc');
    await saveCheckpoint(dir, { config, tensors, tokenizer, generationConfig: { eos_token_id: 0 } });
    expect((await readdir(dir)).sort()).toEqual([
      'config.json',
      'generation_config.json',
      'model.safetensors',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    const ckpt = await loadCheckpoint(dir);
    expect(ckpt.config).toEqual(config);
    expect(ckpt.hfConfig).toEqual(toHfConfig(config));
    expect(ckpt.generationConfig).toEqual({ eos_token_id: 0 });
    expect([...ckpt.tensors.keys()]).toEqual([...tensors.keys()]);
    for (const [name, t] of tensors)
      expect(ckpt.tensors.get(name)).toEqual({ dtype: 'float32', shape: t.shape, data: t.data });
    expect(ckpt.tensors.has('lm_head.weight')).toBe(!config.tie_word_embeddings);
    expect((await loadTokenizer(dir)).files).toEqual(tokenizer);
  });

  test('extra JSON and safetensors files (trainer state, optimizer moments) travel in the same atomic write', async () => {
    const dir = join(root, 'extras');
    const config = tinyConfig();
    const moments = new Map<string, WritableTensor>([
      ['m.model.norm.weight', { shape: [8], data: new Float32Array(8).fill(0.25) }],
    ]);
    await saveCheckpoint(dir, {
      config,
      tensors: tinyWeights(config),
      extraJson: { 'trainer_state.json': { step: 100, rng: [1, 2, 3] } },
      extraTensors: { 'optimizer.safetensors': moments },
    });
    const ckpt = await loadCheckpoint(dir, {
      extraJson: ['trainer_state.json'],
      extraTensors: ['optimizer.safetensors'],
    });
    expect(ckpt.extraJson['trainer_state.json']).toEqual({ step: 100, rng: [1, 2, 3] });
    expect(ckpt.extraTensors['optimizer.safetensors']!.get('m.model.norm.weight')!.data).toEqual(
      new Float32Array(8).fill(0.25),
    );
  });

  test('a tied config does not write lm_head.weight even if the caller passes it', async () => {
    const config = tinyConfig({ tie_word_embeddings: true });
    const tensors = tinyWeights(config);
    tensors.set('lm_head.weight', { shape: [11, 8], data: new Float32Array(88) });
    const dir = join(root, 'tied-extra');
    await saveCheckpoint(dir, { config, tensors });
    expect((await loadCheckpoint(dir)).tensors.has('lm_head.weight')).toBe(false);
  });
});

describe('atomic save', () => {
  test('a failure mid-save (a tensor source throws after files were written) leaves the old checkpoint intact', async () => {
    const dir = join(root, 'atomic');
    const config = tinyConfig();
    await saveCheckpoint(dir, {
      config,
      tensors: tinyWeights(config, 1),
      extraJson: { 'trainer_state.json': { step: 1 } },
    });
    const before = await readFile(join(dir, 'model.safetensors'));

    const failing = tinyWeights(config, 2) as Map<string, WritableTensor>;
    failing.set('model.norm.weight', {
      shape: [8],
      data: () => {
        throw new Error('variable was disposed (injected)');
      },
    });
    await expect(
      saveCheckpoint(dir, { config, tensors: failing, extraJson: { 'trainer_state.json': { step: 2 } } }),
    ).rejects.toThrow('variable was disposed (injected)');

    expect(await readFile(join(dir, 'model.safetensors'))).toEqual(before);
    const ckpt = await loadCheckpoint(dir, { extraJson: ['trainer_state.json'] });
    expect(ckpt.extraJson['trainer_state.json']).toEqual({ step: 1 });
    expect(ckpt.tensors.get('model.norm.weight')!.data[0]).toBe(1);
    expect((await readdir(root)).filter((n) => n.includes('atomic') && n !== 'atomic')).toEqual([]);
  });

  test('a save interrupted between its two renames is recovered by the next load', async () => {
    const dir = join(root, 'interrupted');
    const config = tinyConfig();
    await saveCheckpoint(dir, { config, tensors: tinyWeights(config, 3) });
    await rename(dir, dir + PREVIOUS_SUFFIX);
    const ckpt = await loadCheckpoint(dir);
    expect(ckpt.tensors.get('model.norm.weight')!.data[0]).toBe(3);
  });

  test('invalid input is rejected before anything is written', async () => {
    const dir = join(root, 'never-created');
    const config = tinyConfig();
    const tensors = tinyWeights(config) as Map<string, WritableTensor>;
    tensors.set('model.norm.weight', { shape: [9], data: new Float32Array(9) });
    await expect(saveCheckpoint(dir, { config, tensors })).rejects.toThrow(
      'tensor "model.norm.weight" has shape [9] in the checkpoint but the config expects [8]',
    );
    await expect(
      saveCheckpoint(dir, { config, tensors: tinyWeights(config), extraJson: { 'config.json': {} } }),
    ).rejects.toThrow('extra file "config.json" would overwrite a standard checkpoint file');
    await expect(
      saveCheckpoint(dir, { config, tensors: tinyWeights(config), extraJson: { '../x.json': {} } }),
    ).rejects.toThrow('extra file "../x.json" must be a plain file name ending in .json');
    await expect(
      saveCheckpoint(dir, { config, tensors: tinyWeights(config), extraJson: { 'state.json': { n: 1n } } }),
    ).rejects.toThrow('state.json: value cannot be written as JSON');
    expect(await readdir(root)).not.toContainEqual(expect.stringContaining('never-created'));
  });

  test('a directory that is not a checkpoint is never replaced', async () => {
    const dir = join(root, 'user-files');
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'precious');
    const config = tinyConfig();
    await expect(saveCheckpoint(dir, { config, tensors: tinyWeights(config) })).rejects.toThrow(
      `${dir} exists and is not a checkpoint (no config.json); saving would delete its contents`,
    );
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('precious');
    await expect(saveCheckpoint(join(dir, 'notes.txt'), { config, tensors: tinyWeights(config) })).rejects.toThrow(
      'notes.txt is a file, not a directory',
    );
    const empty = join(root, 'empty-dir');
    await mkdir(empty);
    await saveCheckpoint(empty, { config, tensors: tinyWeights(config) });
    expect((await loadCheckpoint(empty)).config).toEqual(config);
  });
});

describe('mismatched checkpoints name the tensor and both shapes', () => {
  async function saved(name: string, config = tinyConfig()): Promise<string> {
    const dir = join(root, name);
    await saveCheckpoint(dir, { config, tensors: tinyWeights(config) });
    return dir;
  }

  test('a config that does not match the weights lists every mis-shaped tensor', async () => {
    const dir = await saved('wrong-shape');
    await writeFile(join(dir, 'config.json'), JSON.stringify(toHfConfig(tinyConfig({ vocab_size: 12 }))));
    const error = await loadCheckpoint(dir).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(`${dir}: checkpoint does not match the config (2 problems)`);
    expect(message).toContain(
      'tensor "model.embed_tokens.weight" has shape [11, 8] in the checkpoint but the config expects [12, 8]',
    );
    expect(message).toContain(
      'tensor "lm_head.weight" has shape [11, 8] in the checkpoint but the config expects [12, 8]',
    );
  });

  test('missing and unexpected tensors are named', async () => {
    const dir = await saved('missing');
    const weights = tinyWeights(tinyConfig());
    weights.delete('model.layers.1.self_attn.k_proj.bias');
    weights.set('model.layers.9.mlp.up_proj.weight', { shape: [2], data: new Float32Array(2) });
    weights.set('model.layers.0.self_attn.rotary_emb.inv_freq', { shape: [2], data: new Float32Array(2) }); // ignored buffer
    await writeSafetensors(join(dir, 'model.safetensors'), weights);
    await expect(loadCheckpoint(dir)).rejects.toThrow(
      /\(2 problems\):\n {2}missing tensor "model.layers.1.self_attn.k_proj.bias" \(expected shape \[4\]\)\n {2}unexpected tensor "model.layers.9.mlp.up_proj.weight" \[2\]/,
    );
  });

  test('a bad config.json names the file and key; a truncated weights file names the file and tensor', async () => {
    const dir = await saved('bad-files');
    await writeFile(join(dir, 'config.json'), JSON.stringify({ ...toHfConfig(tinyConfig()), num_attention_heads: 3 }));
    await expect(loadCheckpoint(dir)).rejects.toThrow(
      `${join(dir, 'config.json')}: model config: num_attention_heads:`,
    );
    await writeFile(join(dir, 'config.json'), JSON.stringify(toHfConfig(tinyConfig())));
    const bytes = await readFile(join(dir, 'model.safetensors'));
    await writeFile(join(dir, 'model.safetensors'), bytes.subarray(0, bytes.length - 4));
    await expect(loadCheckpoint(dir)).rejects.toThrow(
      `${join(dir, 'model.safetensors')}: tensor "lm_head.weight": data_offsets`,
    );
    await expect(loadCheckpoint(join(root, 'nope'))).rejects.toThrow(
      `${join(root, 'nope', 'config.json')}: missing model config`,
    );
  });
});

describe('real-world layouts', () => {
  test('a sharded checkpoint (model.safetensors.index.json) in BF16 loads, upcast to float32', async () => {
    const dir = join(root, 'sharded');
    await mkdir(dir);
    const config = tinyConfig({ tie_word_embeddings: true });
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ ...toHfConfig(config), torch_dtype: 'bfloat16', rope_scaling: null }),
    );
    const weights = tinyWeights(config);
    const names = [...weights.keys()];
    const shards = [names.slice(0, 5), names.slice(5)];
    const weightMap: Record<string, string> = {};
    for (const [s, shard] of shards.entries()) {
      const file = `model-0000${s + 1}-of-00002.safetensors`;
      const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
      const data: number[] = [];
      for (const name of shard) {
        weightMap[name] = file;
        const { shape } = weights.get(name)!;
        const values = weights.get(name)!.data.map((_, i) => (i % 7) - 3 + 0.5); // exactly representable in bf16
        const bits = new Uint32Array(values.buffer);
        header[name] = { dtype: 'BF16', shape, data_offsets: [data.length, data.length + values.length * 2] };
        for (const b of bits) data.push((b >>> 16) & 0xff, b >>> 24);
      }
      await writeFile(join(dir, file), rawSafetensors(header, data));
    }
    await writeFile(
      join(dir, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }),
    );
    const ckpt = await loadCheckpoint(dir);
    expect(ckpt.generationConfig).toBeNull();
    expect(ckpt.tensors.size).toBe(names.length);
    const embed = ckpt.tensors.get('model.embed_tokens.weight')!;
    expect(embed.dtype).toBe('float32');
    expect([...embed.data.slice(0, 8)]).toEqual([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, -2.5]);

    // An index that points at a shard without the tensor is refused.
    const broken = { ...weightMap, 'model.norm.weight': 'model-00001-of-00002.safetensors' };
    await writeFile(join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: broken }));
    await expect(loadCheckpoint(dir)).rejects.toThrow(
      /model-00002-of-00002\.safetensors: holds tensor "[^"]+" but .*index\.json/,
    );
    await writeFile(
      join(dir, 'model.safetensors.index.json'),
      JSON.stringify({ weight_map: { ...weightMap, x: '../model.safetensors' } }),
    );
    await expect(loadCheckpoint(dir)).rejects.toThrow(
      'weight_map["x"] must be a file name inside the checkpoint directory',
    );
  });

  test('a directory without weights says what it expected', async () => {
    const dir = join(root, 'no-weights');
    await mkdir(dir);
    await writeFile(join(dir, 'config.json'), JSON.stringify(toHfConfig(tinyConfig())));
    await expect(loadCheckpoint(dir)).rejects.toThrow(
      `${dir}: no model.safetensors and no model.safetensors.index.json`,
    );
  });

  test('an in-memory file and a written file hold the same bytes', async () => {
    const config = tinyConfig();
    const path = join(root, 'same.safetensors');
    await writeSafetensors(path, tinyWeights(config));
    expect(new Uint8Array(await readFile(path))).toEqual(encodeSafetensors(tinyWeights(config)));
  });
});
