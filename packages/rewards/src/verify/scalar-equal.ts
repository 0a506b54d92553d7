/**
 * Equality of two scalar expressions, the heart of the verifier.
 * - No variables: exact BigInt-rational comparison when both are rational; otherwise complex-double
 *   comparison to ~10 significant digits. When either side was written with a decimal point, both are
 *   rounded to `precision` decimal places first (Math-Verify's `float_rounding`), so 1/3 = 0.333333.
 * - Variables: randomised identity testing — both sides are evaluated at seeded random points and must
 *   agree at every point where both are defined (Schwartz–Zippel style; false positives need an identity
 *   to hold at several random reals by accident).
 * - Neither works (sums with symbolic bounds, undefined values): canonical strings must match.
 * Deliberately not here: structure (sets, tuples, relations); see compare.ts.
 */
import { containsFloat, freeSymbols, hasFreeSymbols, type Node, someNode } from './ast';
import { canonical } from './canonical';
import { type Complex, cIsFinite, cx } from './complex';
import { type EvalBounds, exactValue, NO_VARIABLES, numericValue } from './evaluate';
import { ratEq } from './rational';

export interface ScalarOptions extends EvalBounds {
  /** Decimal places both sides are rounded to when either side contains a decimal literal. */
  precision: number;
  /** When false, variables are matched up by sorted name before comparing (`f(x)` = `f(y)`). */
  strict: boolean;
  /** Seed of the random evaluation points. */
  seed: number;
  /** Number of random points for expressions with variables. */
  points: number;
}

/** mulberry32: tiny seeded PRNG, enough for choosing evaluation points. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function roundTo(x: number, places: number): number {
  const f = 10 ** places;
  const y = x * f;
  if (!Number.isFinite(y) || Math.abs(y) > 2 ** 52) return x;
  // Nudge by a relative epsilon so 2.675 (stored as 2.67499…) rounds the way it is written.
  return Math.round(y + Math.sign(y) * Math.abs(y) * 1e-13) / f;
}

function closeRel(a: number, b: number, tol: number): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b), 1e-300);
}

function roundedEqual(x: number, y: number, precision: number): boolean {
  return roundTo(x, precision) === roundTo(y, precision) || closeRel(x, y, 1e-12);
}

/** Compare two numbers (complex) with the rounding rule when floats are involved. */
export function numbersEqual(a: Complex, b: Complex, floats: boolean, precision: number): boolean {
  if (Number.isNaN(a.re) || Number.isNaN(b.re) || Number.isNaN(a.im) || Number.isNaN(b.im)) return false;
  if (floats) return roundedEqual(a.re, b.re, precision) && roundedEqual(a.im, b.im, precision);
  const scale = Math.max(Math.abs(a.re), Math.abs(a.im), Math.abs(b.re), Math.abs(b.im));
  if (!Number.isFinite(scale)) return a.re === b.re && a.im === b.im;
  const tol = 1e-10 * scale;
  return Math.abs(a.re - b.re) <= tol && Math.abs(a.im - b.im) <= tol;
}

/** Renames `p`'s variables onto `g`'s (both sorted) when their counts agree (non-strict mode). */
function renameVariables(g: Node, p: Node): Node {
  const gv = [...freeSymbols(g)].sort();
  const pv = [...freeSymbols(p)].sort();
  if (gv.length !== pv.length || gv.every((v, k) => v === pv[k])) return p;
  return renamed(p, new Map(pv.map((v, k) => [v, gv[k] as string])));
}

function renamed(n: Node, map: ReadonlyMap<string, string>): Node {
  if (n.kind === 'sym') return map.has(n.name) ? { kind: 'sym', name: map.get(n.name) as string } : n;
  return mapChildren(n, (c) => renamed(c, map));
}

/** Shallow structural map over children (used for renaming). */
export function mapChildren(n: Node, f: (c: Node) => Node): Node {
  switch (n.kind) {
    case 'num':
    case 'sym':
    case 'text':
      return n;
    case 'add':
      return { ...n, terms: n.terms.map(f) };
    case 'mul':
      return { ...n, factors: n.factors.map(f) };
    case 'neg':
      return { ...n, arg: f(n.arg) };
    case 'div':
      return { ...n, num: f(n.num), den: f(n.den) };
    case 'pow':
      return { ...n, base: f(n.base), exp: f(n.exp) };
    case 'call':
      return { ...n, args: n.args.map(f) };
    case 'pm':
      return { ...n, a: n.a ? f(n.a) : null, b: f(n.b) };
    case 'percent':
      return { ...n, arg: f(n.arg) };
    case 'tuple':
    case 'set':
    case 'union':
      return { ...n, items: n.items.map(f) } as Node;
    case 'matrix':
      return { ...n, rows: n.rows.map((r) => r.map(f)) };
    case 'rel':
      return { ...n, parts: n.parts.map(f) };
    case 'opaque':
      return { ...n, args: n.args.map(f) };
    default: {
      const never: never = n;
      return never;
    }
  }
}

/**
 * Evaluates `f(env)` at seeded random points for the given variables. Returns the per-point results,
 * skipping points where `f` returns null (undefined there). `env` is valid only during that call of `f`.
 */
export function atRandomPoints<T>(vars: string[], o: ScalarOptions, f: (env: Map<string, Complex>) => T | null): T[] {
  const rnd = prng(o.seed);
  const out: T[] = [];
  const tries = o.points * 3;
  // One map, every variable rebound at each point (no caller keeps the map beyond its call of `f`).
  const env = new Map<string, Complex>();
  for (let k = 0; k < tries && out.length < o.points; k++) {
    for (const v of vars) env.set(v, cx(0.4 + 2.5 * rnd()));
    const r = f(env);
    if (r !== null) out.push(r);
  }
  return out;
}

/** Scalar equality (see file header). */
export function scalarEqual(gold: Node, pred: Node, o: ScalarOptions): boolean {
  const p = o.strict ? pred : renameVariables(gold, pred);
  const floats = containsFloat(gold) || containsFloat(p);
  if (!hasFreeSymbols(gold) && !hasFreeSymbols(p)) {
    if (!floats) {
      const eg = exactValue(gold, o);
      const ep = exactValue(p, o);
      if (eg !== null && ep !== null) return ratEq(eg, ep);
    }
    const vg = numericValue(gold, NO_VARIABLES, o);
    const vp = numericValue(p, NO_VARIABLES, o);
    if (Number.isNaN(vg.re) || Number.isNaN(vp.re)) return canonical(gold) === canonical(p);
    return numbersEqual(vg, vp, floats, o.precision);
  }
  const symbols = freeSymbols(gold);
  for (const v of freeSymbols(p)) symbols.add(v);
  const results = atRandomPoints([...symbols], o, (env) => {
    const a = numericValue(gold, env, o);
    const b = numericValue(p, env, o);
    if (!cIsFinite(a) || !cIsFinite(b)) return null;
    if (floats) {
      const tol = 10 ** -o.precision;
      const scale = Math.max(1, Math.abs(a.re), Math.abs(b.re));
      return Math.abs(a.re - b.re) <= tol * scale && Math.abs(a.im - b.im) <= tol * scale;
    }
    return numbersEqual(a, b, false, o.precision);
  });
  if (results.length >= 2) return results.every((r) => r);
  return canonical(gold) === canonical(p);
}

/** True when the node contains `±`/`∓` (it then stands for a set of values). */
export function containsPm(n: Node): boolean {
  return someNode(n, (x) => x.kind === 'pm');
}

/** Expands every `±` into both signs (at most 16 variants). */
export function expandPm(n: Node): Node[] {
  if (!containsPm(n)) return [n];
  if (n.kind === 'pm') {
    const out: Node[] = [];
    for (const b of expandPm(n.b)) {
      const plus: Node = n.a === null ? b : { kind: 'add', terms: [n.a, b] };
      const minus: Node =
        n.a === null ? { kind: 'neg', arg: b } : { kind: 'add', terms: [n.a, { kind: 'neg', arg: b }] };
      const [first, second] = n.sign === 1 ? [plus, minus] : [minus, plus];
      for (const x of n.a === null ? [first, second] : [first, second].flatMap((v) => expandPm(v))) out.push(x);
    }
    return out.slice(0, 16);
  }
  // Expand the first child that contains a ±, then recurse.
  let variants: Node[] = [n];
  for (let guard = 0; guard < 4 && variants.some(containsPm); guard++) {
    variants = variants.flatMap((v) => {
      let done = false;
      const choices: Node[][] = [];
      mapChildren(v, (c) => {
        if (!done && containsPm(c)) {
          done = true;
          choices.push(expandPm(c));
        }
        return c;
      });
      const options = choices[0] ?? [];
      return options.map((opt) => {
        let used = false;
        return mapChildren(v, (c) => {
          if (!used && containsPm(c)) {
            used = true;
            return opt;
          }
          return c;
        });
      });
    });
    variants = variants.slice(0, 16);
  }
  return variants;
}
