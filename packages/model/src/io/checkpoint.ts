/**
 * Checkpoints as Hugging Face directories: `config.json`, `model.safetensors` (or shards + index when loading),
 * `tokenizer.json`, `tokenizer_config.json`, `generation_config.json`, plus any extra JSON or safetensors files the
 * trainer needs to resume exactly (step, RNG state, optimizer moments) — all written in one atomic replace.
 *
 * Both directions check the tensors against the config (names and shapes, tied embeddings) before any data moves:
 * a save never writes a checkpoint that would not load, and a load names every missing, extra or mis-shaped tensor.
 * Deliberately host-side only (typed arrays, no tfjs): model-io.ts moves weights in and out of a model.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ModelConfig, resolveModelConfig, toHfConfig } from '../nn/index';
import { recoverInterruptedReplace, writeDirAtomic } from './atomic-dir';
import { openCheckpointWeights, WEIGHTS_FILE, WEIGHTS_INDEX_FILE } from './checkpoint-files';
import { checkpointTensorShapes, checkTensorShapes } from './checkpoint-layout';
import { formatJson, readJsonFile, readJsonObject } from './json-file';
import { readSafetensors } from './safetensors-read';
import { type WritableTensors, writeSafetensors } from './safetensors-write';
import type { TensorData } from './tensor-data';

export const CONFIG_FILE = 'config.json';
export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';
export const GENERATION_CONFIG_FILE = 'generation_config.json';

const RESERVED_FILES = new Set([
  CONFIG_FILE,
  TOKENIZER_FILE,
  TOKENIZER_CONFIG_FILE,
  GENERATION_CONFIG_FILE,
  WEIGHTS_FILE,
  WEIGHTS_INDEX_FILE,
]);

/** The two JSON files a Hugging Face tokenizer is made of, as parsed objects. */
export interface TokenizerFiles {
  /** Contents of `tokenizer.json`. */
  tokenizerJson: Record<string, unknown>;
  /** Contents of `tokenizer_config.json` (special tokens, chat template). */
  tokenizerConfig: Record<string, unknown>;
}

export interface SaveCheckpointInput {
  /** Written as HF `config.json` (via nn's `toHfConfig`); `tensors` must match it exactly. */
  config: ModelConfig;
  /** Weights by HF name; `data` may be a function so large models are copied one tensor at a time. */
  tensors: WritableTensors;
  /** `tokenizer.json` + `tokenizer_config.json`. Omit only for weight-only checkpoints (sampling needs them). */
  tokenizer?: TokenizerFiles;
  /** `generation_config.json`. Default `{}`. */
  generationConfig?: Record<string, unknown>;
  /** Extra JSON files by file name, e.g. `{ 'trainer_state.json': { step: 100 } }`. */
  extraJson?: Record<string, unknown>;
  /** Extra safetensors files by file name, e.g. `{ 'optimizer.safetensors': moments }`. */
  extraTensors?: Record<string, WritableTensors>;
}

/**
 * Writes a checkpoint directory atomically: into a temp sibling, fsynced, then renamed over `dir` (an existing
 * checkpoint there is replaced only once the new one is complete). Everything is validated before the first byte.
 * @example
 * await saveCheckpoint('runs/step-100', { config, tensors, tokenizer: tok.files,
 *   extraJson: { 'trainer_state.json': { step: 100 } }, extraTensors: { 'optimizer.safetensors': moments } });
 */
export async function saveCheckpoint(dir: string, input: SaveCheckpointInput): Promise<void> {
  const where = `saveCheckpoint(${dir})`;
  const { config } = input;
  const tied = config.tie_word_embeddings;
  const shapes = new Map([...input.tensors].map(([name, t]) => [name, t.shape] as const));
  checkTensorShapes(checkpointTensorShapes(config), shapes, where, tied);
  // A tied checkpoint stores the embedding once, as transformers does.
  const weights = tied ? new Map([...input.tensors].filter(([name]) => name !== 'lm_head.weight')) : input.tensors;

  const files = new Map<string, string>();
  files.set(CONFIG_FILE, formatJson(toHfConfig(config), CONFIG_FILE));
  files.set(GENERATION_CONFIG_FILE, formatJson(input.generationConfig ?? {}, GENERATION_CONFIG_FILE));
  if (input.tokenizer !== undefined) {
    files.set(TOKENIZER_FILE, formatJson(input.tokenizer.tokenizerJson, TOKENIZER_FILE));
    files.set(TOKENIZER_CONFIG_FILE, formatJson(input.tokenizer.tokenizerConfig, TOKENIZER_CONFIG_FILE));
  }
  for (const [name, value] of Object.entries(input.extraJson ?? {})) {
    checkExtraName(name, '.json', where);
    files.set(name, formatJson(value, name));
  }
  const extraTensors = Object.entries(input.extraTensors ?? {});
  for (const [name] of extraTensors) {
    checkExtraName(name, '.safetensors', where);
    if (files.has(name)) throw new Error(`${where}: "${name}" is given twice; use one name per file`);
  }

  await refuseToReplaceNonCheckpoint(dir, where);
  await writeDirAtomic(dir, async (tmp) => {
    await writeSafetensors(join(tmp, WEIGHTS_FILE), weights, { metadata: { format: 'pt' }, fsync: false });
    for (const [name, tensors] of extraTensors) {
      await writeSafetensors(join(tmp, name), tensors, { metadata: { format: 'pt' }, fsync: false });
    }
    for (const [name, text] of files) await writeFile(join(tmp, name), text);
  });
}

// Replacing a directory deletes it; only ever do that to a previous checkpoint, never to, say, the working directory.
async function refuseToReplaceNonCheckpoint(dir: string, where: string): Promise<void> {
  await recoverInterruptedReplace(dir);
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw new Error(`${where}: ${dir} is a file, not a directory; choose another path`);
    throw e;
  }
  if (entries.length > 0 && !entries.includes(CONFIG_FILE)) {
    throw new Error(
      `${where}: ${dir} exists and is not a checkpoint (no ${CONFIG_FILE}); saving would delete its contents, so remove it or choose another directory`,
    );
  }
}

function checkExtraName(name: string, suffix: string, where: string): void {
  if (!name.endsWith(suffix) || name === suffix || /[/\\]/.test(name) || name.startsWith('.')) {
    throw new Error(
      `${where}: extra file "${name}" must be a plain file name ending in ${suffix}, e.g. "trainer_state${suffix}"`,
    );
  }
  if (RESERVED_FILES.has(name)) {
    throw new Error(`${where}: extra file "${name}" would overwrite a standard checkpoint file; pick another name`);
  }
}

export interface LoadCheckpointOptions {
  /** Extra JSON files to read (each must exist), e.g. `['trainer_state.json']`. */
  extraJson?: readonly string[];
  /** Extra safetensors files to read (each must exist), e.g. `['optimizer.safetensors']`. */
  extraTensors?: readonly string[];
}

export interface LoadedCheckpoint {
  dir: string;
  /** `config.json` resolved by nn's `resolveModelConfig`. */
  config: ModelConfig;
  /** `config.json` as written (keeps keys we do not model, e.g. `architectures`, `torch_dtype`). */
  hfConfig: Record<string, unknown>;
  /** Exactly the tensors of `checkpointTensorShapes(config)`, as float32 (BF16/F16 upcast). */
  tensors: Map<string, TensorData>;
  /** `generation_config.json`, or null when the checkpoint has none. */
  generationConfig: Record<string, unknown> | null;
  extraJson: Record<string, unknown>;
  extraTensors: Record<string, Map<string, TensorData>>;
}

/** Reads and resolves `dir/config.json`; errors name the file and the offending key. */
export async function readCheckpointConfig(
  dir: string,
): Promise<{ config: ModelConfig; hfConfig: Record<string, unknown> }> {
  const path = join(dir, CONFIG_FILE);
  const hfConfig = await readJsonObject(path, 'model config (config.json)');
  try {
    return { config: resolveModelConfig(hfConfig), hfConfig };
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}

/**
 * Reads a checkpoint directory (single file or sharded) into host memory after checking every tensor name and shape
 * against its `config.json`; a mismatch throws naming each tensor and both shapes before any data is read.
 * @example
 * const ckpt = await loadCheckpoint('runs/step-100', { extraJson: ['trainer_state.json'] });
 * const step = (ckpt.extraJson['trainer_state.json'] as { step: number }).step;
 */
export async function loadCheckpoint(dir: string, options: LoadCheckpointOptions = {}): Promise<LoadedCheckpoint> {
  await recoverInterruptedReplace(dir);
  const { config, hfConfig } = await readCheckpointConfig(dir);
  const expected = checkpointTensorShapes(config);
  const weights = await openCheckpointWeights(dir);
  const tensors = new Map<string, TensorData>();
  try {
    checkTensorShapes(expected, weights.shapes, dir, config.tie_word_embeddings);
    for (const name of expected.keys()) tensors.set(name, await weights.read(name));
  } finally {
    await weights.close();
  }
  const extras = await readCheckpointExtras(dir, options);
  return { dir, config, hfConfig, tensors, ...extras };
}

/**
 * Reads the non-weight files of a checkpoint: `generation_config.json` (null when absent) and the extra JSON and
 * safetensors files asked for (each must exist). What a trainer resuming with `loadModel` reads besides the weights.
 */
export async function readCheckpointExtras(
  dir: string,
  options: LoadCheckpointOptions = {},
): Promise<Pick<LoadedCheckpoint, 'generationConfig' | 'extraJson' | 'extraTensors'>> {
  const generationPath = join(dir, GENERATION_CONFIG_FILE);
  const generationConfig = await readJsonObject(generationPath, 'generation config').catch((e: Error) => {
    if (e.message.endsWith('missing generation config')) return null;
    throw e;
  });
  const extraJson: Record<string, unknown> = {};
  for (const name of options.extraJson ?? []) {
    extraJson[name] = await readJsonFile(join(dir, name), `extra file ${name}`);
  }
  const extraTensors: Record<string, Map<string, TensorData>> = {};
  for (const name of options.extraTensors ?? []) {
    extraTensors[name] = (await readSafetensors(join(dir, name))).tensors;
  }
  return { generationConfig, extraJson, extraTensors };
}
