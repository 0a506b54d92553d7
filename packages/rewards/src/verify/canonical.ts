/**
 * A canonical string for a tree: commutative operands sorted, so `F_k F_{n-k-1}` and `F_{n-k-1} F_k`
 * print the same. Used only as the last resort for answers that cannot be evaluated numerically
 * (sums with symbolic bounds, undefined values such as `12:00`).
 */
import type { Node } from './ast';

export function canonical(n: Node): string {
  switch (n.kind) {
    case 'num':
      return n.value !== null ? `${n.value.n}/${n.value.d}` : n.text;
    case 'sym':
      return n.name;
    case 'add':
      return `(+ ${n.terms.map(canonical).sort().join(' ')})`;
    case 'mul':
      return `(* ${n.factors.map(canonical).sort().join(' ')})`;
    case 'neg':
      return `(- ${canonical(n.arg)})`;
    case 'div':
      return `(/ ${canonical(n.num)} ${canonical(n.den)})`;
    case 'pow':
      return `(^ ${canonical(n.base)} ${canonical(n.exp)})`;
    case 'call':
      return `(${n.fn} ${n.args.map(canonical).join(' ')})`;
    case 'pm':
      return `(pm${n.sign} ${n.a ? canonical(n.a) : ''} ${canonical(n.b)})`;
    case 'percent':
      return `(% ${canonical(n.arg)})`;
    case 'tuple':
      return `${n.open}${n.items.map(canonical).join(',')}${n.close}`;
    case 'set':
      return `{${n.items.map(canonical).sort().join(',')}}`;
    case 'union':
      return `(U ${n.items.map(canonical).sort().join(' ')})`;
    case 'matrix':
      return `[${n.rows.map((r) => r.map(canonical).join(',')).join(';')}]`;
    case 'rel':
      return n.parts.map(canonical).reduce((acc, p, k) => `${acc} ${n.ops[k - 1]} ${p}`);
    case 'text':
      return `"${n.text}"`;
    case 'opaque':
      return `(${n.name} ${n.args.map(canonical).join(' ')})`;
    default: {
      const never: never = n;
      return never;
    }
  }
}
