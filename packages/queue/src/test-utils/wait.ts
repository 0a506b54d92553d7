/** Test helpers shared by the queue tests of @r1/queue, r1-eval and r1-train sample. */
import { existsSync, readFileSync } from 'node:fs';

/** Polls `check` until it holds; throws naming `what` after `ms`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The complete lines of a JSONL file another process may be appending to (none when it does not exist yet). */
export function completeJsonlLines(path: string): string[] {
  return existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .slice(0, -1)
        .filter((l) => l.trim() !== '')
    : [];
}
