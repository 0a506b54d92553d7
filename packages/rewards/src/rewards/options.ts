/**
 * Shared plumbing for reward options: every reward has an options interface, a frozen `DEFAULT_…`, and a resolver
 * built with {@link resolveOptions}, which fills defaults and rejects unknown keys with a message naming the reward
 * and the keys it knows. Range and cross-field checks stay in each reward, next to the math they protect.
 */

/**
 * Merges `partial` over `defaults`; `undefined` values fall back to the default. Throws on keys `defaults` lacks,
 * naming the reward so that the message makes sense far from the call.
 */
export function resolveOptions<T extends object>(
  reward: string,
  defaults: Readonly<T>,
  partial: Partial<T> | undefined,
): T {
  const known = Object.keys(defaults);
  const given = partial ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new TypeError(`${reward}: options must be an object with keys among ${known.join(', ')}`);
  }
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) {
      throw new Error(`${reward}: unknown option '${key}'; the options are ${known.join(', ')}`);
    }
  }
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return { ...defaults, ...defined } as T;
}

/** Throws unless `value` is a finite number in [min, max]. */
export function checkNumber(reward: string, key: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range = max === Number.POSITIVE_INFINITY ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new Error(`${reward}: option '${key}' must be a number ${range}, got ${JSON.stringify(value)}`);
  }
}

/** Throws unless `value` is an integer in [min, max]. */
export function checkInteger(reward: string, key: string, value: unknown, min: number, max: number): void {
  checkNumber(reward, key, value, min, max);
  if (!Number.isInteger(value)) throw new Error(`${reward}: option '${key}' must be an integer, got ${value}`);
}

/** Throws unless `value` is a function. */
export function checkFunction(reward: string, key: string, value: unknown, hint: string): void {
  if (typeof value !== 'function') {
    throw new Error(
      `${reward}: option '${key}' must be a function (${hint}), got ${value === null ? 'null' : typeof value}`,
    );
  }
}
