/**
 * Relations: equations and inequalities, chains, and relation-versus-set comparison.
 * - Two equations are equal when `lhs − rhs` of one is a nonzero constant multiple of the other's
 *   (`2x+4y-3=0` ≡ `y = -x/2 + 3/4`), tested at seeded random points.
 * - Two inequalities are equal when, after moving everything to one side (`L < R` → `L − R < 0`), the
 *   sides are positive multiples of each other with the same strictness, so flipped forms
 *   (`5 ≥ x` ≡ `x ≤ 5`, `-x > -1` ≡ `x < 1`) match.
 * - A relation in one variable equals a set/interval when membership agrees at every endpoint, just
 *   inside and outside each endpoint, and between them (`1 ≤ |z| ≤ 3/2` ≡ `[-3/2,-1] ∪ [1,3/2]`).
 * Deliberately not here: the dispatch between structures (compare.ts).
 */
import { freeSymbols, type Node, type RelOp } from './ast';
import { type Complex, cIsFinite, cx } from './complex';
import { NO_VARIABLES, numericValue, sub } from './evaluate';
import { atRandomPoints, type ScalarOptions } from './scalar-equal';

interface Link {
  /** The relation holds when `d` (op) 0. */
  d: Node;
  kind: 'lt' | 'le' | 'ne' | 'eq';
}

function linkOf(a: Node, op: RelOp, b: Node): Link | null {
  switch (op) {
    case '<':
      return { d: sub(a, b), kind: 'lt' };
    case '≤':
      return { d: sub(a, b), kind: 'le' };
    case '>':
      return { d: sub(b, a), kind: 'lt' };
    case '≥':
      return { d: sub(b, a), kind: 'le' };
    case '≠':
      return { d: sub(a, b), kind: 'ne' };
    case '=':
    case '≈':
      return { d: sub(a, b), kind: 'eq' };
    case '∈':
      return null;
    default: {
      const never: never = op;
      return never;
    }
  }
}

export function links(r: Extract<Node, { kind: 'rel' }>): Link[] | null {
  const out: Link[] = [];
  for (let k = 0; k < r.ops.length; k++) {
    const l = linkOf(r.parts[k] as Node, r.ops[k] as RelOp, r.parts[k + 1] as Node);
    if (l === null) return null;
    out.push(l);
  }
  return out;
}

/** Is `gd` a constant multiple of `pd` (positive when `positive`), checked at random points? */
function proportional(gd: Node, pd: Node, positive: boolean, o: ScalarOptions): boolean {
  const vars = [...new Set([...freeSymbols(gd), ...freeSymbols(pd)])];
  const ratios = atRandomPoints(vars, o, (env) => {
    const a = numericValue(gd, env, o);
    const b = numericValue(pd, env, o);
    if (!cIsFinite(a) || !cIsFinite(b) || Math.abs(a.im) > 1e-12 || Math.abs(b.im) > 1e-12) return null;
    return { a: a.re, b: b.re };
  });
  if (ratios.length < 2) return false;
  if (ratios.every((r) => r.a === 0 && r.b === 0)) return true;
  const first = ratios.find((r) => r.b !== 0);
  if (first === undefined) return false;
  const k = first.a / first.b;
  if (k === 0 || !Number.isFinite(k) || (positive && k < 0)) return false;
  return ratios.every((r) => Math.abs(r.a - k * r.b) <= 1e-8 * Math.max(Math.abs(r.a), Math.abs(k * r.b), 1e-12));
}

function linkEqual(g: Link, p: Link, o: ScalarOptions): boolean {
  if (g.kind !== p.kind) return false;
  return proportional(g.d, p.d, g.kind === 'lt' || g.kind === 'le', o);
}

/** Chains match when their links match one to one (in any order). */
export function relationsEqual(
  g: Extract<Node, { kind: 'rel' }>,
  p: Extract<Node, { kind: 'rel' }>,
  o: ScalarOptions,
): boolean {
  const gl = links(g);
  const pl = links(p);
  if (gl === null || pl === null || gl.length !== pl.length) return false;
  const used = new Set<number>();
  return gl.every((l) => {
    const k = pl.findIndex((m, idx) => !used.has(idx) && linkEqual(l, m, o));
    if (k < 0) return false;
    used.add(k);
    return true;
  });
}

export function isInequality(r: Extract<Node, { kind: 'rel' }>): boolean {
  return r.ops.every((op) => op === '<' || op === '≤' || op === '>' || op === '≥');
}

/** A membership test for a set-like node over the reals, plus its finite endpoints. */
interface RealSet {
  has: (t: number) => boolean;
  points: number[];
}

function realValue(n: Node, o: ScalarOptions): number | null {
  const v = numericValue(n, NO_VARIABLES, o);
  if (Math.abs(v.im) > 1e-12 || Number.isNaN(v.re)) return null;
  return v.re;
}

/** Sets over the reals: intervals `(a, b]`, unions of them, and finite sets of numbers. */
export function asRealSet(n: Node, o: ScalarOptions): RealSet | null {
  if (n.kind === 'tuple' && n.items.length === 2) {
    const lo = realValue(n.items[0] as Node, o);
    const hi = realValue(n.items[1] as Node, o);
    if (lo === null || hi === null || !(lo <= hi)) return null;
    const lc = n.open === '[';
    const rc = n.close === ']';
    const eps = 1e-9 * Math.max(1, Math.abs(lo), Math.abs(hi));
    return {
      has: (t) => (lc ? t >= lo - eps : t > lo + eps) && (rc ? t <= hi + eps : t < hi - eps),
      points: [lo, hi].filter((x) => Number.isFinite(x)),
    };
  }
  if (n.kind === 'union' || n.kind === 'set') {
    const parts: RealSet[] = [];
    for (const item of n.items) {
      const s = n.kind === 'set' ? asPoint(item, o) : asRealSet(item, o);
      if (s === null) return null;
      parts.push(s);
    }
    return { has: (t) => parts.some((s) => s.has(t)), points: parts.flatMap((s) => s.points) };
  }
  return null;
}

function asPoint(n: Node, o: ScalarOptions): RealSet | null {
  const v = realValue(n, o);
  if (v === null || !Number.isFinite(v)) return null;
  return { has: (t) => Math.abs(t - v) <= 1e-9 * Math.max(1, Math.abs(v)), points: [v] };
}

/** Does an inequality chain in one variable describe the same subset of the reals as `set`? */
export function relationMatchesSet(r: Extract<Node, { kind: 'rel' }>, set: Node, o: ScalarOptions): boolean {
  const ls = links(r);
  if (ls === null || !isInequality(r)) return false;
  const target = asRealSet(set, o);
  if (target === null) return false;
  const vars = [...freeSymbols(r)];
  // `0 < f(x) < 1` against `(0, 1)`: the unknown function itself is the variable.
  const fnCall = r.parts.find((p) => p.kind === 'call' && p.fn.startsWith('f:'));
  if (vars.length !== 1 && fnCall === undefined) return false;
  const v = vars[0] ?? '';
  const env = new Map<string, Complex>();
  const holds = (t: number): boolean => {
    env.set(v, cx(t));
    return ls.every((l) => {
      const d = numericValue(fnCall ? substituteCall(l.d, t) : l.d, env, o);
      if (Number.isNaN(d.re) || Math.abs(d.im) > 1e-9) return false;
      const tol = 1e-9 * Math.max(1, Math.abs(t));
      return l.kind === 'lt' ? d.re < -tol : d.re <= tol;
    });
  };
  const pts = [...new Set(target.points)].sort((a, b) => a - b);
  const probes: number[] = [-1e6, -7.31, 0, 7.31, 1e6];
  pts.forEach((x, k) => {
    const eps = 1e-6 * Math.max(1, Math.abs(x));
    probes.push(x, x - eps, x + eps);
    const next = pts[k + 1];
    if (next !== undefined) probes.push((x + next) / 2);
  });
  if (pts.length > 0) probes.push((pts[0] as number) - 1, (pts[pts.length - 1] as number) + 1);
  return probes.every((t) => holds(t) === target.has(t));
}

function substituteCall(n: Node, t: number): Node {
  if (n.kind === 'call' && n.fn.startsWith('f:')) return { kind: 'num', text: String(t), value: null, isFloat: false };
  switch (n.kind) {
    case 'add':
      return { ...n, terms: n.terms.map((x) => substituteCall(x, t)) };
    case 'neg':
      return { ...n, arg: substituteCall(n.arg, t) };
    case 'mul':
      return { ...n, factors: n.factors.map((x) => substituteCall(x, t)) };
    default:
      return n;
  }
}
