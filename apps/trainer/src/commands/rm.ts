/**
 * `r1-train rm`: trains a reward model (@r1/reward-model) from a causal-LM checkpoint — a Bradley–Terry preference
 * model (helpfulness) or a pointwise classifier (harmlessness) — and reports held-out pair accuracy and mean margin
 * (pointwise: accuracy). Returns the exit code: 0 done, 1 failed, 2 usage error, 130 interrupted (a checkpoint was
 * saved); never calls process.exit.
 */

import { parseArgs } from 'node:util';
import { initBackend } from '@r1/model';
import {
  REWARD_MODEL_KINDS,
  type RewardModelKind,
  readRewardConfigFile,
  runRewardModelTraining,
  SCORE_MODES,
  type ScoreMode,
} from '@r1/reward-model';

export const RM_USAGE = `usage:
  r1-train rm --model DIR --data FILE --out DIR [--eval-data FILE] [--kind preference|pointwise]
              [--score summary|full] [--config FILE.yaml] [--resume DIR] [--max-steps N] [--epochs N] [--seed N]
  Data: JSONL or Parquet. preference: TRL's {"prompt", "chosen", "rejected", "margin"?} (plain or conversational);
  pointwise: {"prompt", "completion", "label": 0|1}. --score summary scores only the text after the last </think>
  (R1's helpfulness RM); full, the whole response (harmlessness). The config file takes TRL RewardConfig names
  (learning_rate, per_device_train_batch_size, num_train_epochs, center_rewards_coefficient, max_length, …).
  Writes OUT/metrics.jsonl, OUT/checkpoint-<step>, OUT/final (Qwen2ForSequenceClassification), OUT/summary.json.`;

export interface RmIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

class UsageError extends Error {}

export async function rmCommand(args: readonly string[], io: RmIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        model: { type: 'string' },
        data: { type: 'string' },
        out: { type: 'string' },
        'eval-data': { type: 'string' },
        kind: { type: 'string' },
        score: { type: 'string' },
        config: { type: 'string' },
        resume: { type: 'string' },
        'max-steps': { type: 'string' },
        epochs: { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    io.stderr(`r1-train rm: ${(error as Error).message}\n${RM_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(`${RM_USAGE}\n`);
    return 0;
  }
  try {
    for (const flag of ['model', 'data', 'out'] as const) {
      if (typeof values[flag] !== 'string') throw new UsageError(`--${flag} is required`);
    }
    const kind = (values.kind ?? 'preference') as RewardModelKind;
    if (!REWARD_MODEL_KINDS.includes(kind)) {
      throw new UsageError(`--kind must be one of ${REWARD_MODEL_KINDS.join(', ')}, got ${String(values.kind)}`);
    }
    const score = (values.score ?? (kind === 'pointwise' ? 'full' : 'summary')) as ScoreMode;
    if (!SCORE_MODES.includes(score)) {
      throw new UsageError(`--score must be one of ${SCORE_MODES.join(', ')}, got ${String(values.score)}`);
    }
    const number = (name: string, integer: boolean) => {
      const raw = values[name];
      if (raw === undefined) return undefined;
      const n = Number(raw);
      if (raw === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
        throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'}, got ${String(raw)}`);
      }
      return n;
    };
    const config: Record<string, unknown> =
      typeof values.config === 'string' ? { ...readRewardConfigFile(values.config) } : {};
    const maxSteps = number('max-steps', true);
    const epochs = number('epochs', false);
    const seed = number('seed', true);
    if (maxSteps !== undefined) config.maxSteps = maxSteps;
    if (epochs !== undefined) {
      config.numTrainEpochs = epochs;
      if (maxSteps === undefined) config.maxSteps = -1;
    }
    if (seed !== undefined) config.seed = seed;
    await initBackend(undefined, { log: (line) => io.stderr(`${line}\n`) });
    const summary = await runRewardModelTraining({
      model: values.model as string,
      data: values.data as string,
      out: values.out as string,
      ...(typeof values['eval-data'] === 'string' ? { evalData: values['eval-data'] } : {}),
      kind,
      score,
      config,
      ...(typeof values.resume === 'string' ? { resume: values.resume } : {}),
      log: (line) => io.stderr(`${line}\n`),
    });
    io.stdout(`${JSON.stringify(summary)}\n`);
    return summary.interrupted ? 130 : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`r1-train rm: ${error.message}\n${RM_USAGE}\n`);
      return 2;
    }
    io.stderr(`r1-train rm: ${(error as Error).message}\n`);
    return 1;
  }
}
