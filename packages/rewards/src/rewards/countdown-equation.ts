/**
 * A safe evaluator for Countdown equations: a tokenizer and a recursive-descent parser over numbers, + − × ÷ and
 * parentheses, computing with exact rationals as it parses. Never `eval`.
 *
 * Grammar (usual precedence, left-associative):
 *   equation := expr ( '=' number )?        — an optional "= 24" suffix is read, not counted as a used number
 *   expr     := term ( ('+' | '-') term )*
 *   term     := unary ( ('*' | '/') unary )*
 *   unary    := ('-' | '+') unary | primary
 *   primary  := number | '(' expr ')'
 * Operators may be written `+ - − * × · ⋅ / ÷` or `\times \cdot \div`; numbers are unsigned decimals ("25", "2.5").
 * Implicit multiplication ("2(3+4)"), exponents and functions are syntax errors.
 *
 * Bounded: the text may be at most `maxChars` long and nest at most `maxDepth` levels (parentheses and unary signs),
 * so the recursion cannot overflow the stack and the numbers stay small. Division by zero is reported as its own
 * outcome; the parse still finishes so that syntax errors are found.
 */

import { add, div, type Fraction, mul, neg, parseDecimal, sub } from './exact-rational';

export type EquationResult =
  /** Parsed; `value` null means a division by zero happened somewhere. */
  | { kind: 'ok'; value: Fraction | null; numbers: Fraction[]; rhs: Fraction | null }
  | { kind: 'syntax-error'; message: string; at: number };

export interface EquationLimits {
  /** Longest accepted equation, in UTF-16 units. Default 500. */
  maxChars: number;
  /** Deepest nesting of parentheses and unary signs. Default 64. */
  maxDepth: number;
}

export const DEFAULT_EQUATION_LIMITS: Readonly<EquationLimits> = Object.freeze({ maxChars: 500, maxDepth: 64 });

type Token =
  | { type: 'num'; value: Fraction; at: number }
  | { type: '+' | '-' | '*' | '/' | '(' | ')' | '='; at: number };

const SYMBOLS: Record<string, '+' | '-' | '*' | '/' | '(' | ')' | '='> = {
  '+': '+',
  '-': '-',
  '\u2212': '-',
  '*': '*',
  '\u00d7': '*',
  '\u00b7': '*',
  '\u22c5': '*',
  '/': '/',
  '\u00f7': '/',
  '(': '(',
  ')': ')',
  '=': '=',
};
const COMMANDS: [string, '*' | '/'][] = [
  ['\\times', '*'],
  ['\\cdot', '*'],
  ['\\div', '/'],
];

class SyntaxError_ extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch >= '0' && ch <= '9') {
      let j = i;
      while (j < text.length && text[j]! >= '0' && text[j]! <= '9') j++;
      if (text[j] === '.' && text[j + 1] !== undefined && text[j + 1]! >= '0' && text[j + 1]! <= '9') {
        j++;
        while (j < text.length && text[j]! >= '0' && text[j]! <= '9') j++;
      }
      tokens.push({ type: 'num', value: parseDecimal(text.slice(i, j))!, at: i });
      i = j;
      continue;
    }
    const symbol = SYMBOLS[ch];
    if (symbol !== undefined) {
      tokens.push({ type: symbol, at: i });
      i++;
      continue;
    }
    const command = COMMANDS.find(
      ([name]) => text.startsWith(name, i) && !/[A-Za-z]/.test(text[i + name.length] ?? ''),
    );
    if (command !== undefined) {
      tokens.push({ type: command[1], at: i });
      i += command[0].length;
      continue;
    }
    throw new SyntaxError_(`unexpected ${JSON.stringify(ch)}`, i);
  }
  return tokens;
}

/** Parses and evaluates `text`. Never throws. */
export function evaluateEquation(text: string, limits: EquationLimits = DEFAULT_EQUATION_LIMITS): EquationResult {
  if (text.length > limits.maxChars) {
    return { kind: 'syntax-error', message: `longer than ${limits.maxChars} characters`, at: limits.maxChars };
  }
  try {
    return new Parser(tokenize(text), text.length, limits.maxDepth).equation();
  } catch (e) {
    if (e instanceof SyntaxError_) return { kind: 'syntax-error', message: e.message, at: e.at };
    return { kind: 'syntax-error', message: String(e), at: 0 };
  }
}

class Parser {
  private pos = 0;
  readonly numbers: Fraction[] = [];

  constructor(
    private readonly tokens: Token[],
    private readonly end: number,
    private readonly maxDepth: number,
  ) {}

  equation(): EquationResult {
    if (this.tokens.length === 0) throw new SyntaxError_('empty equation', 0);
    const value = this.expr(0);
    let rhs: Fraction | null = null;
    if (this.peek()?.type === '=') {
      this.pos++;
      const t = this.next('a number after "="');
      if (t.type !== 'num') throw new SyntaxError_('expected a number after "="', t.at);
      rhs = t.value;
    }
    const rest = this.peek();
    if (rest !== undefined)
      throw new SyntaxError_(`unexpected "${rest.type === 'num' ? 'number' : rest.type}"`, rest.at);
    return { kind: 'ok', value, numbers: this.numbers, rhs };
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private next(expected: string): Token {
    const t = this.tokens[this.pos];
    if (t === undefined) throw new SyntaxError_(`expected ${expected}, found the end`, this.end);
    this.pos++;
    return t;
  }

  private expr(depth: number): Fraction | null {
    let value = this.term(depth);
    for (let t = this.peek(); t?.type === '+' || t?.type === '-'; t = this.peek()) {
      this.pos++;
      const right = this.term(depth);
      value = value === null || right === null ? null : t.type === '+' ? add(value, right) : sub(value, right);
    }
    return value;
  }

  private term(depth: number): Fraction | null {
    let value = this.unary(depth);
    for (let t = this.peek(); t?.type === '*' || t?.type === '/'; t = this.peek()) {
      this.pos++;
      const right = this.unary(depth);
      value = value === null || right === null ? null : t.type === '*' ? mul(value, right) : div(value, right);
    }
    return value;
  }

  private unary(depth: number): Fraction | null {
    if (depth > this.maxDepth)
      throw new SyntaxError_(`nested deeper than ${this.maxDepth} levels`, this.peek()?.at ?? this.end);
    const t = this.peek();
    if (t?.type === '-' || t?.type === '+') {
      this.pos++;
      const value = this.unary(depth + 1);
      return value === null || t.type === '+' ? value : neg(value);
    }
    return this.primary(depth);
  }

  private primary(depth: number): Fraction | null {
    const t = this.next('a number or "("');
    if (t.type === 'num') {
      this.numbers.push(t.value);
      return t.value;
    }
    if (t.type === '(') {
      const value = this.expr(depth + 1);
      const close = this.next('")"');
      if (close.type !== ')') throw new SyntaxError_('expected ")"', close.at);
      return value;
    }
    throw new SyntaxError_(`expected a number or "(", found "${t.type}"`, t.at);
  }
}
