/**
 * An append-only JSONL log of keyed records, fsynced on every append: the durable state that makes sampling
 * resumable (r1-eval's results.jsonl, rejection sampling's raw traces).
 *
 * Records are appended as batches complete, so a crash (even kill -9) loses at most the batch in flight. A torn last
 * line (no newline: a write cut by a crash) is detected on open and cut off; any other unreadable line is an error
 * naming the file and line, never skipped silently. Reopening loads every key, so a rerun generates only what is
 * missing. The first record of a key wins; appending a key already present is a no-op.
 *
 * It does not know what a record means: the caller passes `check`, which returns an error message for a record that
 * is not of its kind (or null).
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';

export interface KeyedRecord {
  key: string;
}

export interface SampleLogOptions<R> {
  /** What the file holds, for messages ("sample record", "trace record"). */
  kind: string;
  /** Returns why a parsed line is not a valid record, or null when it is. */
  check: (record: Partial<R>) => string | null;
}

export class SampleLog<R extends KeyedRecord> {
  readonly #records = new Map<string, R>();
  #fd: number | null = null;
  /** Lines dropped on open (a torn last line after a crash). */
  readonly repairedLines: number = 0;

  /** Opens (creating if needed) the JSONL file at `path` and loads what it holds. */
  constructor(
    readonly path: string,
    options: SampleLogOptions<R>,
  ) {
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      let offset = 0;
      let goodBytes = 0;
      let lineNo = 0;
      let repaired = 0;
      while (offset < text.length) {
        const end = text.indexOf('\n', offset);
        lineNo++;
        if (end < 0) {
          // No newline: a write torn by a crash. Everything before it is intact.
          repaired++;
          break;
        }
        const line = text.slice(offset, end);
        offset = end + 1;
        if (line.trim() !== '') {
          let record: Partial<R>;
          try {
            record = JSON.parse(line) as Partial<R>;
          } catch (error) {
            throw new Error(
              `${path}:${lineNo}: not a JSON ${options.kind} (${(error as Error).message}); ` +
                'the file is not an r1 sample cache or was edited by hand — move it away to start afresh',
            );
          }
          const problem =
            record === null || typeof record !== 'object' || typeof record.key !== 'string'
              ? 'lacks a string key'
              : options.check(record);
          if (problem !== null) throw new Error(`${path}:${lineNo}: ${options.kind} ${problem}`);
          if (!this.#records.has(record.key!)) this.#records.set(record.key!, record as R);
        }
        goodBytes = Buffer.byteLength(text.slice(0, offset));
      }
      if (repaired > 0) {
        const fd = openSync(path, 'r+');
        ftruncateSync(fd, goodBytes);
        closeSync(fd);
        this.repairedLines = repaired;
      }
    }
    this.#fd = openSync(path, 'a');
  }

  get size(): number {
    return this.#records.size;
  }

  get(key: string): R | undefined {
    return this.#records.get(key);
  }

  has(key: string): boolean {
    return this.#records.has(key);
  }

  /** Every record, in the order first seen. */
  values(): IterableIterator<R> {
    return this.#records.values();
  }

  /** Appends records (skipping keys already present) with one write and an fsync. */
  append(records: readonly R[]): void {
    if (this.#fd === null) throw new Error(`${this.path}: sample log is closed`);
    const fresh = records.filter((r) => !this.#records.has(r.key));
    if (fresh.length === 0) return;
    writeSync(this.#fd, fresh.map((r) => `${JSON.stringify(r)}\n`).join(''));
    fsyncSync(this.#fd);
    for (const r of fresh) this.#records.set(r.key, r);
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }
}
