/**
 * Option-name helpers for config errors: the nearest known name ("did you mean …?") by edit distance, case- and
 * underscore-insensitive, and TRL's snake_case ↔ our camelCase. The same rules as @r1/grpo-core's
 * nearest-name.ts, which that package does not export.
 */

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

const normalise = (name: string) => name.replace(/[_-]/g, '').toLowerCase();

/** The closest candidate, or undefined when none is within a third of the name's length (at least 2). */
export function nearestName(name: string, candidates: readonly string[]): string | undefined {
  const target = normalise(name);
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = editDistance(target, normalise(candidate));
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(target.length / 3)) ? best : undefined;
}

/** `learning_rate` → `learningRate`. */
export const snakeToCamel = (name: string): string => name.replace(/_+([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** `learningRate` → `learning_rate`. */
export const camelToSnake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
