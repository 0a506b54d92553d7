/**
 * Run directories: `runs/<name>/` holds config.json, metrics.jsonl, checkpoints, summary.json and report.html;
 * `runs/latest` is a symlink to the newest finished run. metrics.jsonl is appended one line per optimiser step.
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export interface RunDir {
  dir: string;
  /** Points `<root>/latest` at this run (atomically: a new link renamed over the old). */
  markLatest(): void;
}

export function prepareRunDir(root: string, name: string, existing?: string): RunDir {
  const dir = resolve(existing ?? join(root, name));
  mkdirSync(dir, { recursive: true });
  return {
    dir,
    markLatest() {
      const link = join(dirname(dir), 'latest');
      const temp = `${link}.tmp-${process.pid}`;
      if (existsSync(temp)) unlinkSync(temp);
      symlinkSync(basename(dir), temp);
      renameSync(temp, link);
    },
  };
}

/** Appends JSON lines; on resume it first cuts the file back to the records the checkpoint knows. */
export class MetricsLog {
  constructor(
    readonly path: string,
    keepRecords: number,
  ) {
    if (existsSync(path)) {
      const lines = readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '');
      writeFileSync(
        path,
        lines
          .slice(0, keepRecords)
          .map((l) => `${l}\n`)
          .join(''),
      );
    } else writeFileSync(path, '');
  }

  append(record: unknown): void {
    appendFileSync(this.path, `${JSON.stringify(record)}\n`);
  }
}
