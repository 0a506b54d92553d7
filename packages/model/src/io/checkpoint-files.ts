/**
 * The weights of a checkpoint directory as one name → tensor source, whether they sit in a single
 * `model.safetensors` or are sharded across files listed by `model.safetensors.index.json` (`weight_map`), as large
 * Hugging Face models ship. Headers of every file are validated on open; data is read one tensor at a time.
 *
 * Deliberately knows nothing about model configs: see checkpoint-layout.ts for what the names must be.
 */
import { access } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { readJsonObject } from './json-file';
import { openSafetensors, type SafetensorsFile } from './safetensors-read';
import type { TensorData } from './tensor-data';

export const WEIGHTS_FILE = 'model.safetensors';
export const WEIGHTS_INDEX_FILE = 'model.safetensors.index.json';

/** Open weight files of one checkpoint. Call `close()` when done. */
export interface CheckpointWeights {
  /** Every tensor's shape, by name. */
  readonly shapes: ReadonlyMap<string, readonly number[]>;
  /** The file each tensor lives in (for error messages). */
  fileOf(name: string): string;
  read(name: string): Promise<TensorData>;
  close(): Promise<void>;
}

/**
 * Opens the weights of checkpoint `dir`: `model.safetensors`, else the shards named by `model.safetensors.index.json`.
 * Every shard's header is validated, every `weight_map` entry must be found in its shard, and no tensor may appear
 * in two shards or in a shard the index does not assign it to.
 */
export async function openCheckpointWeights(dir: string): Promise<CheckpointWeights> {
  const single = join(dir, WEIGHTS_FILE);
  if (await exists(single)) return fromFiles([await openSafetensors(single)], null);
  const indexPath = join(dir, WEIGHTS_INDEX_FILE);
  if (!(await exists(indexPath))) {
    throw new Error(
      `${dir}: no ${WEIGHTS_FILE} and no ${WEIGHTS_INDEX_FILE}; is this a Hugging Face checkpoint directory?`,
    );
  }
  const weightMap = await readWeightMap(indexPath);
  const files: SafetensorsFile[] = [];
  try {
    for (const shard of new Set(weightMap.values())) files.push(await openSafetensors(join(dir, shard)));
    return fromFiles(files, { indexPath, weightMap });
  } catch (e) {
    await Promise.all(files.map((f) => f.close()));
    throw e;
  }
}

async function readWeightMap(indexPath: string): Promise<Map<string, string>> {
  const index = await readJsonObject(indexPath, 'sharded checkpoint index');
  const raw = index.weight_map;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`${indexPath}: "weight_map" must be an object {tensor name: shard file name}`);
  }
  const map = new Map<string, string>();
  for (const [name, shard] of Object.entries(raw)) {
    // A shard name is a plain file in the checkpoint directory; anything else could read outside it.
    if (typeof shard !== 'string' || shard === '' || /[/\\]/.test(shard) || shard === '.' || shard === '..') {
      throw new Error(
        `${indexPath}: weight_map["${name}"] must be a file name inside the checkpoint directory, got ${JSON.stringify(shard)}`,
      );
    }
    map.set(name, shard);
  }
  if (map.size === 0) throw new Error(`${indexPath}: "weight_map" is empty`);
  return map;
}

function fromFiles(
  files: SafetensorsFile[],
  index: { indexPath: string; weightMap: Map<string, string> } | null,
): CheckpointWeights {
  const owner = new Map<string, SafetensorsFile>();
  const shapes = new Map<string, readonly number[]>();
  for (const file of files) {
    for (const [name, entry] of file.header.tensors) {
      const previous = owner.get(name);
      if (previous !== undefined) {
        throw new Error(
          `tensor "${name}" appears in both ${previous.path} and ${file.path}; remove the duplicate shard entry`,
        );
      }
      if (index !== null && basename(file.path) !== index.weightMap.get(name)) {
        throw new Error(
          `${file.path}: holds tensor "${name}" but ${index.indexPath} ${index.weightMap.has(name) ? `assigns it to ${index.weightMap.get(name)}` : 'does not list it'}; regenerate the index`,
        );
      }
      owner.set(name, file);
      shapes.set(name, entry.shape);
    }
  }
  if (index !== null) {
    for (const [name, shard] of index.weightMap) {
      if (!owner.has(name))
        throw new Error(
          `${index.indexPath}: weight_map lists "${name}" in ${shard}, but that shard does not contain it`,
        );
    }
  }
  return {
    shapes,
    fileOf: (name) => owner.get(name)?.path ?? '(no file)',
    read(name) {
      const file = owner.get(name);
      if (file === undefined) return Promise.reject(new Error(`checkpoint has no tensor "${name}"`));
      return file.read(name);
    },
    close: async () => {
      await Promise.all(files.map((f) => f.close()));
    },
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
