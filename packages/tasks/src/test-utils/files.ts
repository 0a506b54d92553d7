/** Temporary files for dataset tests: a fresh directory per test file, and small Parquet writers. */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type ColumnSource, parquetWriteBuffer } from 'hyparquet-writer';

export interface TempDir {
  path(name: string): string;
  write(name: string, text: string): string;
  writeGzip(name: string, text: string): string;
  writeParquet(name: string, columns: ColumnSource[], rowGroupSize?: number): string;
  remove(): void;
}

export function tempDir(prefix: string): TempDir {
  const dir = mkdtempSync(join(tmpdir(), `r1-tasks-${prefix}-`));
  const path = (name: string) => join(dir, name);
  return {
    path,
    write(name, text) {
      writeFileSync(path(name), text);
      return path(name);
    },
    writeGzip(name, text) {
      writeFileSync(path(name), gzipSync(text));
      return path(name);
    },
    writeParquet(name, columnData, rowGroupSize) {
      const buffer = parquetWriteBuffer({ columnData, ...(rowGroupSize ? { rowGroupSize } : {}) });
      writeFileSync(path(name), new Uint8Array(buffer));
      return path(name);
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The normalised benchmark files shared by the project (not shipped; tests only). */
export function sharedBenchmark(name: string): string {
  return new URL(`../../../../../shared/data/benchmarks/${name}.jsonl`, import.meta.url).pathname;
}
