/**
 * Exact rational numbers on BigInt, just enough for Countdown equations: + − × ÷, equality, and conversion of the
 * task's JavaScript numbers. Division by zero returns null rather than throwing. Sizes are bounded by the caller
 * (equations are at most a few hundred characters, and there is no exponentiation), so no size guard lives here.
 * Deliberately separate from the verifier's rational arithmetic (verify/), which carries size bounds for powers.
 */

/** n / d in lowest terms with d > 0. */
export interface Fraction {
  readonly n: bigint;
  readonly d: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** n / d reduced; null when d is 0. */
export function fraction(n: bigint, d = 1n): Fraction | null {
  if (d === 0n) return null;
  const g = gcd(n, d) || 1n;
  const sign = d < 0n ? -1n : 1n;
  return { n: (sign * n) / g, d: (sign * d) / g };
}

export const add = (a: Fraction, b: Fraction): Fraction => fraction(a.n * b.d + b.n * a.d, a.d * b.d)!;
export const sub = (a: Fraction, b: Fraction): Fraction => fraction(a.n * b.d - b.n * a.d, a.d * b.d)!;
export const mul = (a: Fraction, b: Fraction): Fraction => fraction(a.n * b.n, a.d * b.d)!;
export const div = (a: Fraction, b: Fraction): Fraction | null => fraction(a.n * b.d, a.d * b.n);
export const neg = (a: Fraction): Fraction => ({ n: -a.n, d: a.d });
export const equals = (a: Fraction, b: Fraction): boolean => a.n === b.n && a.d === b.d;

/** Parses an unsigned decimal literal ("12", "0.25", "007"); null for anything else. */
export function parseDecimal(text: string): Fraction | null {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (m === null) return null;
  const frac = m[2] ?? '';
  return fraction(BigInt(m[1]! + frac), 10n ** BigInt(frac.length));
}

/**
 * The exact value of a finite JavaScript number as written in decimal (0.1 → 1/10, not the binary double);
 * null for NaN and ±Infinity.
 */
export function fromNumber(x: number): Fraction | null {
  if (!Number.isFinite(x)) return null;
  if (Number.isInteger(x)) return fraction(BigInt(x));
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x));
  if (m === null) return null;
  const digits = m[2]! + (m[3] ?? '');
  const exponent = Number(m[4] ?? '0') - (m[3] ?? '').length;
  const magnitude =
    exponent >= 0
      ? fraction(BigInt(digits) * 10n ** BigInt(exponent))
      : fraction(BigInt(digits), 10n ** BigInt(-exponent));
  return magnitude === null ? null : m[1] === '-' ? neg(magnitude) : magnitude;
}

/** "n" or "n/d", for messages. */
export const show = (a: Fraction): string => (a.d === 1n ? `${a.n}` : `${a.n}/${a.d}`);
