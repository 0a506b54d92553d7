/**
 * The `r1-train zero` config: which base model, which task, how to evaluate, and the GRPO knobs (TRL's names, in
 * camelCase or TRL's snake_case). One YAML or JSON file with these sections:
 *
 * ```yaml
 * model: apps/trainer/checkpoints/base-arith   # base checkpoint directory (HF layout)
 * moe: false                                   # or true / { nRoutedExperts: 4, numExpertsPerTok: 2 }: upcycle to MoE
 * task: { name: arithmetic, minOperands: 2, maxOperands: 3 }   # or a data file:
 * #   { name: file, path: gsm8k-train.jsonl, problem_field: question, answer_field: answer, answer_format: gsm8k,
 * #     id_field: id, eval_path: gsm8k-test.jsonl }            (JSONL or Parquet; paths relative to the config)
 * template: r1-zero                            # r1-zero | r1 | chat (the checkpoint's template, <think> forced)
 * eval: { problems: 200, k: 4, temperature: 0.6, topP: 0.95, everySteps: 10 }
 * grpo: { num_generations: 8, learning_rate: 1.0e-3, max_steps: 60 }
 * rollout: { endpoints: ["http://gpu-1:30000/v1"], weight_sync: update_weights_from_disk }   # optional: see
 * #   stages/rollout.ts — completions come from inference servers that receive the policy's weights
 * ```
 * Unknown keys are rejected with the file, the key and the valid names.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { type GRPOConfig, type ResolvedGRPOConfig, resolveGRPOConfig } from '@r1/grpo-core';
import { type BuiltinTaskName, isBuiltinTaskName } from '@r1/tasks';
import { parse as parseYaml } from 'yaml';
import { type RolloutSettings, resolveRollout } from './stages/rollout';

export interface EvalSettings {
  /** Held-out problems (test split) for the before/after evaluation. */
  problems: number;
  /** Samples per problem (pass@1 = mean over them; cons@k by majority). */
  k: number;
  /** The paper's protocol: 0.6. */
  temperature: number;
  /** The paper's protocol: 0.95. */
  topP: number;
  /** Evaluate a smaller curve set every this many optimiser steps (the accuracy curve, Figure 2); 0 = off. */
  everySteps: number;
  /** Problems and k of the curve evaluations. */
  curveProblems: number;
  curveK: number;
  /** Seed of the held-out problem draw and of evaluation sampling. */
  seed: number;
}

/** Problems from a JSONL/Parquet file, mapped as r1-eval maps them (`--problem-field` …). */
export interface FileTask {
  path: string;
  problemField: string;
  answerField: string;
  idField: string | null;
  answerFormat: 'plain' | 'gsm8k' | 'boxed';
  /** Held-out problems for evaluation; null = the last `eval.problems` records of `path`, never trained on. */
  evalPath: string | null;
}

export const TRAIN_TEMPLATES = ['r1-zero', 'r1', 'chat'] as const;
/**
 * How problems become prompts (and where a completion's reasoning is): the R1-Zero text prompt; the readable R1
 * format ("User: … Assistant:", reasoning in `<think>` then a summary); or the checkpoint's own chat template with
 * `<think>\n` forced, as R1-Distill models expect.
 */
export type TrainTemplate = (typeof TRAIN_TEMPLATES)[number];

export interface TrainerConfig {
  model: string;
  /** Train an MoE policy: the dense base is upcycled (see upcycle.ts); null = train the base as it is. */
  moe: { nRoutedExperts: number; numExpertsPerTok: number } | null;
  /** A built-in generator (`file: null`) or a data file (`name: 'file'`). */
  task: { name: BuiltinTaskName | 'file'; options: Record<string, unknown>; file: FileTask | null };
  template: TrainTemplate;
  eval: EvalSettings;
  grpo: ResolvedGRPOConfig;
  /** Rollouts on inference servers with weight sync (stages/rollout.ts); null = the policy samples itself. */
  rollout: RolloutSettings | null;
}

export const DEFAULT_EVAL_SETTINGS: EvalSettings = {
  problems: 200,
  k: 4,
  temperature: 0.6,
  topP: 0.95,
  everySteps: 10,
  curveProblems: 64,
  curveK: 2,
  seed: 1234,
};

const SECTIONS = ['model', 'moe', 'task', 'template', 'eval', 'grpo', 'rollout'];
const FILE_TASK_KEYS = ['name', 'path', 'problem_field', 'answer_field', 'id_field', 'answer_format', 'eval_path'];

/** TRL's snake_case option names → ours (`num_generations` → `numGenerations`). */
const snakeToCamel = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function fail(source: string, message: string): never {
  throw new Error(`${source}: ${message}`);
}

/** Builds a trainer config from a plain object (parsed YAML/JSON, or code). */
export function resolveTrainerConfig(raw: Record<string, unknown>, source = '<config>'): TrainerConfig {
  for (const key of Object.keys(raw)) {
    if (!SECTIONS.includes(key)) fail(source, `unknown section "${key}"; the sections are ${SECTIONS.join(', ')}`);
  }
  if (typeof raw.model !== 'string' || raw.model === '') fail(source, 'model: give the base checkpoint directory');
  const taskRaw = (raw.task ?? {}) as Record<string, unknown>;
  const { name = 'arithmetic', ...taskOptions } = typeof taskRaw === 'string' ? { name: taskRaw } : taskRaw;
  const file = name === 'file' ? resolveFileTask(taskOptions, source) : null;
  if (file === null && !isBuiltinTaskName(name))
    fail(source, `task.name "${String(name)}" is not a built-in task (arithmetic, countdown) or "file"`);
  const template = (raw.template ?? 'r1-zero') as TrainTemplate;
  if (!TRAIN_TEMPLATES.includes(template)) {
    fail(source, `template "${String(raw.template)}" is not one of ${TRAIN_TEMPLATES.join(', ')}`);
  }
  const evalRaw = (raw.eval ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(evalRaw)) {
    if (!(key in DEFAULT_EVAL_SETTINGS)) {
      fail(source, `eval.${key} is unknown; valid: ${Object.keys(DEFAULT_EVAL_SETTINGS).join(', ')}`);
    }
  }
  const evalSettings = { ...DEFAULT_EVAL_SETTINGS, ...evalRaw } as EvalSettings;
  for (const [key, value] of Object.entries(evalSettings)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(source, `eval.${key} must be a number`);
  }
  if (evalSettings.k < 1 || evalSettings.problems < 1) fail(source, 'eval.k and eval.problems must be ≥ 1');
  const grpoRaw = (raw.grpo ?? {}) as Record<string, unknown>;
  const grpo: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(grpoRaw)) grpo[key.includes('_') ? snakeToCamel(key) : key] = value;
  let resolved: ResolvedGRPOConfig;
  try {
    resolved = resolveGRPOConfig(grpo as Partial<GRPOConfig>);
  } catch (error) {
    fail(source, `grpo: ${(error as Error).message}`);
  }
  return {
    model: raw.model,
    moe: resolveMoe(raw.moe, source),
    task:
      file === null
        ? { name: name as BuiltinTaskName, options: taskOptions, file }
        : { name: 'file', options: {}, file },
    template,
    eval: evalSettings,
    grpo: resolved,
    rollout: resolveRollout(raw.rollout, source),
  };
}

function resolveFileTask(raw: Record<string, unknown>, source: string): FileTask {
  for (const key of Object.keys(raw)) {
    if (!FILE_TASK_KEYS.includes(key))
      fail(source, `task.${key} is unknown for a file task; valid: ${FILE_TASK_KEYS.join(', ')}`);
  }
  const text = (key: string, fallback: string | null): string | null => {
    const v = raw[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'string' || v === '') fail(source, `task.${key} must be a non-empty string`);
    return v;
  };
  const path = text('path', null);
  if (path === null) fail(source, 'task.path: give the JSONL or Parquet file of a file task');
  const answerFormat = text('answer_format', 'plain') as FileTask['answerFormat'];
  if (!['plain', 'gsm8k', 'boxed'].includes(answerFormat)) {
    fail(source, `task.answer_format "${answerFormat}" is not one of plain, gsm8k, boxed`);
  }
  return {
    path,
    problemField: text('problem_field', 'problem')!,
    answerField: text('answer_field', 'answer')!,
    idField: text('id_field', null),
    answerFormat,
    evalPath: text('eval_path', null),
  };
}

function resolveMoe(raw: unknown, source: string): TrainerConfig['moe'] {
  if (raw === undefined || raw === null || raw === false) return null;
  const defaults = { nRoutedExperts: 4, numExpertsPerTok: 2 };
  if (raw === true) return defaults;
  if (typeof raw !== 'object') fail(source, 'moe: give true or { nRoutedExperts, numExpertsPerTok }');
  for (const key of Object.keys(raw as object)) {
    if (!(key in defaults)) fail(source, `moe.${key} is unknown; valid: nRoutedExperts, numExpertsPerTok`);
  }
  const moe = { ...defaults, ...(raw as object) };
  if (
    !Number.isInteger(moe.nRoutedExperts) ||
    !Number.isInteger(moe.numExpertsPerTok) ||
    moe.numExpertsPerTok < 1 ||
    moe.numExpertsPerTok > moe.nRoutedExperts
  ) {
    fail(source, 'moe: need integers 1 ≤ numExpertsPerTok ≤ nRoutedExperts');
  }
  return moe;
}

/** Reads a YAML or JSON config file that must hold a mapping; errors name the file. */
export function readConfigMapping(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `${path}: cannot read the config (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  const ext = extname(path).toLowerCase();
  let raw: unknown;
  try {
    raw = ext === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new Error(
      `${path}: not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    fail(path, 'the config must be a mapping of sections');
  return raw as Record<string, unknown>;
}

export function loadTrainerConfig(path: string): TrainerConfig {
  return resolveTrainerConfig(readConfigMapping(path), path);
}
