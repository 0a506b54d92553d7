/** Writes a whole file atomically (temporary file, then rename), so a crash never leaves a half-written report. */
import { renameSync, writeFileSync } from 'node:fs';

export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
