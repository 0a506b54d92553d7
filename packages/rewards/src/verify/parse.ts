/**
 * Recursive-descent parser from tokens (tokenize.ts) to the answer tree (ast.ts). Handles LaTeX
 * (`\frac \sqrt[n]{} \binom`, functions with and without parentheses, matrices, `\{…\}` sets, intervals,
 * `\cup`, relations and chains, `\pm`) and plain text (`1/2`, `x^2`, `sqrt(3)`), drops units and
 * filler words after a value, and reads `|x|`, `⌊x⌋`, percentages and factorials.
 * Bounded: nesting depth and node count are capped, so hostile input fails fast with a reason.
 * Deliberately not here: extraction from prose (extract.ts) and meaning/equality (evaluate.ts, compare.ts).
 */
import { type Node, num, type RelOp, sym } from './ast';
import { ratFromDecimal } from './rational';
import { type Token, tokenize } from './tokenize';

export interface ParseOptions {
  /** Plain-text number conventions (decimal commas, `1 000`); see tokenize.ts. */
  plain: boolean;
  maxTokens: number;
  maxDepth: number;
  maxDigits: number;
}

export type ParseResult = { ok: true; node: Node } | { ok: false; reason: string };

/**
 * A parse failure: control flow for a candidate that is not an answer, caught in parseMath. Deliberately not an
 * Error: failed candidates are common (every prose candidate before the one that parses) and an Error captures
 * a stack trace at each construction, which made failures a measurable share of verification time.
 */
class ParseFail {
  constructor(readonly message: string) {}
}

const FUNCTIONS = new Set([
  'sin',
  'cos',
  'tan',
  'sec',
  'csc',
  'cot',
  'arcsin',
  'arccos',
  'arctan',
  'arcsec',
  'arccsc',
  'arccot',
  'sinh',
  'cosh',
  'tanh',
  'coth',
  'log',
  'ln',
  'lg',
  'exp',
  'sqrt',
  'max',
  'min',
  'gcd',
  'lcm',
  'det',
  'abs',
  'floor',
  'ceil',
  'sgn',
  'asin',
  'acos',
  'atan',
  'cbrt',
]);
const GREEK = new Set([
  'alpha',
  'beta',
  'gamma',
  'delta',
  'epsilon',
  'varepsilon',
  'zeta',
  'eta',
  'theta',
  'vartheta',
  'iota',
  'kappa',
  'lambda',
  'mu',
  'nu',
  'xi',
  'rho',
  'sigma',
  'tau',
  'upsilon',
  'phi',
  'varphi',
  'chi',
  'psi',
  'omega',
  'Gamma',
  'Delta',
  'Theta',
  'Lambda',
  'Xi',
  'Sigma',
  'Upsilon',
  'Phi',
  'Psi',
  'Omega',
]);
const CONNECTIVES = new Set(['and', 'or', 'und', 'et']);
const PERCENT_WORDS = new Set(['percent', 'pct', 'percentage', 'percents']);
const UNIT_WORDS = new Set([
  'cm',
  'mm',
  'km',
  'kg',
  'mg',
  'ml',
  'ft',
  'yd',
  'mi',
  'hr',
  'hrs',
  'oz',
  'lb',
  'lbs',
  'sec',
  'min',
  'mph',
  'kph',
  'sq',
  'cu',
  'deg',
  'rad',
  'am',
  'pm',
  'th',
  'st',
  'nd',
  'rd',
  'km/h',
]);
/** Single letters read as function names when written `f(…)`. */
const FN_LETTERS = new Set(['f', 'g', 'h', 'p', 'q', 'F', 'G', 'H', 'P', 'Q', 'W']);
const REL_OPS = new Set<string>(['=', '<', '≤', '>', '≥', '≠', '≈', '∈']);
const MATRIX_ENVS = new Set(['pmatrix', 'bmatrix', 'Bmatrix', 'vmatrix', 'Vmatrix', 'matrix', 'smallmatrix', 'array']);

/** List closers (module-level, so parsing allocates no closure per group). */
function isClose(t: Token): boolean {
  return t.t === 'close';
}

function endsCell(t: Token): boolean {
  return t.t === 'amp' || t.t === 'nl' || t.t === 'end';
}

class Parser {
  private pos = 0;
  private depth = 0;
  private absDepth = 0;
  private nodes = 0;
  private readonly maxNodes: number;

  constructor(
    private readonly toks: Token[],
    private readonly opts: ParseOptions,
  ) {
    this.maxNodes = opts.maxTokens * 4;
  }

  private peek(k = 0): Token | undefined {
    return this.toks[this.pos + k];
  }

  private next(): Token {
    const t = this.toks[this.pos++];
    if (t === undefined) throw new ParseFail('unexpected end of answer');
    return t;
  }

  private is(t: string, v?: string, k = 0): boolean {
    const tok = this.peek(k);
    return tok !== undefined && tok.t === t && (v === undefined || tok.v === v);
  }

  private mk<N extends Node>(n: N): N {
    if (++this.nodes > this.maxNodes) throw new ParseFail('answer too large');
    return n;
  }

  private enter(): void {
    if (++this.depth > this.opts.maxDepth) throw new ParseFail(`nesting deeper than ${this.opts.maxDepth}`);
  }

  parseTop(): Node {
    const node = this.parseListNode(null);
    if (this.pos < this.toks.length) throw new ParseFail(`unexpected '${this.peek()?.v}'`);
    return node;
  }

  /** A list up to `closer`: one item is returned as itself; several form a set (or tuples, with ';'). */
  private parseListNode(closer: ((t: Token) => boolean) | null): Node {
    const groups = this.parseList(closer);
    if (groups.length > 1) {
      return this.mk({
        kind: 'set',
        items: groups.map((g) =>
          g.length === 1 ? (g[0] as Node) : this.mk({ kind: 'tuple', items: g, open: '(', close: ')' }),
        ),
      });
    }
    const items = groups[0] ?? [];
    if (items.length === 0) throw new ParseFail('empty answer');
    if (items.length === 1) return items[0] as Node;
    return this.assignList(items);
  }

  /** `x = 1, 2, 3` means x ∈ {1, 2, 3}: fold the bare values into the first assignment. */
  private assignList(items: Node[]): Node {
    const [first, ...rest] = items;
    if (
      first?.kind === 'rel' &&
      first.ops.length === 1 &&
      first.ops[0] === '=' &&
      rest.every((r) => r.kind !== 'rel')
    ) {
      const rhs = first.parts[1] as Node;
      return this.mk({
        kind: 'rel',
        ops: ['='],
        parts: [first.parts[0] as Node, this.mk({ kind: 'set', items: [rhs, ...rest] })],
      });
    }
    return this.mk({ kind: 'set', items });
  }

  private isSeparator(t: Token): ';' | ',' | null {
    if (t.t === 'op' && t.v === ';') return ';';
    if (t.t === 'op' && t.v === ',') return ',';
    if (t.t === 'word' && CONNECTIVES.has(t.v.toLowerCase())) return ',';
    if (t.t === 'text') {
      const words = t.v
        .toLowerCase()
        .replace(/[,;.:]/g, ' ')
        .trim();
      if (words === '' || words.split(/\s+/).every((w) => CONNECTIVES.has(w))) return ',';
    }
    if (t.t === 'nl') return ',';
    return null;
  }

  /** Items separated by `,`/connectives, grouped by `;`. */
  private parseList(closer: ((t: Token) => boolean) | null): Node[][] {
    const groups: Node[][] = [[]];
    for (;;) {
      const t = this.peek();
      if (t === undefined || (closer?.(t) ?? false)) break;
      const sep = this.isSeparator(t);
      if (sep !== null) {
        this.pos++;
        if (sep === ';' && (groups[groups.length - 1] as Node[]).length > 0) groups.push([]);
        continue;
      }
      if (t.t === 'op' && (t.v === '.' || t.v === "'" || t.v === '→')) {
        this.pos++;
        continue;
      }
      const before = this.pos;
      (groups[groups.length - 1] as Node[]).push(this.parseRelation());
      if (this.pos === before) throw new ParseFail(`unexpected '${t.v}'`);
      const after = this.peek();
      if (
        after !== undefined &&
        !(closer?.(after) ?? false) &&
        this.isSeparator(after) === null &&
        !(after.t === 'op' && (after.v === '.' || after.v === "'"))
      ) {
        throw new ParseFail(`unexpected '${after.v}'`);
      }
    }
    // Only the last group can be empty (a new one starts after a ';' only when the current one has items).
    if ((groups[groups.length - 1] as Node[]).length === 0) groups.pop();
    return groups;
  }

  private atRelOp(): boolean {
    const t = this.peek();
    return t?.t === 'op' && REL_OPS.has(t.v);
  }

  private parseRelation(): Node {
    this.enter();
    const first = this.parseUnion();
    if (!this.atRelOp()) {
      this.depth--;
      return first;
    }
    const parts: Node[] = [first];
    const ops: RelOp[] = [];
    while (this.atRelOp()) {
      ops.push(this.next().v as RelOp);
      parts.push(this.parseUnion());
    }
    this.depth--;
    if (ops.length === 0) return parts[0] as Node;
    return reduceChain(ops, parts);
  }

  private parseUnion(): Node {
    const first = this.parseSum();
    if (!this.is('op', '∪') && !this.is('op', '∩') && !this.is('op', '\\')) return first;
    const items = [first];
    let opaque: string | null = null;
    while (this.is('op', '∪') || this.is('op', '∩') || this.is('op', '\\')) {
      const op = this.next().v;
      if (op !== '∪') opaque = op;
      items.push(this.parseSum());
    }
    return opaque === null
      ? this.mk({ kind: 'union', items })
      : this.mk({ kind: 'opaque', name: `set${opaque}`, args: items });
  }

  private parseSum(): Node {
    let first: Node | null = null;
    const terms: Node[] = [];
    if (this.is('op', '±') || this.is('op', '∓')) {
      const sign = this.next().v === '±' ? 1 : -1;
      first = this.mk({ kind: 'pm', a: null, b: this.parseProduct(), sign });
    } else first = this.parseProduct();
    // A lone term (most of them) needs no list.
    if (!this.is('op', '+') && !this.is('op', '-') && !this.is('op', '±') && !this.is('op', '∓')) return first;
    terms.push(first);
    for (;;) {
      if (this.is('op', '+')) {
        this.pos++;
        terms.push(this.parseProduct());
      } else if (this.is('op', '-')) {
        this.pos++;
        terms.push(this.mk({ kind: 'neg', arg: this.parseProduct() }));
      } else if (this.is('op', '±') || this.is('op', '∓')) {
        const sign = this.next().v === '±' ? 1 : -1;
        const a = terms.length === 1 ? (terms[0] as Node) : this.mk({ kind: 'add', terms: terms.splice(0) });
        terms.length = 0;
        terms.push(this.mk({ kind: 'pm', a, b: this.parseProduct(), sign }));
      } else break;
    }
    return terms.length === 1 ? (terms[0] as Node) : this.mk({ kind: 'add', terms });
  }

  private parseProduct(): Node {
    let left = this.parseUnary();
    for (;;) {
      const t = this.peek();
      if (t === undefined) break;
      if (t.t === 'op' && (t.v === '*' || t.v === '/' || t.v === ':')) {
        this.pos++;
        const right = this.parseUnary();
        left = t.v === '*' ? this.mul(left, right) : this.mk({ kind: 'div', num: left, den: right });
        continue;
      }
      if (this.skipUnit()) continue;
      if (t.t === 'word' && PERCENT_WORDS.has(t.v.toLowerCase())) {
        this.pos++;
        left = this.mk({ kind: 'percent', arg: left });
        continue;
      }
      if (!this.startsPrimary(t)) break;
      const mixed = this.tryMixedNumber(left);
      if (mixed !== null) {
        left = mixed;
        continue;
      }
      left = this.mul(left, this.parsePower());
    }
    return left;
  }

  private mul(a: Node, b: Node): Node {
    if (a.kind === 'mul') return this.mk({ kind: 'mul', factors: [...a.factors, b] });
    return this.mk({ kind: 'mul', factors: [a, b] });
  }

  /** `137 \frac{1}{2}` (LaTeX) or `3 1/2` (plain text) is a mixed number. */
  private tryMixedNumber(left: Node): Node | null {
    if (left.kind !== 'num' || left.isFloat || left.value === null) return null;
    if (
      this.is('cmd', 'frac') &&
      this.is('open', '{', 1) &&
      this.is('num', undefined, 2) &&
      this.is('close', '}', 3) &&
      this.is('open', '{', 4) &&
      this.is('num', undefined, 5) &&
      this.is('close', '}', 6)
    ) {
      const n = this.toks[this.pos + 2] as Token;
      const d = this.toks[this.pos + 5] as Token;
      this.pos += 7;
      return this.mk({
        kind: 'add',
        terms: [left, this.mk({ kind: 'div', num: this.number(n.v), den: this.number(d.v) })],
      });
    }
    if (
      this.opts.plain &&
      this.is('num') &&
      this.peek()?.sp === true &&
      this.is('op', '/', 1) &&
      this.is('num', undefined, 2)
    ) {
      const n = this.next();
      this.pos++;
      const d = this.next();
      return this.mk({
        kind: 'add',
        terms: [left, this.mk({ kind: 'div', num: this.number(n.v), den: this.number(d.v) })],
      });
    }
    return null;
  }

  /** Units and filler words after a value (`5 cm`, `\text{ miles}`, `\mbox{ cm}^2`) are dropped. */
  private skipUnit(): boolean {
    const t = this.peek();
    if (t === undefined) return false;
    let unit = false;
    if (t.t === 'text' && this.isSeparator(t) === null) unit = true;
    if (t.t === 'word' && !CONNECTIVES.has(t.v.toLowerCase()) && !PERCENT_WORDS.has(t.v.toLowerCase())) {
      const w = t.v;
      unit =
        UNIT_WORDS.has(w) || (w.length >= 4 && !FUNCTIONS.has(w) && !GREEK.has(w) && w !== 'infinity' && w !== 'infty');
    }
    if (!unit) return false;
    this.pos++;
    // "18 dollars per day": once a unit starts, the rest of the words belong to it.
    while (
      this.is('word') &&
      !CONNECTIVES.has((this.peek() as Token).v.toLowerCase()) &&
      (this.peek() as Token).v.length > 1
    )
      this.pos++;
    if (this.is('op', '^') && (this.is('num', undefined, 1) || this.is('open', '{', 1))) {
      this.pos++;
      if (this.is('num')) this.pos++;
      else this.skipBraced();
    }
    return true;
  }

  private skipBraced(): void {
    let depth = 0;
    do {
      const t = this.next();
      if (t.t === 'open') depth++;
      else if (t.t === 'close') depth--;
    } while (depth > 0);
  }

  private startsPrimary(t: Token): boolean {
    switch (t.t) {
      case 'num':
      case 'cmd':
      case 'begin':
        return true;
      case 'word':
        return !CONNECTIVES.has(t.v.toLowerCase());
      case 'open':
        return true;
      case 'op':
        return t.v === '|' && this.absDepth === 0;
      case 'text':
      case 'close':
      case 'amp':
      case 'nl':
      case 'end':
        return false;
      default: {
        const never: never = t.t;
        return never;
      }
    }
  }

  private parseUnary(): Node {
    if (this.is('op', '-')) {
      this.pos++;
      return this.mk({ kind: 'neg', arg: this.parseUnary() });
    }
    if (this.is('op', '+')) {
      this.pos++;
      return this.parseUnary();
    }
    return this.parsePower();
  }

  private parsePower(): Node {
    this.enter();
    let base = this.parsePostfix(this.parsePrimary());
    if (this.is('op', '^')) {
      this.pos++;
      const exp = this.parseScript();
      base = this.parsePostfix(this.mk({ kind: 'pow', base, exp }));
    }
    this.depth--;
    return base;
  }

  private parsePostfix(n: Node): Node {
    let node = n;
    for (;;) {
      if (this.is('op', '!')) {
        this.pos++;
        node = this.mk({ kind: 'call', fn: 'factorial', args: [node] });
      } else if (this.is('op', '%')) {
        this.pos++;
        node = this.mk({ kind: 'percent', arg: node });
      } else if (this.is('op', "'")) this.pos++;
      else if (this.is('op', '_')) {
        const sub = this.readSubscript();
        if (node.kind === 'sym') node = sym(`${node.name}_${sub}`);
        // A subscript on a number is a base (204_5): Math-Verify keeps the digits, so do we.
      } else return node;
    }
  }

  /** An exponent: a braced group, or one token (`x^2`, `e^\pi`, `x^-1`). */
  private parseScript(): Node {
    if (this.is('open', '{')) return this.parseBraced();
    if (this.is('op', '-')) {
      this.pos++;
      return this.mk({ kind: 'neg', arg: this.parseScript() });
    }
    if (this.is('open', '(')) return this.parsePrimary();
    if (this.is('num') && !this.opts.plain) return this.singleChar();
    if (this.is('word')) return this.singleChar();
    return this.parsePrimary();
  }

  /** Reads `_x`, `_{12}`; returns the subscript as a name fragment. */
  private readSubscript(): string {
    this.pos++;
    if (!this.is('open', '{')) {
      const t = this.next();
      if (t.t === 'num' || t.t === 'word') {
        if (t.v.length > 1) this.splitFront(t);
        return t.v[0] as string;
      }
      return t.v;
    }
    let depth = 0;
    let out = '';
    do {
      const t = this.next();
      if (t.t === 'open') depth++;
      else if (t.t === 'close') depth--;
      else out += t.v;
    } while (depth > 0);
    return out;
  }

  /** Put back everything but the first character of a num/word token (`\frac12`, `x^23`). */
  private splitFront(t: Token): void {
    this.toks.splice(this.pos, 0, { t: t.t, v: t.v.slice(1), sp: false });
  }

  private singleChar(): Node {
    const t = this.next();
    if (t.v.length > 1) this.splitFront(t);
    const c = t.v[0] as string;
    return t.t === 'num' ? this.number(c) : this.symbolFor(c);
  }

  private parseBraced(): Node {
    this.next();
    const inner = this.parseListNode(isClose);
    this.expectClose('}');
    return inner;
  }

  private expectClose(v: string): void {
    const t = this.next();
    if (t.t !== 'close' || (v !== '*' && t.v !== v)) throw new ParseFail(`expected '${v}' but found '${t.v}'`);
  }

  /** A `\frac`/`\sqrt` argument: braced group or a single character/command. */
  private parseArg(): Node {
    if (this.is('open', '{')) return this.parseBraced();
    if (this.is('num') || this.is('word')) return this.singleChar();
    return this.parsePrimary();
  }

  private number(text: string): Node {
    const value = ratFromDecimal(text, this.opts.maxDigits);
    return this.mk(num(text, value, /[.eE]/.test(text)));
  }

  private symbolFor(c: string): Node {
    if (c === 'e') return sym('e');
    if (c === 'i') return sym('i');
    return this.mk(sym(c));
  }

  private parsePrimary(): Node {
    const t = this.next();
    switch (t.t) {
      case 'num':
        return this.number(t.v);
      case 'word':
        return this.parseWord(t);
      case 'cmd':
        return this.parseCommand(t.v);
      case 'open':
        return this.parseOpen(t.v);
      case 'op':
        if (t.v === '|' && this.absDepth === 0) {
          this.absDepth++;
          const inner = this.parseSum();
          this.absDepth--;
          if (!this.is('op', '|')) throw new ParseFail("unclosed '|'");
          this.pos++;
          return this.mk({ kind: 'call', fn: 'abs', args: [inner] });
        }
        throw new ParseFail(`unexpected '${t.v}'`);
      case 'begin':
        return this.parseEnvironment(t.v);
      case 'text':
        return this.mk({ kind: 'text', text: t.v });
      case 'close':
      case 'amp':
      case 'nl':
      case 'end':
        throw new ParseFail(`unexpected '${t.v}'`);
      default: {
        const never: never = t.t;
        return never;
      }
    }
  }

  private parseWord(t: Token): Node {
    const w = t.v;
    const lower = w.toLowerCase();
    if (FUNCTIONS.has(w)) return this.parseFunction(w);
    if (lower === 'pi') return sym('pi');
    if (lower === 'infinity' || lower === 'infty' || lower === 'inf' || w === 'oo') return sym('inf');
    if (GREEK.has(w)) return sym(w);
    if (w.length > 1) {
      this.splitFront(t);
      return this.symbolFor(w[0] as string);
    }
    if (FN_LETTERS.has(w) && this.is('open', '(') && this.peek()?.sp === false) {
      this.pos++;
      const args = this.parseList(isClose).flat();
      this.expectClose('*');
      return this.mk({ kind: 'call', fn: `f:${w}`, args });
    }
    return this.symbolFor(w);
  }

  private parseFunction(name: string): Node {
    let fn =
      name === 'lg'
        ? 'log10'
        : name === 'asin'
          ? 'arcsin'
          : name === 'acos'
            ? 'arccos'
            : name === 'atan'
              ? 'arctan'
              : name;
    let power: Node | null = null;
    let base: Node | null = null;
    for (let k = 0; k < 2; k++) {
      if (this.is('op', '^')) {
        this.pos++;
        power = this.parseScript();
      } else if (this.is('op', '_')) {
        this.pos++;
        base = this.parseScript();
      }
    }
    if (
      power?.kind === 'neg' &&
      power.arg.kind === 'num' &&
      power.arg.text === '1' &&
      ['sin', 'cos', 'tan'].includes(fn)
    ) {
      fn = `arc${fn}`;
      power = null;
    }
    let args: Node[];
    if (this.is('open', '(') || this.is('open', '[')) {
      this.pos++;
      args = this.parseList(isClose).flat();
      this.expectClose('*');
    } else if (this.is('open', '{')) {
      args = [this.parseBraced()];
    } else {
      let arg = this.parsePower();
      while (
        this.is('num') ||
        (this.is('word') && !FUNCTIONS.has(this.peek()?.v as string) && !CONNECTIVES.has(this.peek()?.v as string))
      ) {
        arg = this.mul(arg, this.parsePower());
      }
      args = [arg];
    }
    if (args.length === 0) throw new ParseFail(`${name} needs an argument`);
    if (base !== null) args = [...args, base];
    const call: Node = this.mk({ kind: 'call', fn, args });
    return power === null ? call : this.mk({ kind: 'pow', base: call, exp: power });
  }

  private parseCommand(name: string): Node {
    switch (name) {
      case 'frac':
      case 'over': {
        const n = this.parseArg();
        const d = this.parseArg();
        return this.mk({ kind: 'div', num: n, den: d });
      }
      case 'sqrt': {
        let index: Node | null = null;
        if (this.is('open', '[')) {
          this.pos++;
          index = this.parseListNode(isClose);
          this.expectClose(']');
        }
        const arg = this.parseArg();
        return this.mk({
          kind: 'call',
          fn: index === null ? 'sqrt' : 'root',
          args: index === null ? [arg] : [arg, index],
        });
      }
      case 'binom':
      case 'choose': {
        const n = this.parseArg();
        const k = this.parseArg();
        return this.mk({ kind: 'call', fn: 'binom', args: [n, k] });
      }
      case 'pi':
        return sym('pi');
      case 'infty':
      case 'infin':
        return sym('inf');
      case 'exponentialE':
        return sym('e');
      case 'imath':
        return sym('i');
      case 'sum':
      case 'prod':
      case 'int':
      case 'lim':
        return this.parseBigOperator(name);
      default:
        if (FUNCTIONS.has(name)) return this.parseFunction(name);
        return this.mk(sym(name));
    }
  }

  /** `\sum_{k=0}^{n} body` and friends: kept structurally (compared as canonical strings). */
  private parseBigOperator(name: string): Node {
    const args: Node[] = [];
    for (let k = 0; k < 2; k++) {
      if (this.is('op', '_') || this.is('op', '^')) {
        this.pos++;
        args.push(this.is('open', '{') ? this.parseBraced() : this.parsePrimary());
      }
    }
    args.push(this.parseProduct());
    return this.mk({ kind: 'opaque', name, args });
  }

  private parseOpen(open: string): Node {
    if (open === 'floor' || open === 'ceil') {
      const inner = this.parseSum();
      this.expectClose(open);
      return this.mk({ kind: 'call', fn: open, args: [inner] });
    }
    const groups = this.parseList(isClose);
    const close = this.next();
    if (close.t !== 'close') throw new ParseFail('unbalanced brackets');
    const items =
      groups.length > 1
        ? groups.map((g) =>
            g.length === 1 ? (g[0] as Node) : this.mk({ kind: 'tuple', items: g, open: '(', close: ')' }),
          )
        : (groups[0] ?? []);
    const hadSemicolons = groups.length > 1;
    if (open === '\\{') return this.mk({ kind: 'set', items });
    if (items.length === 0) throw new ParseFail('empty brackets');
    if (open === '{') {
      if (items.length === 1 && !hadSemicolons) return items[0] as Node;
      return this.mk({ kind: 'set', items });
    }
    if (items.length === 1 && !hadSemicolons) return items[0] as Node;
    const o = open === '[' ? '[' : '(';
    const c = close.v === ']' ? ']' : ')';
    if (hadSemicolons && groups.every((g) => g.length === 1))
      return this.mk({ kind: 'tuple', items, open: o, close: c });
    return this.mk({ kind: 'tuple', items, open: o, close: c });
  }

  private parseEnvironment(env: string): Node {
    if (env === 'array' && this.is('open', '{')) this.skipBraced();
    const rows: Node[][] = [[]];
    let cell: Node | null = null;
    for (;;) {
      const t = this.peek();
      if (t === undefined) throw new ParseFail(`unclosed \\begin{${env}}`);
      if (t.t === 'end') {
        this.pos++;
        break;
      }
      if (t.t === 'amp') {
        this.pos++;
        if (cell === null) throw new ParseFail('empty matrix cell');
        (rows[rows.length - 1] as Node[]).push(cell);
        cell = null;
        continue;
      }
      if (t.t === 'nl') {
        this.pos++;
        if (cell !== null) (rows[rows.length - 1] as Node[]).push(cell);
        cell = null;
        rows.push([]);
        continue;
      }
      if (cell !== null) throw new ParseFail(`unexpected '${t.v}' in \\begin{${env}}`);
      cell = MATRIX_ENVS.has(env) ? this.parseRelation() : this.parseListNode(endsCell);
    }
    if (cell !== null) (rows[rows.length - 1] as Node[]).push(cell);
    const full = rows.filter((r) => r.length > 0);
    if (full.length === 0) throw new ParseFail(`empty \\begin{${env}}`);
    if (MATRIX_ENVS.has(env)) {
      const width = (full[0] as Node[]).length;
      if (!full.every((r) => r.length === width)) throw new ParseFail('matrix rows differ in length');
      return this.mk({ kind: 'matrix', rows: full });
    }
    const items = full.flat();
    return items.length === 1 ? (items[0] as Node) : this.mk({ kind: 'set', items });
  }
}

/**
 * Relation chains as Math-Verify reads them: an `≈` after an `=` is a side remark and is dropped
 * (`x = 1/3 ≈ 0.33`); a chain of only `≈` reads as `=`; two or more `=` keep just the final value
 * (`x = 5+5+1 = 11` → 11).
 */
function reduceChain(ops: RelOp[], parts: Node[]): Node {
  let o = ops;
  let p = parts;
  const firstEq = o.indexOf('=');
  if (firstEq >= 0) {
    const cut = o.indexOf('≈', firstEq);
    if (cut >= 0) {
      o = o.slice(0, cut);
      p = p.slice(0, cut + 1);
    }
  } else if (o.every((x) => x === '≈')) o = o.map(() => '=');
  if (o.length >= 2 && o.every((x) => x === '=')) return p[p.length - 1] as Node;
  if (o.length === 0) return p[0] as Node;
  return { kind: 'rel', ops: o, parts: p };
}

/** Parses one normalised answer string. Never throws. */
export function parseMath(src: string, opts: ParseOptions): ParseResult {
  const toks = tokenize(src, { plain: opts.plain, maxTokens: opts.maxTokens });
  if (toks === null) return { ok: false, reason: 'answer too long or unbalanced' };
  if (toks.length === 0) return { ok: false, reason: 'empty answer' };
  try {
    return { ok: true, node: new Parser(toks, opts).parseTop() };
  } catch (e) {
    if (e instanceof ParseFail) return { ok: false, reason: e.message };
    if (e instanceof RangeError) return { ok: false, reason: 'answer too deeply nested' };
    throw e;
  }
}
