/**
 * The one error type of dataset loading. It always names the file, and where it can the line (JSONL, 1-based) or
 * row (Parquet, 0-based like `dataset[row]`) and the field, says what was expected, and says how to fix it.
 *
 * Deliberately not here: deciding whether to skip or fail (dataset.ts does, from `onBadRecord`).
 */

export type DatasetErrorKind =
  /** The file cannot be opened or is not valid JSONL/Parquet as a whole. */
  | 'unreadable'
  /** A JSONL line is not valid JSON. */
  | 'malformed-json'
  /** A record is not a JSON object. */
  | 'not-an-object'
  /** A mapped field is absent (or null). */
  | 'missing-field'
  /** A mapped field has the wrong type. */
  | 'wrong-type'
  /** A mapped field is an empty string. */
  | 'empty-field'
  /** The gold answer cannot be extracted from the answer field. */
  | 'no-gold'
  /** A benchmark file matches none of the known layouts. */
  | 'unknown-layout';

export interface DatasetErrorInit {
  kind: DatasetErrorKind;
  file: string;
  /** 1-based JSONL line. */
  line?: number;
  /** 0-based Parquet row. */
  row?: number;
  field?: string;
  /** What is wrong, e.g. 'missing; fields present: id, question'. */
  detail: string;
  /** How to fix it. */
  fix?: string;
}

/** Where a record is, as "file:line" (JSONL) or "file row N" (Parquet) or just "file". */
export function formatLocation(file: string, line?: number, row?: number): string {
  if (line !== undefined) return `${file}:${line}`;
  if (row !== undefined) return `${file} row ${row}`;
  return file;
}

export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  readonly kind: DatasetErrorKind;
  readonly file: string;
  readonly line: number | undefined;
  readonly row: number | undefined;
  readonly field: string | undefined;
  readonly detail: string;

  constructor(init: DatasetErrorInit, options?: { cause?: unknown }) {
    const where = formatLocation(init.file, init.line, init.row);
    const field = init.field === undefined ? '' : ` field "${init.field}":`;
    super(`${where}:${field} ${init.detail}${init.fix ? `. ${init.fix}` : ''}`, options);
    this.kind = init.kind;
    this.file = init.file;
    this.line = init.line;
    this.row = init.row;
    this.field = init.field;
    this.detail = init.detail;
  }
}
