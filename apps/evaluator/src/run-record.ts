/**
 * `run.json`: the settings that define a run's samples, written when a run starts. A rerun into the same --out must
 * match them — otherwise results.jsonl would mix samples of two configurations and every later report or comparison
 * read from it would be wrong. k and the number of problems may change (raising either reuses what is there).
 *
 * It does not read or check results.jsonl itself (SampleCache does).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './usage-error';
import { writeFileAtomic } from './write-atomic';

/** What a sample's identity depends on, besides the problem and its index. */
export interface RunIdentity {
  /** The engine's model id (checkpoint path, or model@endpoint). */
  modelId: string;
  /** The problems' source (benchmark name and absolute data path, or generator settings). */
  benchmark: string;
  template: string;
  instruction: string;
  temperature: number;
  topP: number;
  maxTokens: number;
  seed: number;
}

export interface RunRecord extends RunIdentity {
  /** Samples per problem of the latest run. */
  k: number;
  /** Problems of the latest run. */
  problems: number;
  /** Benchmark name for reports. */
  benchmarkName: string;
  /** Model name for reports. */
  model: string;
}

export const RUN_RECORD_FILE = 'run.json';

const IDENTITY_KEYS: (keyof RunIdentity)[] = [
  'modelId',
  'benchmark',
  'template',
  'instruction',
  'temperature',
  'topP',
  'maxTokens',
  'seed',
];

/** Reads an out dir's run.json, or null when there is none. */
export function readRunRecord(out: string): RunRecord | null {
  const path = join(out, RUN_RECORD_FILE);
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RunRecord;
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message}); move it away or use another --out`);
  }
}

/** Refuses a run whose sample-defining settings differ from those already in `out`; then records the new run. */
export function claimOutDir(out: string, record: RunRecord): void {
  const previous = readRunRecord(out);
  if (previous !== null) {
    const diffs = IDENTITY_KEYS.filter((key) => JSON.stringify(previous[key]) !== JSON.stringify(record[key])).map(
      (key) => `${key} ${JSON.stringify(previous[key])} there, ${JSON.stringify(record[key])} now`,
    );
    if (diffs.length > 0) {
      throw new UsageError(
        `${out} holds samples drawn with other settings (${diffs.join('; ')}). ` +
          'Use another --out for these settings, or rerun with the same settings to resume.',
        'run',
      );
    }
  }
  writeFileAtomic(join(out, RUN_RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
}
