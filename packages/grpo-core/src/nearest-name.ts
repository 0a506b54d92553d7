/**
 * "Did you mean …?" for option names: the closest candidate by edit distance, comparing names case- and
 * underscore-insensitively so `num_generation`, `NumGenerations` and `numGeneratoins` all find `numGenerations`.
 * Also the camelCase ↔ snake_case mapping TRL users need (`learning_rate` ↔ `learningRate`). Pure string code.
 */

/** Levenshtein distance (insert, delete, substitute all cost 1). */
export function editDistance(a: string, b: string): number {
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

function normalise(name: string): string {
  return name.replace(/[_-]/g, '').toLowerCase();
}

/**
 * The candidate closest to `name`, or `undefined` when none is plausibly meant (distance above a third of the
 * name's length, at least 2). Ties go to the earlier candidate.
 */
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

/** `learning_rate` → `learningRate`, `adam_beta1` → `adamBeta1`; names without `_` come back unchanged. */
export function snakeToCamel(name: string): string {
  return name.replace(/_+([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** `learningRate` → `learning_rate`, `adamBeta1` → `adam_beta1`. */
export function camelToSnake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
