/**
 * The parsed form of a math answer. One tree type serves numbers, expressions, relations and the
 * answer-level structures (sets, intervals, tuples, matrices, text), so comparison can be written as one
 * exhaustive switch. Deliberately not here: evaluation (evaluate.ts) and comparison (compare.ts).
 */
import type { Rational } from './rational';

export type RelOp = '=' | '<' | '≤' | '>' | '≥' | '≠' | '≈' | '∈';

export type Node =
  /** A literal number; `value` is exact when the literal fits the bounds. `isFloat` marks decimal literals. */
  | { kind: 'num'; text: string; value: Rational | null; isFloat: boolean }
  /** A variable (`x`, `a_1`, `\alpha`) or a named constant (`pi`, `e`, `i`, `inf`). */
  | { kind: 'sym'; name: string }
  | { kind: 'add'; terms: Node[] }
  | { kind: 'mul'; factors: Node[] }
  | { kind: 'neg'; arg: Node }
  | { kind: 'div'; num: Node; den: Node }
  | { kind: 'pow'; base: Node; exp: Node }
  /** A known function (`sqrt`, `sin`, `log`, `abs`, `root`, …) or an unknown one such as `f(x)`. */
  | { kind: 'call'; fn: string; args: Node[] }
  /** `a ± b` (`sign` 1) or `a ∓ b` (`sign` -1); `a` is null for a leading `±b`. */
  | { kind: 'pm'; a: Node | null; b: Node; sign: 1 | -1 }
  /** `x %`, i.e. x/100, kept distinct so a gold `28\%` can also accept a predicted `28`. */
  | { kind: 'percent'; arg: Node }
  /** `(a, b, …)` / `[a, b)` …: a tuple, or an interval when it has two items. */
  | { kind: 'tuple'; items: Node[]; open: '(' | '['; close: ')' | ']' }
  /** `{a, b}` or a bare top-level list `a, b` (answers listed without brackets count as a set). */
  | { kind: 'set'; items: Node[] }
  | { kind: 'union'; items: Node[] }
  | { kind: 'matrix'; rows: Node[][] }
  /** A relation chain `parts[0] ops[0] parts[1] ops[1] …`. */
  | { kind: 'rel'; ops: RelOp[]; parts: Node[] }
  /** Free text (`\text{Evelyn}`, a multiple-choice letter). */
  | { kind: 'text'; text: string }
  /** An expression we can only compare structurally (sums with symbolic bounds, integrals, …). */
  | { kind: 'opaque'; name: string; args: Node[] };

export type NodeKind = Node['kind'];

export function num(text: string, value: Rational | null, isFloat: boolean): Node {
  return { kind: 'num', text, value, isFloat };
}

export function sym(name: string): Node {
  return { kind: 'sym', name };
}

/** True for nodes that denote a single (possibly symbolic) number rather than a structure. */
export function isScalar(n: Node): boolean {
  switch (n.kind) {
    case 'num':
    case 'sym':
    case 'add':
    case 'mul':
    case 'neg':
    case 'div':
    case 'pow':
    case 'call':
    case 'pm':
    case 'percent':
    case 'opaque':
      return true;
    case 'tuple':
    case 'set':
    case 'union':
    case 'matrix':
    case 'rel':
    case 'text':
      return false;
    default: {
      const never: never = n;
      return never;
    }
  }
}

/** Children of a node, for generic walks (symbol collection, size limits, canonical strings). */
export function children(n: Node): Node[] {
  switch (n.kind) {
    case 'num':
    case 'sym':
    case 'text':
      return [];
    case 'add':
      return n.terms;
    case 'mul':
      return n.factors;
    case 'neg':
      return [n.arg];
    case 'div':
      return [n.num, n.den];
    case 'pow':
      return [n.base, n.exp];
    case 'call':
      return n.args;
    case 'pm':
      return n.a ? [n.a, n.b] : [n.b];
    case 'percent':
      return [n.arg];
    case 'tuple':
    case 'set':
    case 'union':
      return n.items;
    case 'matrix':
      return n.rows.flat();
    case 'rel':
      return n.parts;
    case 'opaque':
      return n.args;
    default: {
      const never: never = n;
      return never;
    }
  }
}

/** Does any node in the tree satisfy `pred`? Iterative, so deep trees cannot overflow the stack. */
export function someNode(root: Node, pred: (n: Node) => boolean): boolean {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const n = stack.pop() as Node;
    if (pred(n)) return true;
    pushChildren(stack, n);
  }
  return false;
}

/** Indexed loops here and in other hot walks: a for-of allocates an iterator result per step until optimised. */
function pushAll(stack: Node[], nodes: readonly Node[]): void {
  for (let k = 0; k < nodes.length; k++) stack.push(nodes[k] as Node);
}

/** `stack.push(...children(n))` without building the children array (walks are hot in comparison). */
function pushChildren(stack: Node[], n: Node): void {
  switch (n.kind) {
    case 'num':
    case 'sym':
    case 'text':
      return;
    case 'add':
      pushAll(stack, n.terms);
      return;
    case 'mul':
      pushAll(stack, n.factors);
      return;
    case 'neg':
    case 'percent':
      stack.push(n.arg);
      return;
    case 'div':
      stack.push(n.num, n.den);
      return;
    case 'pow':
      stack.push(n.base, n.exp);
      return;
    case 'call':
    case 'opaque':
      pushAll(stack, n.args);
      return;
    case 'pm':
      if (n.a) stack.push(n.a);
      stack.push(n.b);
      return;
    case 'tuple':
    case 'set':
    case 'union':
      pushAll(stack, n.items);
      return;
    case 'matrix':
      for (let k = 0; k < n.rows.length; k++) pushAll(stack, n.rows[k] as Node[]);
      return;
    case 'rel':
      pushAll(stack, n.parts);
      return;
    default:
      n satisfies never;
  }
}

export const CONSTANTS: ReadonlySet<string> = new Set(['pi', 'e', 'i', 'inf']);

/** Free variables (everything that is a `sym` but not a named constant). */
export function freeSymbols(root: Node): Set<string> {
  const out = new Set<string>();
  someNode(root, (n) => {
    if (n.kind === 'sym' && !CONSTANTS.has(n.name)) out.add(n.name);
    return false;
  });
  return out;
}

/** `freeSymbols(root).size > 0`, without building the set. */
export function hasFreeSymbols(root: Node): boolean {
  return someNode(root, (n) => n.kind === 'sym' && !CONSTANTS.has(n.name));
}

export function containsFloat(root: Node): boolean {
  return someNode(root, (n) => n.kind === 'num' && n.isFloat);
}

export function containsPercent(root: Node): boolean {
  return someNode(root, (n) => n.kind === 'percent');
}
