/**
 * `r1-train sft`: supervised fine-tuning / distillation from the command line. Parses the flags (names are
 * contracts), puts them on top of the YAML config file, and calls @r1/distill's `runSft`. Returns the exit code:
 * 0 done, 1 failed, 2 usage error, 130 interrupted by SIGINT (a checkpoint was saved); never calls process.exit.
 */
import { parseArgs } from 'node:util';
import { OVER_LENGTH_POLICIES, type OverLengthPolicy, readSFTConfigFile, runSft, type SFTConfig } from '@r1/distill';

export const SFT_USAGE = `usage:
  r1-train sft --model DIR --data FILE --out DIR [--eval-data FILE] [--config FILE.yaml] [--resume DIR]
               [--max-steps N] [--epochs N] [--save-steps N] [--seed N]
               [--packing] [--max-length N] [--over-length drop|truncate]
               [--kd-teacher DIR [--kd-alpha X] [--kd-temperature T]]
  Data: JSONL or Parquet in TRL's formats ({"messages"}, {"prompt","completion"}, {"text"}); r1-train sample's
  data.jsonl works as is. The config file takes TRL SFTConfig names (learning_rate, per_device_train_batch_size,
  gradient_accumulation_steps, lr_scheduler_type, warmup_ratio, max_length, packing, eval_steps, …); flags win.
  Writes OUT/metrics.jsonl, OUT/checkpoint-<step>, OUT/final, OUT/summary.json and OUT/report.html.`;

export interface SftIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

class UsageError extends Error {}

const OPTIONS = {
  model: { type: 'string' },
  data: { type: 'string' },
  out: { type: 'string' },
  'eval-data': { type: 'string' },
  config: { type: 'string' },
  resume: { type: 'string' },
  'max-steps': { type: 'string' },
  epochs: { type: 'string' },
  'save-steps': { type: 'string' },
  seed: { type: 'string' },
  packing: { type: 'boolean' },
  'max-length': { type: 'string' },
  'over-length': { type: 'string' },
  'kd-teacher': { type: 'string' },
  'kd-alpha': { type: 'string' },
  'kd-temperature': { type: 'string' },
  help: { type: 'boolean' },
} as const;

type Values = Record<string, string | boolean | undefined>;

function number(v: Values, name: string, integer: boolean): number | undefined {
  const raw = v[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'}, got ${String(raw)}`);
  }
  return n;
}

/** Flags → config overrides (camelCase), on top of the file's. */
export function sftConfigFromFlags(v: Values): Record<string, unknown> {
  const file: Partial<SFTConfig> = typeof v.config === 'string' ? readSFTConfigFile(v.config) : {};
  const flags: Record<string, unknown> = {
    maxSteps: number(v, 'max-steps', true),
    numTrainEpochs: number(v, 'epochs', false),
    saveSteps: number(v, 'save-steps', true),
    seed: number(v, 'seed', true),
    maxLength: number(v, 'max-length', true),
    ...(v.packing === true ? { packing: true } : {}),
  };
  const over = v['over-length'];
  if (over !== undefined) {
    if (!OVER_LENGTH_POLICIES.includes(over as OverLengthPolicy)) {
      throw new UsageError(`--over-length must be drop or truncate, got ${String(over)}`);
    }
    flags.overLength = over;
  }
  // --epochs alone means train by epochs, even if the file sets max_steps.
  if (flags.numTrainEpochs !== undefined && flags.maxSteps === undefined) flags.maxSteps = -1;
  const alpha = number(v, 'kd-alpha', false);
  const temperature = number(v, 'kd-temperature', false);
  const teacher = v['kd-teacher'];
  let kd = file.kd ?? null;
  if (typeof teacher === 'string' || alpha !== undefined || temperature !== undefined) {
    if (typeof teacher !== 'string' && kd === null) {
      throw new UsageError('--kd-alpha and --kd-temperature need --kd-teacher DIR (or kd.teacher in the config file)');
    }
    kd = {
      ...(kd ?? {}),
      ...(typeof teacher === 'string' ? { teacher } : {}),
      ...(alpha !== undefined ? { alpha } : {}),
      ...(temperature !== undefined ? { temperature } : {}),
    } as SFTConfig['kd'];
  }
  const merged: Record<string, unknown> = { ...file };
  for (const [key, value] of Object.entries(flags)) if (value !== undefined) merged[key] = value;
  if (kd !== null) merged.kd = kd;
  return merged;
}

export async function sftCommand(argv: readonly string[], io: SftIo): Promise<number> {
  let v: Values;
  try {
    ({ values: v } = parseArgs({ args: [...argv], options: OPTIONS, strict: true }));
  } catch (error) {
    io.stderr(`r1-train sft: ${(error as Error).message}\n${SFT_USAGE}\n`);
    return 2;
  }
  if (v.help === true) {
    io.stdout(`${SFT_USAGE}\n`);
    return 0;
  }
  try {
    const missing = (['model', 'data', 'out'] as const).filter((k) => typeof v[k] !== 'string');
    if (missing.length > 0) throw new UsageError(`${missing.map((k) => `--${k}`).join(', ')} required`);
    const config = sftConfigFromFlags(v);
    const summary = await runSft({
      model: v.model as string,
      data: v.data as string,
      out: v.out as string,
      ...(typeof v['eval-data'] === 'string' ? { evalData: v['eval-data'] } : {}),
      ...(typeof v.resume === 'string' ? { resume: v.resume } : {}),
      config,
      log: (line) => io.stderr(`${line}\n`),
    });
    io.stdout(`${JSON.stringify(summary)}\n`);
    return summary.interrupted ? 130 : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`r1-train sft: ${error.message}\n${SFT_USAGE}\n`);
      return 2;
    }
    io.stderr(`r1-train sft: ${(error as Error).message}\n`);
    return 1;
  }
}
