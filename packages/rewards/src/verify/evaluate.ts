/**
 * Evaluation of scalar answer trees: exactly, as BigInt rationals, where the value is rational and small
 * enough; otherwise numerically, in complex doubles, with free variables bound to given values.
 * Every step costs O(1) (powers included: exact powers are refused up front when too large, float powers
 * are a single `**`), so evaluation is linear in the tree size and cannot hang.
 * Deliberately not here: deciding what "equal" means (compare.ts).
 */
import type { Node } from './ast';
import {
  C_NAN,
  type Complex,
  cAbs,
  cAdd,
  cCos,
  cDiv,
  cExp,
  cIsReal,
  cLog,
  cMul,
  cNeg,
  cPow,
  cReal,
  cSin,
  cSqrt,
  cSub,
  cx,
} from './complex';
import {
  type Rational,
  ratAdd,
  ratDiv,
  ratFromInt,
  ratIsInt,
  ratMul,
  ratNeg,
  ratPowInt,
  ratRoot,
  ratToNumber,
} from './rational';

export interface EvalBounds {
  /** Largest numerator/denominator (decimal digits) exact arithmetic may produce. */
  maxDigits: number;
  /** Largest integer exponent exact arithmetic will expand. */
  maxExponent: number;
}

const HUNDRED: Rational = { n: 100n, d: 1n };

/** Exact rational value, or null when the node is not a (small enough) rational number. */
export function exactValue(n: Node, b: EvalBounds): Rational | null {
  switch (n.kind) {
    case 'num':
      return n.value;
    case 'neg': {
      const a = exactValue(n.arg, b);
      return a === null ? null : ratNeg(a);
    }
    case 'add': {
      let acc: Rational | null = ratFromInt(0n);
      for (const t of n.terms) {
        const v = exactValue(t, b);
        if (v === null || acc === null) return null;
        acc = ratAdd(acc, v, b.maxDigits);
      }
      return acc;
    }
    case 'mul': {
      let acc: Rational | null = ratFromInt(1n);
      for (const f of n.factors) {
        const v = exactValue(f, b);
        if (v === null || acc === null) return null;
        acc = ratMul(acc, v, b.maxDigits);
      }
      return acc;
    }
    case 'div': {
      const x = exactValue(n.num, b);
      const y = exactValue(n.den, b);
      return x === null || y === null ? null : ratDiv(x, y, b.maxDigits);
    }
    case 'percent': {
      const x = exactValue(n.arg, b);
      return x === null ? null : ratDiv(x, HUNDRED, b.maxDigits);
    }
    case 'pow': {
      const base = exactValue(n.base, b);
      // 1^anything = 1 even when the exponent is a tower too large to evaluate.
      if (base !== null && base.n === 1n && base.d === 1n) return base;
      const e = exactValue(n.exp, b);
      if (base === null || e === null) return null;
      if (ratIsInt(e)) return ratPowInt(base, e.n, b.maxDigits, b.maxExponent);
      // x^(p/q) is rational only when x is a perfect q-th power.
      if (e.d <= 64n) {
        const root = ratRoot(base, Number(e.d));
        return root === null ? null : ratPowInt(root, e.n, b.maxDigits, b.maxExponent);
      }
      return null;
    }
    case 'call': {
      if (n.fn === 'sqrt' && n.args.length === 1) {
        const x = exactValue(n.args[0] as Node, b);
        return x === null ? null : ratRoot(x, 2);
      }
      if (n.fn === 'root' && n.args.length === 2) {
        const x = exactValue(n.args[0] as Node, b);
        const k = exactValue(n.args[1] as Node, b);
        if (x === null || k === null || !ratIsInt(k) || k.n < 1n || k.n > 64n) return null;
        return ratRoot(x, Number(k.n));
      }
      return null;
    }
    default:
      return null;
  }
}

/** A smooth, deterministic stand-in for an unknown function `f`, so `f(x)` equals `f(x)` and not `f(y)`. */
function unknownFunction(name: string, args: Complex[]): Complex {
  let h = 0;
  for (let k = 0; k < name.length; k++) h = (h * 31 + name.charCodeAt(k)) % 1009;
  let acc: Complex = cx(0.1 + h / 1009);
  args.forEach((a, k) => {
    acc = cAdd(acc, cMul(cx(0.7 + k * 0.31), cSin(cAdd(cMul(a, cx(1.3 + h / 997)), cx(k)))));
    acc = cAdd(acc, cMul(a, cx(0.37 + h / 2003)));
  });
  return acc;
}

function factorial(x: number): number {
  if (!Number.isInteger(x) || x < 0) return Number.NaN;
  if (x > 170) return Number.POSITIVE_INFINITY;
  let r = 1;
  for (let k = 2; k <= x; k++) r *= k;
  return r;
}

function binom(n: number, k: number): number {
  if (!Number.isInteger(k) || k < 0) return Number.NaN;
  if (k > 1000) return Number.NaN;
  let r = 1;
  for (let j = 0; j < k; j++) r = (r * (n - j)) / (j + 1);
  return r;
}

function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  if (!Number.isInteger(x) || !Number.isInteger(y)) return Number.NaN;
  for (let guard = 0; y !== 0 && guard < 2000; guard++) [x, y] = [y, x % y];
  return x;
}

const REAL_FNS: Record<string, (x: number) => number> = {
  tan: Math.tan,
  sec: (x) => 1 / Math.cos(x),
  csc: (x) => 1 / Math.sin(x),
  cot: (x) => Math.cos(x) / Math.sin(x),
  arcsin: Math.asin,
  arccos: Math.acos,
  arctan: Math.atan,
  arcsec: (x) => Math.acos(1 / x),
  arccsc: (x) => Math.asin(1 / x),
  arccot: (x) => Math.atan(1 / x),
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  coth: (x) => 1 / Math.tanh(x),
  floor: Math.floor,
  ceil: Math.ceil,
  sgn: Math.sign,
  log10: Math.log10,
  cbrt: Math.cbrt,
  factorial,
};

function callValue(fn: string, args: Complex[]): Complex {
  const a = args[0] ?? C_NAN;
  if (fn.startsWith('f:')) return unknownFunction(fn, args);
  switch (fn) {
    case 'sqrt':
      return cSqrt(a);
    case 'root':
      return cPow(a, cDiv(cx(1), args[1] ?? C_NAN));
    case 'sin':
      return cSin(a);
    case 'cos':
      return cCos(a);
    case 'exp':
      return cExp(a);
    case 'ln':
      return cLog(a);
    case 'log':
      return args.length === 2 ? cDiv(cLog(a), cLog(args[1] as Complex)) : cLog(a);
    case 'abs':
      return cx(cAbs(a));
    case 'binom':
      return cIsReal(a) && cIsReal(args[1] ?? C_NAN) ? cx(binom(a.re, (args[1] as Complex).re)) : C_NAN;
    case 'max':
    case 'min':
      if (!args.every((x) => cIsReal(x))) return C_NAN;
      return cx(fn === 'max' ? Math.max(...args.map((x) => x.re)) : Math.min(...args.map((x) => x.re)));
    case 'gcd':
    case 'lcm': {
      if (!args.every((x) => cIsReal(x)) || args.length < 2) return C_NAN;
      let acc = (args[0] as Complex).re;
      for (const x of args.slice(1)) acc = fn === 'gcd' ? gcd(acc, x.re) : Math.abs(acc * x.re) / gcd(acc, x.re);
      return cx(acc);
    }
    default: {
      const f = REAL_FNS[fn];
      return f === undefined || args.length !== 1 ? C_NAN : cReal(a, f);
    }
  }
}

/** An environment binding no variable (numericValue only reads its environment, so one can be shared). */
export const NO_VARIABLES: ReadonlyMap<string, Complex> = new Map();

/** Numeric value with variables bound by `env` (unbound variables give NaN). */
export function numericValue(n: Node, env: ReadonlyMap<string, Complex>, b: EvalBounds): Complex {
  switch (n.kind) {
    case 'num':
      return cx(n.value !== null ? ratToNumber(n.value) : Number(n.text));
    case 'sym':
      if (n.name === 'pi') return cx(Math.PI);
      if (n.name === 'e') return cx(Math.E);
      if (n.name === 'i') return cx(0, 1);
      if (n.name === 'inf') return cx(Number.POSITIVE_INFINITY);
      return env.get(n.name) ?? C_NAN;
    case 'neg':
      return cNeg(numericValue(n.arg, env, b));
    // Sums and products accumulate in locals: the same operations in the same order as folding with cAdd from
    // cx(0) / cMul from cx(1), without a new object per term.
    case 'add': {
      let re = 0;
      let im = 0;
      for (let k = 0; k < n.terms.length; k++) {
        const v = numericValue(n.terms[k] as Node, env, b);
        re += v.re;
        im += v.im;
      }
      return { re, im };
    }
    case 'mul': {
      let re = 1;
      let im = 0;
      for (let k = 0; k < n.factors.length; k++) {
        const v = numericValue(n.factors[k] as Node, env, b);
        if (im === 0 && v.im === 0) {
          re *= v.re;
          im = 0;
        } else {
          const r = re * v.re - im * v.im;
          im = re * v.im + im * v.re;
          re = r;
        }
      }
      return { re, im };
    }
    case 'div': {
      const d = numericValue(n.den, env, b);
      // Division by an exact zero is undefined, not infinite (so "12:00" never equals "1:00").
      if (d.re === 0 && d.im === 0) return C_NAN;
      return cDiv(numericValue(n.num, env, b), d);
    }
    case 'pow':
      return cPow(numericValue(n.base, env, b), numericValue(n.exp, env, b));
    case 'percent':
      return cDiv(numericValue(n.arg, env, b), cx(100));
    case 'call':
      return callValue(
        n.fn,
        n.args.map((a) => numericValue(a, env, b)),
      );
    case 'pm':
    case 'opaque':
    case 'tuple':
    case 'set':
    case 'union':
    case 'matrix':
    case 'rel':
    case 'text':
      return C_NAN;
    default: {
      const never: never = n;
      return never;
    }
  }
}

export function sub(a: Node, b: Node): Node {
  return { kind: 'add', terms: [a, { kind: 'neg', arg: b }] };
}

export { cSub };
