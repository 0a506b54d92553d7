/**
 * Shared checks for the `resolve…(partial)` functions of this package: reject unknown keys (with a "did you mean"
 * hint) and validate numeric fields with messages that say how to fix them.
 *
 * Deliberately not here: defaults or cross-field rules of any one config — those live beside each config.
 */

/** Edit distance between two short strings (for "did you mean" hints). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1;
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** The closest known name, when it is close enough to be a likely typo. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/**
 * Throws if `partial` is not a plain object or has keys outside `known`. `what` names the config in messages,
 * e.g. "arithmetic task option".
 */
export function rejectUnknownKeys(partial: unknown, known: readonly string[], what: string): void {
  if (partial === undefined) return;
  if (partial === null || typeof partial !== 'object' || Array.isArray(partial)) {
    throw new TypeError(`${what}s must be an object like { ${known[0]}: … } (got ${describe(partial)})`);
  }
  for (const key of Object.keys(partial)) {
    if (!known.includes(key)) {
      const hint = closestName(key, known);
      throw new TypeError(
        `Unknown ${what} '${key}'.${hint ? ` Did you mean '${hint}'?` : ''} Known ${what}s: ${known.join(', ')}.`,
      );
    }
  }
}

/** Throws unless `value` is an integer in [min, max]. */
export function checkInteger(what: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} must be an integer in [${min}, ${max}] (got ${describe(value)})`);
  }
  return value;
}

/** Throws unless `value` is a number in [min, max]. */
export function checkNumber(what: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
    throw new RangeError(`${what} must be a number in [${min}, ${max}] (got ${describe(value)})`);
  }
  return value;
}

/** Throws unless `value` is one of `allowed`. */
export function checkOneOf<T extends string>(what: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new TypeError(`${what} must be one of ${allowed.map((a) => `'${a}'`).join(', ')} (got ${describe(value)})`);
  }
  return value as T;
}

/** Throws unless `value` is a boolean. */
export function checkBoolean(what: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${what} must be true or false (got ${describe(value)})`);
  return value;
}

/** A short, safe description of any value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'number':
    case 'bigint':
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}
