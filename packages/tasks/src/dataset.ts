/**
 * Dataset loading from JSONL (`.jsonl`, `.ndjson`, optionally `.gz`) and Parquet (`.parquet`, the files Hugging Face
 * datasets ship) through a field mapping, as a stream of validated records. Every bad record becomes a DatasetError
 * naming file, line or row, and field; with `onBadRecord: 'skip'` bad records are counted and skipped instead.
 *
 * Deliberately not here: which mapping a known benchmark uses (benchmarks.ts), any network access (download files
 * first), or sharding/shuffling (do that on the records).
 */

import { DatasetError } from './dataset-error';
import {
  type DatasetRecord,
  type FieldMapping,
  mapRecord,
  type RecordLocation,
  resolveFieldMapping,
} from './field-mapping';
import { readJsonlLines } from './jsonl';
import { type ParquetReadOptions, parquetColumns, readParquetRows } from './parquet';
import { checkInteger, checkOneOf, describe, rejectUnknownKeys } from './resolve';

export type DatasetFormat = 'jsonl' | 'parquet';

export type BadRecordPolicy = 'throw' | 'skip';

export interface DatasetOptions extends ParquetReadOptions {
  /** Which fields hold problem, answer, id and solution. Defaults: problem 'problem', answer 'answer' (plain). */
  fields?: Partial<FieldMapping>;
  /** File format; by default from the extension (.jsonl/.ndjson[.gz] or .parquet). */
  format?: DatasetFormat;
  /** 'throw' (default): stop at the first bad record. 'skip': count it in `stats.skipped` and go on. */
  onBadRecord?: BadRecordPolicy;
  /** Stop after this many good records. */
  limit?: number;
}

export interface DatasetStats {
  /** Good records yielded so far. */
  records: number;
  /** Bad records skipped so far (only with onBadRecord: 'skip'). */
  skipped: number;
  /** The first bad records' errors (at most MAX_KEPT_ERRORS), for a report. */
  errors: DatasetError[];
  /** Bytes read from disk so far; compare with the file size for progress. */
  bytesRead: number;
}

/** An async-iterable stream of records whose `stats` fill in as it is consumed. */
export interface DatasetStream<R = DatasetRecord> extends AsyncIterable<R> {
  readonly stats: DatasetStats;
}

export const MAX_KEPT_ERRORS = 20;

const OPTION_KEYS = ['fields', 'format', 'onBadRecord', 'limit', 'compressors'] as const;

/** The format a path's extension implies; throws with a fix when it implies none. */
export function formatOf(path: string): DatasetFormat {
  const lower = path.toLowerCase().replace(/\.gz$/, '');
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.parquet') && !path.toLowerCase().endsWith('.gz')) return 'parquet';
  throw new DatasetError({
    kind: 'unreadable',
    file: path,
    detail: 'cannot tell the format from the extension (expected .jsonl, .ndjson, .jsonl.gz or .parquet)',
    fix: "Pass format: 'jsonl' or format: 'parquet'",
  });
}

/** Raw records (not yet validated) with their location, from either format. */
async function* rawRecords(
  file: string,
  format: DatasetFormat,
  options: ParquetReadOptions,
  stats: DatasetStats,
): AsyncGenerator<{ value: unknown; line?: number; row?: number } | DatasetError> {
  switch (format) {
    case 'jsonl':
      for await (const { line, text } of readJsonlLines(file, stats)) {
        try {
          yield { value: JSON.parse(text), line };
        } catch (error) {
          yield new DatasetError({
            kind: 'malformed-json',
            file,
            line,
            detail: `malformed JSON (${error instanceof Error ? error.message : String(error)})`,
            fix: "Fix the line or pass onBadRecord: 'skip'",
          });
        }
      }
      return;
    case 'parquet':
      for await (const { row, value } of readParquetRows(file, options, stats)) yield { value, row };
      return;
    default: {
      const never: never = format;
      throw new TypeError(`unknown format ${String(never)}`);
    }
  }
}

/**
 * Streams validated records from a JSONL or Parquet file. Nothing is read until iteration starts, and records come
 * one at a time (JSONL: one line at a time; Parquet: one row group at a time).
 *
 * @example
 * const stream = streamDataset('train.parquet', { fields: { problem: 'question', answer: 'answer', answerFormat: 'gsm8k' } });
 * for await (const record of stream) use(record.prompt, record.answer);
 * console.log(stream.stats.records, stream.stats.skipped);
 */
export function streamDataset(file: string, options: DatasetOptions = {}): DatasetStream {
  rejectUnknownKeys(options, OPTION_KEYS, 'dataset option');
  const mapping = resolveFieldMapping(options.fields);
  return streamMapped(file, options, (value, at) => mapRecord(value, mapping, at));
}

/**
 * The streaming, limit and bad-record policy of `streamDataset` around any record mapper (`map` throws a
 * DatasetError for a bad record). For loaders of other record shapes (e.g. `streamCountdownDataset`); options are
 * checked by the caller, except format, onBadRecord and limit.
 */
export function streamMapped<R>(
  file: string,
  options: Omit<DatasetOptions, 'fields'>,
  map: (value: unknown, at: RecordLocation) => R,
): DatasetStream<R> {
  const format =
    options.format === undefined ? formatOf(file) : checkOneOf('format', options.format, ['jsonl', 'parquet']);
  const policy = checkOneOf('onBadRecord', options.onBadRecord ?? 'throw', ['throw', 'skip']);
  const limit =
    options.limit === undefined
      ? Number.POSITIVE_INFINITY
      : checkInteger('limit', options.limit, 0, Number.MAX_SAFE_INTEGER);
  const stats: DatasetStats = { records: 0, skipped: 0, errors: [], bytesRead: 0 };

  async function* records(): AsyncGenerator<R> {
    if (stats.records >= limit) return;
    for await (const raw of rawRecords(file, format, options, stats)) {
      let record: R;
      try {
        if (raw instanceof DatasetError) throw raw;
        record = map(raw.value, { file, line: raw.line, row: raw.row });
      } catch (error) {
        if (!(error instanceof DatasetError) || policy === 'throw') throw error;
        stats.skipped++;
        if (stats.errors.length < MAX_KEPT_ERRORS) stats.errors.push(error);
        continue;
      }
      stats.records++;
      yield record;
      if (stats.records >= limit) return;
    }
  }

  return { stats, [Symbol.asyncIterator]: () => records() };
}

/** Loads all records into memory (use streamDataset for files larger than memory). */
export async function loadDataset(
  file: string,
  options: DatasetOptions = {},
): Promise<{ records: DatasetRecord[]; stats: DatasetStats }> {
  const stream = streamDataset(file, options);
  const records: DatasetRecord[] = [];
  for await (const record of stream) records.push(record);
  return { records, stats: stream.stats };
}

/**
 * The field names of a file's records: the Parquet schema's top-level columns, or the keys of the first JSONL
 * record. Used to detect which layout a benchmark file has.
 */
export async function datasetFields(file: string, format: DatasetFormat = formatOf(file)): Promise<string[]> {
  switch (format) {
    case 'parquet':
      return parquetColumns(file);
    case 'jsonl':
      for await (const raw of rawRecords(file, 'jsonl', {}, { records: 0, skipped: 0, errors: [], bytesRead: 0 })) {
        if (raw instanceof DatasetError) throw raw;
        if (raw.value === null || typeof raw.value !== 'object' || Array.isArray(raw.value)) {
          throw new DatasetError({
            kind: 'not-an-object',
            file,
            line: raw.line,
            detail: `expected a JSON object per record, got ${describe(raw.value)}`,
          });
        }
        return Object.keys(raw.value);
      }
      return [];
    default: {
      const never: never = format;
      throw new TypeError(`unknown format ${String(never)}`);
    }
  }
}
