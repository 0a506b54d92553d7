/**
 * Streaming Parquet rows with hyparquet: the footer is read once, then one row group at a time, so memory holds one
 * row group (not the file). Rows come back as plain objects (strings as strings, INT64 as bigint, nulls as null).
 *
 * Deliberately not here: validation (field-mapping.ts). Only hyparquet's built-in codecs (uncompressed, Snappy —
 * what Hugging Face parquet exports use) work out of the box; pass `compressors` (e.g. from hyparquet-compressors)
 * for ZSTD, GZIP or Brotli files.
 */

import {
  type AsyncBuffer,
  asyncBufferFromFile,
  type Compressors,
  type FileMetaData,
  parquetMetadataAsync,
  parquetReadObjects,
  parquetSchema,
} from 'hyparquet';
import { DatasetError } from './dataset-error';
import type { ReadProgress } from './jsonl';

export interface ParquetRow {
  /** 0-based row index in the file. */
  row: number;
  value: Record<string, unknown>;
}

export interface ParquetReadOptions {
  /** Extra decompressors for codecs hyparquet lacks (ZSTD, GZIP, Brotli, LZ4). */
  compressors?: Compressors;
}

function unreadable(file: string, error: unknown): DatasetError {
  const detail = error instanceof Error ? error.message : String(error);
  return new DatasetError(
    {
      kind: 'unreadable',
      file,
      detail: `cannot read the Parquet file (${detail})`,
      fix: /compress|codec|unsupported/i.test(detail)
        ? 'Pass compressors (e.g. from hyparquet-compressors) for this codec'
        : 'Check the path and that it is a Parquet file',
    },
    { cause: error },
  );
}

async function open(file: string, progress: ReadProgress): Promise<{ buffer: AsyncBuffer; metadata: FileMetaData }> {
  try {
    const inner = await asyncBufferFromFile(file);
    // Count the bytes hyparquet asks for, so callers (and tests) can see that reading is incremental.
    const buffer: AsyncBuffer = {
      byteLength: inner.byteLength,
      slice(start: number, end?: number) {
        progress.bytesRead += (end ?? inner.byteLength) - start;
        return inner.slice(start, end);
      },
    };
    return { buffer, metadata: await parquetMetadataAsync(buffer) };
  } catch (error) {
    throw unreadable(file, error);
  }
}

/** The top-level column names of a Parquet file (reads only the footer). */
export async function parquetColumns(file: string): Promise<string[]> {
  const { metadata } = await open(file, { bytesRead: 0 });
  return parquetSchema(metadata).children.map((child) => child.element.name);
}

/** Yields rows lazily, one row group at a time. Stopping early (break) reads no further row groups. */
export async function* readParquetRows(
  file: string,
  options: ParquetReadOptions = {},
  progress: ReadProgress = { bytesRead: 0 },
): AsyncGenerator<ParquetRow> {
  const { buffer, metadata } = await open(file, progress);
  let start = 0;
  for (const group of metadata.row_groups) {
    const end = start + Number(group.num_rows);
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({
        file: buffer,
        metadata,
        rowStart: start,
        rowEnd: end,
        ...(options.compressors ? { compressors: options.compressors } : {}),
      });
    } catch (error) {
      throw unreadable(file, error);
    }
    for (let i = 0; i < rows.length; i++) yield { row: start + i, value: rows[i]! };
    start = end;
  }
}
