/**
 * Streaming line reader for JSONL (optionally gzip-compressed: `.gz`). Reads the file in 64 KiB chunks and yields
 * one non-blank line at a time with its 1-based line number, so files of any size are read in constant memory
 * (beyond the longest line). Handles a UTF-8 byte-order mark, CRLF line ends and a missing final newline.
 *
 * Deliberately not here: JSON parsing or validation (dataset.ts and field-mapping.ts), which need the line number.
 */

import { createReadStream } from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DatasetError } from './dataset-error';

export interface JsonlLine {
  /** 1-based line number in the (decompressed) file. */
  line: number;
  /** The line without its line end. Never blank. */
  text: string;
}

/** Bytes read so far from disk (compressed bytes for `.gz`), updated as chunks arrive. */
export interface ReadProgress {
  bytesRead: number;
}

function unreadable(file: string, error: unknown): DatasetError {
  const detail = error instanceof Error ? error.message : String(error);
  return new DatasetError(
    {
      kind: 'unreadable',
      file,
      detail: `cannot read the file (${detail})`,
      fix: 'Check the path and that it is JSONL',
    },
    { cause: error },
  );
}

/** Yields the non-blank lines of a JSONL file lazily. Stopping early (break) closes the file. */
export async function* readJsonlLines(
  file: string,
  progress: ReadProgress = { bytesRead: 0 },
): AsyncGenerator<JsonlLine> {
  const raw = createReadStream(file, { highWaterMark: 1 << 16 });
  // pipeline() forwards errors from the file stream to the gunzip stream, and destroys both on early exit.
  const input: Readable = file.endsWith('.gz') ? pipeline(raw, createGunzip(), () => {}) : raw;
  input.setEncoding('utf8');
  let pending = '';
  let line = 0;
  let first = true;
  try {
    for await (const chunk of input as AsyncIterable<string>) {
      progress.bytesRead = raw.bytesRead;
      let data = pending + chunk;
      if (first) {
        if (data.charCodeAt(0) === 0xfeff) data = data.slice(1);
        first = false;
      }
      let start = 0;
      for (let nl = data.indexOf('\n', start); nl >= 0; nl = data.indexOf('\n', start)) {
        line++;
        const end = nl > start && data.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        const text = data.slice(start, end);
        start = nl + 1;
        if (text.trim() !== '') yield { line, text };
      }
      pending = data.slice(start);
    }
  } catch (error) {
    throw unreadable(file, error);
  } finally {
    raw.destroy();
  }
  if (pending.trim() !== '') {
    line++;
    yield { line, text: pending.endsWith('\r') ? pending.slice(0, -1) : pending };
  }
}
