/**
 * The `r1-train zero` config: which base model, which task, how to evaluate, and the GRPO knobs (TRL's names, in
 * camelCase or TRL's snake_case). One YAML or JSON file with these sections:
 *
 * ```yaml
 * model: apps/trainer/checkpoints/base-arith   # base checkpoint directory (HF layout)
 * moe: false                                   # or true / { nRoutedExperts: 4, numExpertsPerTok: 2 }: upcycle to MoE
 * task: { name: arithmetic, minOperands: 2, maxOperands: 3 }
 * eval: { problems: 200, k: 4, temperature: 0.6, topP: 0.95, everySteps: 10 }
 * grpo: { num_generations: 8, learning_rate: 1.0e-3, max_steps: 60 }
 * ```
 * Unknown keys are rejected with the file, the key and the valid names.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { type GRPOConfig, type ResolvedGRPOConfig, resolveGRPOConfig } from '@r1/grpo-core';
import { type BuiltinTaskName, isBuiltinTaskName } from '@r1/tasks';
import { parse as parseYaml } from 'yaml';

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

export interface TrainerConfig {
  model: string;
  /** Train an MoE policy: the dense base is upcycled (see upcycle.ts); null = train the base as it is. */
  moe: { nRoutedExperts: number; numExpertsPerTok: number } | null;
  task: { name: BuiltinTaskName; options: Record<string, unknown> };
  eval: EvalSettings;
  grpo: ResolvedGRPOConfig;
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

const SECTIONS = ['model', 'moe', 'task', 'eval', 'grpo'];

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
  if (!isBuiltinTaskName(name))
    fail(source, `task.name "${String(name)}" is not a built-in task (arithmetic, countdown)`);
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
    task: { name, options: taskOptions },
    eval: evalSettings,
    grpo: resolved,
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

export function loadTrainerConfig(path: string): TrainerConfig {
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
  return resolveTrainerConfig(raw as Record<string, unknown>, path);
}
