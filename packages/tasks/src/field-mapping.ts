/**
 * Field mappings: which fields of a dataset record hold the problem, the gold answer (and how to extract it), the id
 * and a reference solution — and the validation that turns one raw record into a `DatasetRecord` or a DatasetError
 * naming the file, line/row and field.
 *
 * Deliberately not here: reading files (jsonl.ts, parquet.ts) or choosing a mapping for a known benchmark
 * (benchmarks.ts).
 */

import { basename } from 'node:path';
import { DatasetError } from './dataset-error';
import { extractBoxedAnswer, extractGsm8kAnswer } from './gold';
import { checkOneOf, describe, rejectUnknownKeys } from './resolve';

/** How the gold answer is read from the answer field. */
export type AnswerFormat =
  /** The field is the answer (trimmed; numbers become their decimal text). */
  | 'plain'
  /** GSM8K: the text after the last "####", thousands separators removed. */
  | 'gsm8k'
  /** MATH: the content of the last \boxed{…} / \fbox{…}. */
  | 'boxed';

export const ANSWER_FORMATS: readonly AnswerFormat[] = ['plain', 'gsm8k', 'boxed'];

export interface FieldMapping {
  /** Field with the problem text, a non-empty string. Default 'problem'. */
  problem: string;
  /** Field the gold answer is read from; null for data without gold. Default 'answer'. */
  answer: string | null;
  /** How the gold is read from `answer`. Default 'plain'. */
  answerFormat: AnswerFormat;
  /** Field with a stable id (string or integer); null to number records "<file stem>-<line or row>". Default null. */
  id: string | null;
  /** Field with a reference solution, kept as `meta.solution`; null for none. Default null. */
  solution: string | null;
}

export const DEFAULT_FIELD_MAPPING: Readonly<FieldMapping> = Object.freeze({
  problem: 'problem',
  answer: 'answer',
  answerFormat: 'plain',
  id: null,
  solution: null,
});

const KEYS = Object.keys(DEFAULT_FIELD_MAPPING) as (keyof FieldMapping)[];

/** Fills defaults and checks the mapping; throws with a fix on unknown keys or bad values. */
export function resolveFieldMapping(partial: Partial<FieldMapping> = {}): FieldMapping {
  rejectUnknownKeys(partial, KEYS, 'field mapping key');
  const m = { ...DEFAULT_FIELD_MAPPING, ...partial };
  const fieldName = (key: keyof FieldMapping, nullable: boolean) => {
    const value = m[key];
    if (value === null && nullable) return;
    if (typeof value !== 'string' || value === '') {
      throw new TypeError(
        `field mapping ${key} must be a field name${nullable ? ' or null' : ''} (got ${describe(value)}), ` +
          `e.g. { ${key}: '${DEFAULT_FIELD_MAPPING[key] ?? key}' }`,
      );
    }
  };
  fieldName('problem', false);
  fieldName('answer', true);
  fieldName('id', true);
  fieldName('solution', true);
  checkOneOf('field mapping answerFormat', m.answerFormat, ANSWER_FORMATS);
  return m;
}

/** Meta of a loaded record. */
export type DatasetRecordMeta = {
  /** The file it came from (as given). */
  file: string;
  /** 1-based line, for JSONL. */
  line?: number;
  /** 0-based row, for Parquet. */
  row?: number;
  /** The reference solution, when the mapping names one. */
  solution?: string;
  /** Every field the mapping does not use (e.g. subject, level, url), unchanged. */
  extra: Record<string, unknown>;
};

/** One loaded problem; assignable to `Sample` from @r1/rewards. */
export type DatasetRecord = {
  id: string;
  prompt: string;
  answer?: string;
  meta: DatasetRecordMeta;
};

/** Where a raw record was found. */
export interface RecordLocation {
  file: string;
  line?: number;
  row?: number;
}

function fieldList(record: Record<string, unknown>): string {
  const keys = Object.keys(record);
  return keys.length === 0 ? '(none)' : keys.join(', ');
}

// Module-level helpers rather than closures per record: this runs once per record of multi-GB files.

/** Throws the DatasetError of a bad record at `at` (shared by the record mappers of this package). */
export function fail(
  at: RecordLocation,
  kind: DatasetError['kind'],
  field: string | undefined,
  detail: string,
  fix?: string,
): never {
  throw new DatasetError({ kind, file: at.file, line: at.line, row: at.row, field, detail, fix });
}

/** Throws the missing-field error of `field` (absent or null), listing the fields present; `example` shows a fix. */
export function missingField(
  record: Record<string, unknown>,
  field: string,
  at: RecordLocation,
  example: string,
): never {
  const v = record[field];
  return fail(
    at,
    'missing-field',
    field,
    `${v === null ? 'is null' : 'missing'}; fields present: ${fieldList(record)}`,
    `Map the right field (e.g. ${example}) or pass onBadRecord: 'skip'`,
  );
}

/** The record as an object, or a not-an-object error. */
export function asRecord(value: unknown, at: RecordLocation): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return fail(at, 'not-an-object', undefined, `expected a JSON object per record, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/** The record's id: field `idField` (a non-blank string or a number), or "<file stem>-<line or row>" for null. */
export function recordId(record: Record<string, unknown>, idField: string | null, at: RecordLocation): string {
  return idField === null
    ? `${basename(at.file).replace(/\..*$/, '')}-${at.line ?? at.row ?? 0}`
    : fieldText(record, idField, true, at);
}

/** A field's value as text: strings (non-blank), and with `allowNumbers` finite numbers and bigints. */
function fieldText(record: Record<string, unknown>, field: string, allowNumbers: boolean, at: RecordLocation): string {
  const v = record[field];
  if (typeof v === 'string') {
    if (v.trim() === '') fail(at, 'empty-field', field, 'is an empty string');
    return v;
  }
  if (v === undefined || v === null) return missingField(record, field, at, "fields: { problem: 'question' }");
  if (allowNumbers && ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'bigint')) return String(v);
  return fail(
    at,
    'wrong-type',
    field,
    `expected ${allowNumbers ? 'a string or a number' : 'a string'}, got ${describe(v)}`,
  );
}

function goldAnswer(raw: string, format: AnswerFormat, field: string, at: RecordLocation): string {
  switch (format) {
    case 'plain':
      return raw.trim();
    case 'gsm8k':
      return (
        extractGsm8kAnswer(raw) ??
        fail(
          at,
          'no-gold',
          field,
          `no "#### <answer>" line in ${describe(raw.slice(-60))}`,
          "Use answerFormat: 'plain'",
        )
      );
    case 'boxed':
      return (
        extractBoxedAnswer(raw) ??
        fail(at, 'no-gold', field, `no complete \\boxed{…} in ${describe(raw.slice(-60))}`, "Use answerFormat: 'plain'")
      );
    default: {
      const never: never = format;
      throw new TypeError(`unknown answerFormat ${String(never)}`);
    }
  }
}

/** Turns one parsed record into a DatasetRecord; throws a DatasetError naming file, line/row and field. */
export function mapRecord(value: unknown, mapping: FieldMapping, at: RecordLocation): DatasetRecord {
  const record = asRecord(value, at);
  const prompt = fieldText(record, mapping.problem, false, at);
  const answer =
    mapping.answer === null
      ? undefined
      : goldAnswer(
          fieldText(record, mapping.answer, mapping.answerFormat === 'plain', at),
          mapping.answerFormat,
          mapping.answer,
          at,
        );
  const id = recordId(record, mapping.id, at);
  const solution = mapping.solution === null ? undefined : fieldText(record, mapping.solution, false, at);

  const extra: Record<string, unknown> = {};
  for (const k in record) {
    if (k !== mapping.problem && k !== mapping.answer && k !== mapping.id && k !== mapping.solution)
      extra[k] = record[k];
  }

  const meta: DatasetRecordMeta = { file: at.file, extra };
  if (at.line !== undefined) meta.line = at.line;
  if (at.row !== undefined) meta.row = at.row;
  if (solution !== undefined) meta.solution = solution;
  return answer === undefined ? { id, prompt, meta } : { id, prompt, answer, meta };
}
