/**
 * The error of a wrong command line (exit code 2), as opposed to a failure while running (exit code 1), and the
 * "did you mean" hint used in its messages.
 */

/** A wrong command line: unknown flag, missing or malformed value, contradictory flags. Exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** Which subcommand's usage to point at ("run", "score", "compare"), or null for the top level. */
  readonly command: string | null;

  constructor(message: string, command: string | null = null) {
    super(message);
    this.command = command;
  }
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** " Did you mean 'x'?" when `name` is a likely typo of one of `known`, else "". */
export function didYouMean(name: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3))
    ? ` Did you mean '${best}'?`
    : '';
}
