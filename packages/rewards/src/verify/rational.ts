/**
 * Exact rational arithmetic on BigInt with a hard size bound.
 *
 * Every operation returns `null` instead of a result whose numerator or denominator would exceed
 * `maxDigits` decimal digits, and powers refuse exponents whose result could exceed that bound *before*
 * doing any big-integer work. This is what keeps `5^{5^{5^{5^5}}}` from hanging: the work is bounded up
 * front, not interrupted by a timeout (a timer cannot interrupt a running BigInt multiplication).
 * Deliberately not here: irrational numbers, floats, symbolic terms (see evaluate.ts).
 */

/** A reduced fraction `n / d` with `d > 0`. */
export interface Rational {
  readonly n: bigint;
  readonly d: bigint;
}

const ZERO = 0n;
const ONE = 1n;

function absBig(x: bigint): bigint {
  return x < ZERO ? -x : x;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = absBig(a);
  let y = absBig(b);
  while (y !== ZERO) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

/** Cheap upper bound on the number of decimal digits of |x| (bit length × log10 2, rounded up). */
export function digitBound(x: bigint): number {
  const bits = absBig(x).toString(16).length * 4;
  return Math.ceil(bits * 0.30103) + 1;
}

/** 2^53: below it digitBound is at most 18 (14 hex digits), which fits whenever maxDigits ≥ 16. */
const SMALL = 2n ** 53n;

function fits(x: bigint, maxDigits: number): boolean {
  // The common small case without digitBound's string conversion; the answer is the same.
  if (maxDigits >= 16 && x <= SMALL && x >= -SMALL) return true;
  // toString(16) is linear in the size; numbers here never exceed maxDigits by construction.
  return digitBound(x) <= maxDigits + 2;
}

/** Builds a reduced rational, or null when the denominator is zero or a part is too large. */
export function rat(n: bigint, d: bigint, maxDigits: number): Rational | null {
  if (d === ZERO) return null;
  if (!fits(n, maxDigits) || !fits(d, maxDigits)) return null;
  const g = gcd(n, d);
  let nn = g === ONE ? n : n / g;
  let dd = g === ONE ? d : d / g;
  if (dd < ZERO) {
    nn = -nn;
    dd = -dd;
  }
  return { n: nn, d: dd };
}

export function ratFromInt(n: bigint): Rational {
  return { n, d: ONE };
}

function isDigits(s: string): boolean {
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Parses a plain decimal literal ("12", "0.25", ".5", "1e-3", "2.5E4") into an exact rational.
 * Returns null for anything else or for literals beyond the digit bound.
 */
export function ratFromDecimal(text: string, maxDigits: number): Rational | null {
  // Fast path for plain integers of up to 15 digits, the usual literal: the general path below gives exactly
  // { n: BigInt(text), d: 1 } for them (leading zeros do not change the value; 10^15 < 2^53 always fits).
  if (maxDigits >= 16 && text.length > 0 && text.length <= 15 && isDigits(text)) return { n: BigInt(text), d: ONE };
  let mantissa = text;
  let exp = 0;
  const eAt = text.search(/[eE]/);
  if (eAt >= 0) {
    mantissa = text.slice(0, eAt);
    const expText = text.slice(eAt + 1);
    if (!/^[+-]?\d{1,6}$/.test(expText)) return null;
    exp = Number(expText);
  }
  if (!/^\d*\.?\d*$/.test(mantissa) || mantissa === '' || mantissa === '.') return null;
  const dot = mantissa.indexOf('.');
  const intPart = dot < 0 ? mantissa : mantissa.slice(0, dot);
  const fracPart = dot < 0 ? '' : mantissa.slice(dot + 1);
  const digits = (intPart + fracPart).replace(/^0+(?=\d)/, '');
  const scale = exp - fracPart.length;
  if (digits.length + Math.max(0, scale) > maxDigits || -scale > maxDigits) return null;
  const n = BigInt(digits === '' ? '0' : digits);
  return scale >= 0 ? rat(n * 10n ** BigInt(scale), ONE, maxDigits) : rat(n, 10n ** BigInt(-scale), maxDigits);
}

export function ratAdd(a: Rational, b: Rational, maxDigits: number): Rational | null {
  return rat(a.n * b.d + b.n * a.d, a.d * b.d, maxDigits);
}

export function ratSub(a: Rational, b: Rational, maxDigits: number): Rational | null {
  return rat(a.n * b.d - b.n * a.d, a.d * b.d, maxDigits);
}

export function ratMul(a: Rational, b: Rational, maxDigits: number): Rational | null {
  return rat(a.n * b.n, a.d * b.d, maxDigits);
}

export function ratDiv(a: Rational, b: Rational, maxDigits: number): Rational | null {
  if (b.n === ZERO) return null;
  return rat(a.n * b.d, a.d * b.n, maxDigits);
}

export function ratNeg(a: Rational): Rational {
  return { n: -a.n, d: a.d };
}

export function ratEq(a: Rational, b: Rational): boolean {
  return a.n === b.n && a.d === b.d;
}

export function ratIsInt(a: Rational): boolean {
  return a.d === ONE;
}

/**
 * `base ^ exp` for an integer exponent. Refuses (null) when |exp| exceeds `maxExponent` or when the result
 * would need more than `maxDigits` digits, estimated before multiplying.
 */
export function ratPowInt(base: Rational, exp: bigint, maxDigits: number, maxExponent: number): Rational | null {
  if (absBig(exp) > BigInt(maxExponent)) {
    // Only the trivial bases stay small under a huge exponent.
    if (base.d === ONE && (base.n === ONE || base.n === ZERO)) return exp < ZERO && base.n === ZERO ? null : base;
    if (base.d === ONE && base.n === -ONE) return { n: exp % 2n === ZERO ? ONE : -ONE, d: ONE };
    return null;
  }
  const e = Number(exp);
  const size = Math.max(digitBound(base.n), digitBound(base.d));
  if (size * Math.abs(e) > maxDigits * 1.2 + 4) {
    if (base.d === ONE && (base.n === ONE || base.n === ZERO || base.n === -ONE)) {
      return ratPowInt(base, exp % 2n === ZERO ? 0n : 1n, maxDigits, maxExponent);
    }
    return null;
  }
  if (e < 0) {
    if (base.n === ZERO) return null;
    return rat(base.d ** BigInt(-e), base.n ** BigInt(-e), maxDigits);
  }
  return rat(base.n ** BigInt(e), base.d ** BigInt(e), maxDigits);
}

/** Integer n-th root when exact (e.g. sqrt(49/4) = 7/2), else null. Bounded by the digit bound. */
export function ratRoot(a: Rational, k: number): Rational | null {
  if (k < 1 || k > 64) return null;
  if (a.n < ZERO && k % 2 === 0) return null;
  const rn = intRoot(absBig(a.n), k);
  const rd = intRoot(a.d, k);
  if (rn === null || rd === null) return null;
  return { n: a.n < ZERO ? -rn : rn, d: rd };
}

function intRoot(x: bigint, k: number): bigint | null {
  if (x < 2n) return x;
  // Float estimate then correct; exact for the sizes allowed here.
  const approx = BigInt(Math.round(Number(x) ** (1 / k)));
  for (const c of [approx - 1n, approx, approx + 1n]) {
    if (c >= ZERO && c ** BigInt(k) === x) return c;
  }
  return null;
}

export function ratToNumber(a: Rational): number {
  const n = Number(a.n);
  const d = Number(a.d);
  if (Number.isFinite(n) && Number.isFinite(d)) return n / d;
  // Scale both down for huge parts so the quotient stays meaningful.
  const shift = BigInt(Math.max(a.n.toString().length, a.d.toString().length) - 300);
  if (shift <= ZERO) return n / d;
  const s = 10n ** shift;
  return Number(a.n / s) / Number(a.d / s);
}

export function ratToString(a: Rational): string {
  return a.d === ONE ? a.n.toString() : `${a.n}/${a.d}`;
}
