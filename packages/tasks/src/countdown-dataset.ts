/**
 * Countdown problems from a file rather than the generator: TinyZero's data (`Jiayi-Pan/Countdown-Tasks-3to4`, one
 * record per problem with `target` and `nums`), or any JSONL/Parquet file with a list of integers and an integer
 * target under fields you name. Each record becomes a problem whose prompt is written exactly as the built-in
 * countdown task writes it (`countdownPrompt`), with `meta.numbers` and `meta.target` — what the countdown reward and
 * the evaluator's judge read. Bad records raise a DatasetError naming file, line or row, and field (or are skipped
 * with `onBadRecord: 'skip'`), like every dataset loader here.
 *
 * Deliberately not here: solving the problems (a file need not be solvable; the judge only checks an answer), or
 * any gold answer (there is no single right equation).
 */
import { type CountdownPromptStyle, countdownPrompt } from './countdown';
import { type DatasetOptions, type DatasetStats, type DatasetStream, streamMapped } from './dataset';
import { OPERATORS } from './expression';
import {
  asRecord,
  type DatasetRecord,
  type DatasetRecordMeta,
  fail,
  missingField,
  type RecordLocation,
  recordId,
} from './field-mapping';
import { checkOneOf, describe, rejectUnknownKeys } from './resolve';

export interface CountdownFields {
  /** Field with the numbers, a list of non-negative integers (at least two). Default 'nums' (TinyZero). */
  numbers: string;
  /** Field with the target, an integer (or a string of digits). Default 'target'. */
  target: string;
  /** Field with a stable id; null to number records "<file stem>-<line or row>". Default null. */
  id: string | null;
}

export const DEFAULT_COUNTDOWN_FIELDS: Readonly<CountdownFields> = Object.freeze({
  numbers: 'nums',
  target: 'target',
  id: null,
});

export interface CountdownDatasetOptions extends Omit<DatasetOptions, 'fields'> {
  fields?: Partial<CountdownFields>;
  /** How prompts are written (as the built-in task's `promptStyle`). Default 'sentence'. */
  promptStyle?: CountdownPromptStyle;
}

/** A countdown problem from a file; `meta.numbers` / `meta.target` are what the countdown judge reads. */
export type CountdownRecord = DatasetRecord & {
  meta: DatasetRecordMeta & { numbers: number[]; target: number };
};

const OPTION_KEYS = ['fields', 'format', 'onBadRecord', 'limit', 'compressors', 'promptStyle'] as const;
/** Numbers and targets beyond this cannot stay exact through the judge's arithmetic. */
const MAX_MAGNITUDE = 1e9;

/** An integer from a number, a bigint or a string of digits, or null. */
function integerOf(v: unknown): number | null {
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && Math.abs(n) <= MAX_MAGNITUDE ? n : null;
}

/** The value of a required field. */
function field(record: Record<string, unknown>, name: string, at: RecordLocation): unknown {
  const v = record[name];
  return v === undefined || v === null ? missingField(record, name, at, "fields: { numbers: 'numbers' }") : v;
}

function numbersOf(v: unknown, name: string, at: RecordLocation): number[] {
  const list = Array.isArray(v) || ArrayBuffer.isView(v) ? Array.from(v as ArrayLike<unknown>) : null;
  if (list === null) return fail(at, 'wrong-type', name, `expected a list of integers, got ${describe(v)}`);
  if (list.length < 2) return fail(at, 'wrong-type', name, `expected at least two numbers, got ${list.length}`);
  return list.map((item, i) => {
    const n = integerOf(item);
    if (n === null || n < 0) {
      fail(
        at,
        'wrong-type',
        name,
        `item ${i} is ${describe(item)}; expected a non-negative integer ≤ ${MAX_MAGNITUDE}`,
      );
    }
    return n as number;
  });
}

function mapCountdown(
  value: unknown,
  fields: CountdownFields,
  style: CountdownPromptStyle,
  at: RecordLocation,
): CountdownRecord {
  const record = asRecord(value, at);
  const numbers = numbersOf(field(record, fields.numbers, at), fields.numbers, at);
  const rawTarget = field(record, fields.target, at);
  const target = integerOf(rawTarget);
  if (target === null) {
    fail(at, 'wrong-type', fields.target, `expected an integer (|n| ≤ ${MAX_MAGNITUDE}), got ${describe(rawTarget)}`);
  }
  const id = recordId(record, fields.id, at);
  const extra: Record<string, unknown> = {};
  for (const k in record) if (k !== fields.numbers && k !== fields.target && k !== fields.id) extra[k] = record[k];
  const meta: CountdownRecord['meta'] = { file: at.file, extra, numbers, target: target as number };
  if (at.line !== undefined) meta.line = at.line;
  if (at.row !== undefined) meta.row = at.row;
  // All four operators, as TinyZero's prompt allows.
  return { id, prompt: countdownPrompt(numbers, target as number, OPERATORS, style), meta };
}

/**
 * Streams countdown problems from a JSONL or Parquet file (see the module comment).
 *
 * @example
 * const stream = streamCountdownDataset('countdown-3to4.parquet'); // TinyZero's layout: target, nums
 * for await (const p of stream) judge(p.meta.numbers, p.meta.target);
 */
export function streamCountdownDataset(
  file: string,
  options: CountdownDatasetOptions = {},
): DatasetStream<CountdownRecord> {
  rejectUnknownKeys(options, OPTION_KEYS, 'countdown dataset option');
  rejectUnknownKeys(options.fields ?? {}, Object.keys(DEFAULT_COUNTDOWN_FIELDS), 'countdown field');
  const fields = { ...DEFAULT_COUNTDOWN_FIELDS, ...options.fields };
  for (const key of ['numbers', 'target'] as const) {
    if (typeof fields[key] !== 'string' || fields[key] === '')
      throw new TypeError(`countdown field ${key} must be a field name (got ${describe(fields[key])})`);
  }
  if (fields.id !== null && (typeof fields.id !== 'string' || fields.id === ''))
    throw new TypeError(`countdown field id must be a field name or null (got ${describe(fields.id)})`);
  const style = checkOneOf('promptStyle', options.promptStyle ?? 'sentence', ['sentence', 'compact'] as const);
  return streamMapped(file, options, (value, at) => mapCountdown(value, fields, style, at));
}

/** Loads every countdown problem of a file into memory. */
export async function loadCountdownDataset(
  file: string,
  options: CountdownDatasetOptions = {},
): Promise<{ records: CountdownRecord[]; stats: DatasetStats }> {
  const stream = streamCountdownDataset(file, options);
  const records: CountdownRecord[] = [];
  for await (const record of stream) records.push(record);
  return { records, stats: stream.stats };
}
