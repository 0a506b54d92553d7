/**
 * Training checkpoints: the policy in HF layout plus what an exact resume needs — AdamW's moments and step counts
 * (`optimizer.safetensors`) and the trainer's own state (`trainer_state.json`: steps done, metrics so far, the
 * "before" evaluation). Written atomically by @r1/model's saveCheckpoint, so a crash never leaves half a checkpoint.
 * Every random choice of the loop is derived from (seed, step), so no RNG state needs saving.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readTrainingCheckpointExtras, TRAINER_STATE_FILE } from '@r1/grpo-core';
import { loadModel, type Model, type tf } from '@r1/model';

export { OPTIMIZER_FILE, saveTrainingCheckpoint, TRAINER_STATE_FILE } from '@r1/grpo-core';

export interface ResumePoint {
  model: Model;
  state: Record<string, unknown>;
  /** Optimizer state as tensors (caller disposes after `importState`). */
  optimizerState: Map<string, tf.Tensor>;
}

export async function loadTrainingCheckpoint(dir: string): Promise<ResumePoint> {
  const model = await loadModel(dir);
  const extras = await readTrainingCheckpointExtras(dir);
  const state = extras.state;
  if (typeof state !== 'object' || state === null) {
    throw new Error(`${dir}/${TRAINER_STATE_FILE}: not a trainer state; resume from a checkpoint written by r1-train`);
  }
  const optimizerState = extras.optimizerState ?? new Map<string, tf.Tensor>();
  return { model, state: state as Record<string, unknown>, optimizerState };
}

/** The newest complete `checkpoint-<step>` directory in `dir` (one with its trainer state), or undefined. */
export function latestCheckpoint(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const steps = readdirSync(dir)
    .map((d) => /^checkpoint-(\d+)$/.exec(d))
    .filter((m): m is RegExpExecArray => m !== null && existsSync(join(dir, m[0], TRAINER_STATE_FILE)))
    .map((m) => Number(m[1]));
  return steps.length === 0 ? undefined : join(dir, `checkpoint-${Math.max(...steps)}`);
}
