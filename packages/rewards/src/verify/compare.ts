/**
 * Gold-guided equality of two parsed answers (asymmetric, like Math-Verify's `verify(gold, pred)`).
 * Dispatches on the gold answer's shape: relation, set, tuple/interval, union, matrix, text or scalar.
 * Rules worth knowing:
 * - Assignments: gold `x = 3` accepts `3`, but only when the left side is "a name" (a variable,
 *   `f(x)`, `|AB|`, `A:B`, a tuple of names); gold `a + 3z = 0` does not accept `0`. A predicted
 *   equation against a plain gold value is judged by its right-hand side.
 * - Sets ignore order and duplicates; tuples and intervals are ordered and intervals must agree on
 *   open/closed ends; `±` expands to a set of two values.
 * - An inequality gold accepts an equivalent interval; the reverse needs `allowSetRelationComp`.
 * - Percentages: `28\%` accepts both 0.28 and 28.
 * Deliberately not here: extraction and parsing.
 */
import { containsPercent, hasFreeSymbols, isScalar, type Node } from './ast';
import { isInequality, relationMatchesSet, relationsEqual } from './relation';
import { containsPm, expandPm, mapChildren, type ScalarOptions, scalarEqual } from './scalar-equal';

export interface CompareOptions extends ScalarOptions {
  /** Allow a gold set/interval to match a predicted inequality (gold inequalities always match sets). */
  allowSetRelationComp: boolean;
}

type Rel = Extract<Node, { kind: 'rel' }>;

const MAX_ITEMS = 64;

/** The left side "names" something, so `lhs = value` can be read as just `value`. */
function isNameLike(n: Node): boolean {
  if (!hasFreeSymbols(n)) return false;
  switch (n.kind) {
    case 'add':
    case 'pm':
    case 'num':
      return false;
    case 'neg':
      return isNameLike(n.arg);
    default:
      return true;
  }
}

/** For `… = value` / `x ∈ S`: the value, when the relation is an assignment. */
function assignedValue(r: Rel, requireName: boolean): Node | null {
  const op = r.ops[r.ops.length - 1];
  if (op !== '=' && op !== '∈') return null;
  if (requireName && !isNameLike(r.parts[r.parts.length - 2] as Node)) return null;
  return r.parts[r.parts.length - 1] as Node;
}

function stripPercent(n: Node): Node {
  if (n.kind === 'percent') return n.arg;
  return mapChildren(n, stripPercent);
}

function letters(n: Node): string | null {
  if (n.kind === 'sym') return n.name;
  if (n.kind === 'mul') {
    const parts = n.factors.map(letters);
    return parts.every((x) => x !== null) ? parts.join('') : null;
  }
  if (n.kind === 'text') return n.text;
  return null;
}

export function normaliseText(s: string): string {
  return s
    .toLowerCase()
    .replace(/\\text\{|\\mathrm\{|[{}()\s.$\\]/g, '')
    .replace(/^(?:option|choice)/, '');
}

/** Matrix arithmetic on literal matrices (`A + B`, `A B`, `2A`), so sums of matrices compare by value. */
function reduceMatrix(n: Node): Node {
  if (n.kind === 'add') {
    // Reduced term by term, stopping at the first that is not a matrix (reduction is pure, so stopping early
    // gives the same answer as reducing every term first).
    const ms: Extract<Node, { kind: 'matrix' }>[] = [];
    for (const t of n.terms) {
      const r = reduceMatrix(t);
      if (r.kind !== 'matrix') return n;
      ms.push(r);
    }
    const first = ms[0] as Extract<Node, { kind: 'matrix' }>;
    if (!ms.every((m) => m.rows.length === first.rows.length && m.rows[0]?.length === first.rows[0]?.length)) return n;
    return {
      kind: 'matrix',
      rows: first.rows.map((r, i) =>
        r.map((_, j) => ({ kind: 'add', terms: ms.map((m) => (m.rows[i] as Node[])[j] as Node) })),
      ),
    };
  }
  if (n.kind === 'neg') {
    const a = reduceMatrix(n.arg);
    return a.kind === 'matrix'
      ? { kind: 'matrix', rows: a.rows.map((r) => r.map((x) => ({ kind: 'neg', arg: x }))) }
      : n;
  }
  if (n.kind === 'mul') {
    let acc: Node | null = null;
    for (const raw of n.factors) {
      const f = reduceMatrix(raw);
      if (acc === null) acc = f;
      else if (acc.kind === 'matrix' && f.kind === 'matrix') {
        const a: Extract<Node, { kind: 'matrix' }> = acc;
        const inner = a.rows[0]?.length ?? 0;
        if (inner !== f.rows.length || inner > 16) return n;
        acc = {
          kind: 'matrix',
          rows: a.rows.map((row) =>
            (f.rows[0] as Node[]).map(
              (_, j) =>
                ({
                  kind: 'add',
                  terms: row.map((x, k) => ({ kind: 'mul', factors: [x, (f.rows[k] as Node[])[j] as Node] })),
                }) as Node,
            ),
          ),
        };
      } else if (acc.kind === 'matrix' && isScalar(f))
        acc = { kind: 'matrix', rows: acc.rows.map((r) => r.map((x) => ({ kind: 'mul', factors: [x, f] }) as Node)) };
      else if (f.kind === 'matrix' && isScalar(acc)) {
        const s: Node = acc;
        acc = { kind: 'matrix', rows: f.rows.map((r) => r.map((x) => ({ kind: 'mul', factors: [s, x] }) as Node)) };
      } else if (acc.kind === 'matrix' || f.kind === 'matrix') return n;
      else return n;
    }
    return acc ?? n;
  }
  return n;
}

/** Elements of a set-like node; scalars with `±` count as the set of their expansions. */
function asItems(n: Node): Node[] | null {
  if (n.kind === 'set') return n.items.flatMap((x) => (isScalar(x) && containsPm(x) ? expandPm(x) : [x]));
  if (isScalar(n) && containsPm(n)) return expandPm(n);
  return null;
}

function dedupe(items: Node[], o: CompareOptions): Node[] {
  const out: Node[] = [];
  for (const x of items.slice(0, MAX_ITEMS)) if (!out.some((y) => answersEqual(y, x, o))) out.push(x);
  return out;
}

function setsEqual(g: Node[], p: Node[], o: CompareOptions): boolean {
  if (g.length > MAX_ITEMS || p.length > MAX_ITEMS) return false;
  const gu = dedupe(g, o);
  const pu = dedupe(p, o);
  if (gu.length !== pu.length) return false;
  const used = new Set<number>();
  return gu.every((x) => {
    const k = pu.findIndex((y, idx) => !used.has(idx) && answersEqual(x, y, o));
    if (k < 0) return false;
    used.add(k);
    return true;
  });
}

function orderedEqual(g: Node[], p: Node[], o: CompareOptions): boolean {
  return g.length === p.length && g.every((x, k) => answersEqual(x, p[k] as Node, o));
}

function tupleEqual(g: Extract<Node, { kind: 'tuple' }>, p: Node, o: CompareOptions): boolean {
  if (p.kind === 'tuple') {
    if (g.items.length === 2 && (g.open !== p.open || g.close !== p.close)) return false;
    return orderedEqual(g.items, p.items, o);
  }
  if (p.kind === 'set') return orderedEqual(g.items, p.items, o);
  if (p.kind === 'matrix') {
    const flat = p.rows.length === 1 || p.rows.every((r) => r.length === 1) ? p.rows.flat() : null;
    return flat !== null && orderedEqual(g.items, flat, o);
  }
  return false;
}

function matrixEqual(g: Extract<Node, { kind: 'matrix' }>, p: Node, o: CompareOptions): boolean {
  if (p.kind === 'matrix') {
    if (g.rows.length !== p.rows.length) return false;
    return g.rows.every((r, i) => orderedEqual(r, p.rows[i] as Node[], o));
  }
  if (p.kind === 'tuple') {
    const flat = g.rows.length === 1 || g.rows.every((r) => r.length === 1) ? g.rows.flat() : null;
    return flat !== null && orderedEqual(flat, p.items, o);
  }
  return false;
}

function relationEqual(g: Rel, p: Node, o: CompareOptions): boolean {
  if (p.kind === 'rel') {
    const gv = assignedValue(g, true);
    const pv = assignedValue(p, true);
    if (gv !== null && pv !== null && g.parts.length === 2 && p.parts.length === 2) {
      if (answersEqual(g.parts[0] as Node, p.parts[0] as Node, o) && answersEqual(gv, pv, o)) return true;
    }
    if (g.ops.includes('∈') || p.ops.includes('∈')) {
      if (gv !== null && pv !== null) return answersEqual(gv, pv, o);
      // Gold inequality vs `x ∈ S` always; gold `x ∈ S` vs an inequality only when allowed.
      if (pv !== null && isInequality(g)) return relationMatchesSet(g, pv, o);
      if (gv !== null && isInequality(p) && o.allowSetRelationComp) return relationMatchesSet(p, gv, o);
      return false;
    }
    if (!g.parts.every(isScalar) || !p.parts.every(isScalar)) return false;
    return relationsEqual(g, p, o);
  }
  const gv = assignedValue(g, true);
  if (gv !== null) return answersEqual(gv, p, o);
  if (isInequality(g)) return relationMatchesSet(g, p, o);
  return false;
}

/** Gold-guided equality of two parsed answers. */
export function answersEqual(gold: Node, pred: Node, o: CompareOptions): boolean {
  const g = reduceMatrix(gold);
  const p = reduceMatrix(pred);
  if (g.kind !== 'rel' && p.kind === 'rel') {
    const pv = assignedValue(p, false);
    if (pv !== null) return answersEqual(g, pv, o);
    if (o.allowSetRelationComp && isInequality(p)) return relationMatchesSet(p, g, o);
    return false;
  }
  const gItems = asItems(g);
  if (gItems !== null) {
    const pItems = asItems(p);
    if (pItems !== null) return setsEqual(gItems, pItems, o);
    if (p.kind === 'tuple' && g.kind === 'set') return orderedEqual(gItems, p.items, o);
    const unique = dedupe(gItems, o);
    return unique.length === 1 && answersEqual(unique[0] as Node, p, o);
  }
  switch (g.kind) {
    case 'rel':
      return relationEqual(g, p, o);
    case 'tuple':
      return tupleEqual(g, p, o);
    case 'union':
      return p.kind === 'union' && setsEqual(g.items, p.items, o);
    case 'matrix':
      return matrixEqual(g, p, o);
    case 'text': {
      const pl = letters(p);
      return pl !== null && normaliseText(g.text) === normaliseText(pl);
    }
    case 'set':
      return false; // handled above through asItems
    default: {
      if (p.kind === 'text') {
        const gl = letters(g);
        return gl !== null && normaliseText(gl) === normaliseText(p.text);
      }
      const pItems = asItems(p);
      if (pItems !== null) {
        const unique = dedupe(pItems, o);
        return unique.length === 1 && answersEqual(g, unique[0] as Node, o);
      }
      if (!isScalar(p)) return false;
      if (scalarEqual(g, p, o)) return true;
      const gp = containsPercent(g);
      const pp = containsPercent(p);
      if (gp && scalarEqual(stripPercent(g), p, o)) return true;
      if (pp && scalarEqual(g, stripPercent(p), o)) return true;
      return false;
    }
  }
}
