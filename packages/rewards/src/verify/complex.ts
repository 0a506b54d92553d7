/**
 * Complex double arithmetic for numeric evaluation of parsed answers (`i`, square roots of negatives,
 * random-point identity testing). Every function is total: failures give NaN parts, never throw.
 * Deliberately not here: exactness (see rational.ts) or branch-cut subtleties beyond principal values.
 */

export interface Complex {
  readonly re: number;
  readonly im: number;
}

export const C_NAN: Complex = { re: Number.NaN, im: Number.NaN };

export function cx(re: number, im = 0): Complex {
  return { re, im };
}

export function cIsReal(a: Complex, tol = 1e-12): boolean {
  return Math.abs(a.im) <= tol * Math.max(1, Math.abs(a.re));
}

export function cIsFinite(a: Complex): boolean {
  return Number.isFinite(a.re) && Number.isFinite(a.im);
}

export function cAdd(a: Complex, b: Complex): Complex {
  return { re: a.re + b.re, im: a.im + b.im };
}

export function cSub(a: Complex, b: Complex): Complex {
  return { re: a.re - b.re, im: a.im - b.im };
}

export function cNeg(a: Complex): Complex {
  return { re: -a.re, im: -a.im };
}

export function cMul(a: Complex, b: Complex): Complex {
  if (a.im === 0 && b.im === 0) return { re: a.re * b.re, im: 0 };
  return { re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re };
}

export function cDiv(a: Complex, b: Complex): Complex {
  if (a.im === 0 && b.im === 0) return { re: a.re / b.re, im: 0 };
  const den = b.re * b.re + b.im * b.im;
  if (den === 0) return C_NAN;
  return { re: (a.re * b.re + a.im * b.im) / den, im: (a.im * b.re - a.re * b.im) / den };
}

export function cAbs(a: Complex): number {
  return Math.hypot(a.re, a.im);
}

export function cExp(a: Complex): Complex {
  const m = Math.exp(a.re);
  if (a.im === 0) return { re: m, im: 0 };
  return { re: m * Math.cos(a.im), im: m * Math.sin(a.im) };
}

export function cLog(a: Complex): Complex {
  if (a.im === 0 && a.re > 0) return { re: Math.log(a.re), im: 0 };
  return { re: Math.log(cAbs(a)), im: Math.atan2(a.im, a.re) };
}

export function cPow(a: Complex, b: Complex): Complex {
  if (b.im === 0 && Number.isInteger(b.re) && Math.abs(b.re) <= 64) {
    let e = Math.abs(b.re);
    let result: Complex = { re: 1, im: 0 };
    let base = a;
    while (e > 0) {
      if (e & 1) result = cMul(result, base);
      base = cMul(base, base);
      e >>= 1;
    }
    return b.re < 0 ? cDiv({ re: 1, im: 0 }, result) : result;
  }
  if (a.im === 0 && b.im === 0 && a.re >= 0) return { re: a.re ** b.re, im: 0 };
  if (a.im === 0 && b.im === 0 && a.re < 0 && Number.isFinite(b.re)) {
    // Real odd roots of negatives: (-8)^(1/3) = -2, as a reader of a math answer means it.
    const inv = 1 / b.re;
    if (Number.isInteger(Math.round(inv)) && Math.abs(inv - Math.round(inv)) < 1e-12 && Math.round(inv) % 2 !== 0) {
      return { re: -((-a.re) ** b.re), im: 0 };
    }
  }
  if (a.re === 0 && a.im === 0) return b.re > 0 ? { re: 0, im: 0 } : C_NAN;
  return cExp(cMul(b, cLog(a)));
}

export function cSqrt(a: Complex): Complex {
  if (a.im === 0) return a.re >= 0 ? { re: Math.sqrt(a.re), im: 0 } : { re: 0, im: Math.sqrt(-a.re) };
  const m = cAbs(a);
  const re = Math.sqrt((m + a.re) / 2);
  const im = Math.sign(a.im) * Math.sqrt((m - a.re) / 2);
  return { re, im };
}

/** Applies a real function to a (numerically) real argument; complex arguments give NaN. */
export function cReal(a: Complex, f: (x: number) => number): Complex {
  if (!cIsReal(a, 1e-12)) return C_NAN;
  return { re: f(a.re), im: 0 };
}

export function cSin(a: Complex): Complex {
  if (a.im === 0) return { re: Math.sin(a.re), im: 0 };
  return { re: Math.sin(a.re) * Math.cosh(a.im), im: Math.cos(a.re) * Math.sinh(a.im) };
}

export function cCos(a: Complex): Complex {
  if (a.im === 0) return { re: Math.cos(a.re), im: 0 };
  return { re: Math.cos(a.re) * Math.cosh(a.im), im: -Math.sin(a.re) * Math.sinh(a.im) };
}
