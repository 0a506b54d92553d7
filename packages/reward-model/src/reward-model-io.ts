/**
 * Reward-model checkpoints as Hugging Face `Qwen2ForSequenceClassification` directories: `config.json` (the
 * backbone's config with `architectures: ["Qwen2ForSequenceClassification"]`, `num_labels: 1`, `pad_token_id`),
 * `model.safetensors` (the backbone under Qwen2ForCausalLM's names minus `lm_head`, plus `score.weight` `[1, D]`),
 * the tokenizer files, and our `reward_model.json` (what the model was trained on and what it scores). Written
 * atomically with @r1/model's writeDirAtomic + writeSafetensors; read with its openCheckpointWeights, and every
 * tensor name and shape is checked before any data moves.
 *
 * transformers scores the last token that is not `pad_token_id`; ours scores the last token of the attention mask.
 * They agree as long as a scored text does not itself end with the pad token, which is why nothing is appended.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CONFIG_FILE,
  checkpointTensorShapes,
  checkTensorShapes,
  loadModel,
  openCheckpointWeights,
  readCheckpointConfig,
  recoverInterruptedReplace,
  TOKENIZER_CONFIG_FILE,
  TOKENIZER_FILE,
  type TokenizerFiles,
  tf,
  toHfConfig,
  WEIGHTS_FILE,
  type WritableTensor,
  type WritableTensors,
  writeDirAtomic,
  writeSafetensors,
} from '@r1/model';
import {
  emptyRewardModel,
  type FromCausalLmOptions,
  type RewardModel,
  rewardModelFromLm,
  SCORE_WEIGHT,
} from './reward-model';
import { SCORE_MODES, type ScoreMode } from './scored-text';

/** Our own file: how the model was trained and what it scores. */
export const REWARD_MODEL_FILE = 'reward_model.json';

export type RewardModelKind = 'preference' | 'pointwise';
export const REWARD_MODEL_KINDS: readonly RewardModelKind[] = ['preference', 'pointwise'];

/** Contents of `reward_model.json`. */
export interface RewardModelSettings {
  /** `preference`: a Bradley–Terry reward; `pointwise`: a binary classifier's logit (label 1 = good / safe). */
  kind: RewardModelKind;
  /** What of a response the model reads (see scored-text.ts). */
  score: ScoreMode;
  /** Most tokens of prompt + scored text seen in training. */
  max_length: number;
}

/** The HF `config.json` of a reward model with this backbone config. */
export function sequenceClassificationConfig(
  config: RewardModel['config'],
  padTokenId: number | undefined,
): Record<string, unknown> {
  const dense = config.model_type === 'qwen2' && config.moe === null;
  return {
    ...toHfConfig(config),
    architectures: [dense ? 'Qwen2ForSequenceClassification' : 'R1MoeForSequenceClassification'],
    num_labels: 1,
    id2label: { 0: 'LABEL_0' },
    label2id: { LABEL_0: 0 },
    ...(padTokenId === undefined ? {} : { pad_token_id: padTokenId }),
  };
}

/** Every tensor of a reward-model checkpoint, by name, with its shape. */
export function rewardModelTensorShapes(config: RewardModel['config']): Map<string, number[]> {
  const shapes = checkpointTensorShapes({ ...config, tie_word_embeddings: true });
  shapes.set(SCORE_WEIGHT, [1, config.hidden_size]);
  return shapes;
}

export interface SaveRewardModelOptions {
  tokenizer?: TokenizerFiles;
  /** Written as `pad_token_id` (what transformers pools on). */
  padTokenId?: number;
  settings?: RewardModelSettings;
  /** Trainer files, e.g. `{ 'trainer_state.json': state }`. */
  extraJson?: Record<string, unknown>;
  extraTensors?: Record<string, WritableTensors>;
}

/**
 * Saves `model` as a `Qwen2ForSequenceClassification` directory, atomically.
 * @example
 * await saveRewardModel('runs/rm/final', rm, { tokenizer: tok.files, padTokenId: tok.eosTokenId,
 *   settings: { kind: 'preference', score: 'summary', max_length: 512 } });
 */
export async function saveRewardModel(
  dir: string,
  model: RewardModel,
  options: SaveRewardModelOptions = {},
): Promise<void> {
  const where = `saveRewardModel(${dir})`;
  const tensors = new Map<string, WritableTensor>();
  for (const [name, variable] of model.parameters()) {
    tensors.set(name, { shape: variable.shape, data: async () => (await variable.data()) as Float32Array });
  }
  checkTensorShapes(
    rewardModelTensorShapes(model.config),
    new Map([...tensors].map(([n, t]) => [n, t.shape] as const)),
    where,
    false,
  );
  const json = new Map<string, unknown>([
    [CONFIG_FILE, sequenceClassificationConfig(model.config, options.padTokenId)],
  ]);
  if (options.tokenizer) {
    json.set(TOKENIZER_FILE, options.tokenizer.tokenizerJson);
    json.set(TOKENIZER_CONFIG_FILE, options.tokenizer.tokenizerConfig);
  }
  if (options.settings) json.set(REWARD_MODEL_FILE, options.settings);
  for (const [name, value] of Object.entries(options.extraJson ?? {}))
    json.set(checkExtra(name, '.json', where), value);
  const extraTensors = Object.entries(options.extraTensors ?? {});
  for (const [name] of extraTensors) checkExtra(name, '.safetensors', where);
  await refuseToReplaceNonCheckpoint(dir, where);
  await writeDirAtomic(dir, async (tmp) => {
    await writeSafetensors(join(tmp, WEIGHTS_FILE), tensors, { metadata: { format: 'pt' }, fsync: false });
    for (const [name, t] of extraTensors) {
      await writeSafetensors(join(tmp, name), t, { metadata: { format: 'pt' }, fsync: false });
    }
    for (const [name, value] of json) await writeFile(join(tmp, name), `${JSON.stringify(value, null, 2)}\n`);
  });
}

function checkExtra(name: string, suffix: string, where: string): string {
  const reserved = [CONFIG_FILE, TOKENIZER_FILE, TOKENIZER_CONFIG_FILE, WEIGHTS_FILE, REWARD_MODEL_FILE];
  if (!name.endsWith(suffix) || /[/\\]/.test(name) || name.startsWith('.') || reserved.includes(name)) {
    throw new Error(`${where}: extra file "${name}" must be a plain, unreserved file name ending in ${suffix}`);
  }
  return name;
}

// Replacing a directory deletes it: only ever do that to a previous checkpoint.
async function refuseToReplaceNonCheckpoint(dir: string, where: string): Promise<void> {
  await recoverInterruptedReplace(dir);
  const entries = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [] as string[];
    throw e;
  });
  if (entries.length > 0 && !entries.includes(CONFIG_FILE)) {
    throw new Error(
      `${where}: ${dir} exists and is not a checkpoint (no ${CONFIG_FILE}); saving would delete its contents, so remove it or choose another directory`,
    );
  }
}

/** Whether a parsed `config.json` is a sequence-classification (reward model) checkpoint. */
export function isRewardModelConfig(hfConfig: Record<string, unknown>): boolean {
  const a = hfConfig.architectures;
  return Array.isArray(a) && a.some((x) => typeof x === 'string' && x.endsWith('ForSequenceClassification'));
}

/**
 * Loads a reward model written by saveRewardModel (or transformers' `Qwen2ForSequenceClassification` with one
 * label). On any error the half-built model is disposed.
 */
export async function loadRewardModel(dir: string): Promise<RewardModel> {
  await recoverInterruptedReplace(dir);
  const { config, hfConfig } = await readCheckpointConfig(dir);
  const path = join(dir, CONFIG_FILE);
  if (!isRewardModelConfig(hfConfig)) {
    throw new Error(
      `${path}: architectures ${JSON.stringify(hfConfig.architectures ?? null)} is not a sequence-classification model; ` +
        'make a reward model from a causal LM with rewardModelFromCausalLm (or train one with runRewardModelTraining)',
    );
  }
  if ((hfConfig.num_labels ?? 1) !== 1) {
    throw new Error(`${path}: num_labels is ${JSON.stringify(hfConfig.num_labels)}; a reward model has exactly 1`);
  }
  const weights = await openCheckpointWeights(dir);
  const model = emptyRewardModel(config);
  try {
    checkTensorShapes(rewardModelTensorShapes(config), weights.shapes, dir, false);
    for (const [name, variable] of model.parameters()) {
      const data = await weights.read(name);
      const value = tf.tensor(data.data, [...data.shape], data.dtype);
      variable.assign(value);
      value.dispose();
    }
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    await weights.close();
  }
}

/** `reward_model.json` of a checkpoint, or null when it has none (e.g. one made by transformers). */
export async function readRewardModelSettings(dir: string): Promise<RewardModelSettings | null> {
  const path = join(dir, REWARD_MODEL_FILE);
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  const s = value as Partial<RewardModelSettings> | null;
  if (
    s === null ||
    typeof s !== 'object' ||
    !REWARD_MODEL_KINDS.includes(s.kind as RewardModelKind) ||
    !SCORE_MODES.includes(s.score as ScoreMode) ||
    !Number.isInteger(s.max_length)
  ) {
    throw new Error(`${path}: expected {"kind": "preference"|"pointwise", "score": "summary"|"full", "max_length": N}`);
  }
  return s as RewardModelSettings;
}

/**
 * A fresh reward model from a causal-LM checkpoint directory: the backbone's weights copied, the head seeded.
 * @example
 * const rm = await rewardModelFromCausalLm('ckpt/sft', { seed: 42 });
 */
export async function rewardModelFromCausalLm(dir: string, options: FromCausalLmOptions): Promise<RewardModel> {
  const { hfConfig } = await readCheckpointConfig(dir);
  if (isRewardModelConfig(hfConfig)) {
    throw new Error(
      `${dir}: is already a reward model (${JSON.stringify(hfConfig.architectures)}); load it with loadRewardModel`,
    );
  }
  const lm = await loadModel(dir);
  try {
    return rewardModelFromLm(lm, options);
  } finally {
    lm.dispose();
  }
}
