/**
 * Integer arithmetic expressions as trees: printing with the fewest parentheses, parsing back, and step-by-step
 * evaluation in the order a person works (innermost first, then left to right — the tree's post-order).
 * Used by the arithmetic task (problems and worked solutions) and the countdown task (its example solution).
 *
 * Invariant: `parseExpression(printExpression(e))` is the same tree as `e`, and `printExpression(parseExpression(s))`
 * is `s` for any printed `s`. To keep that exact, a right operand of equal precedence is always parenthesised, even
 * where the value would not change ("7 + (5 + 3)").
 *
 * Deliberately not here: unary minus, decimals, or any evaluation of untrusted code (there is no eval).
 */

/** The four operators, written as plain ASCII. */
export type Operator = '+' | '-' | '*' | '/';

export const OPERATORS: readonly Operator[] = ['+', '-', '*', '/'];

/** An expression tree over non-negative integer literals. */
export type Expr = { kind: 'num'; value: number } | { kind: 'op'; op: Operator; left: Expr; right: Expr };

/** One evaluated operation: `left op right = result`. */
export interface Step {
  left: number;
  op: Operator;
  right: number;
  result: number;
}

export function num(value: number): Expr {
  return { kind: 'num', value };
}

export function bin(op: Operator, left: Expr, right: Expr): Expr {
  return { kind: 'op', op, left, right };
}

export function precedence(op: Operator): 1 | 2 {
  switch (op) {
    case '+':
    case '-':
      return 1;
    case '*':
    case '/':
      return 2;
    default: {
      const never: never = op;
      throw new TypeError(`unknown operator ${String(never)}`);
    }
  }
}

/**
 * `a op b` in exact integer arithmetic, or null where the result is not an integer (division by zero or with a
 * remainder). Results are not range-checked; callers bound them.
 */
export function applyOperator(op: Operator, a: number, b: number): number | null {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      // `+ 0` turns -0 (from 0 * -3 or 0 / -3) into 0, so results compare equal with ===, Object.is and toEqual.
      return a * b + 0;
    case '/':
      if (b === 0 || a % b !== 0) return null;
      return a / b + 0;
    default: {
      const never: never = op;
      throw new TypeError(`unknown operator ${String(never)}`);
    }
  }
}

/** Prints with single spaces around operators and only the parentheses the tree needs. */
export function printExpression(e: Expr): string {
  if (e.kind === 'num') return String(e.value);
  const p = precedence(e.op);
  const left = printExpression(e.left);
  const right = printExpression(e.right);
  const leftNeeds = e.left.kind === 'op' && precedence(e.left.op) < p;
  const rightNeeds = e.right.kind === 'op' && precedence(e.right.op) <= p;
  return `${leftNeeds ? `(${left})` : left} ${e.op} ${rightNeeds ? `(${right})` : right}`;
}

/** Post-order evaluation; null if some division is not exact. */
export function evaluateSteps(e: Expr): { value: number; steps: Step[] } | null {
  const steps: Step[] = [];
  const walk = (node: Expr): number | null => {
    if (node.kind === 'num') return node.value;
    const left = walk(node.left);
    if (left === null) return null;
    const right = walk(node.right);
    if (right === null) return null;
    const result = applyOperator(node.op, left, right);
    if (result === null) return null;
    steps.push({ left, op: node.op, right, result });
    return result;
  };
  const value = walk(e);
  return value === null ? null : { value, steps };
}

/** The literals of the tree, left to right. */
export function literals(e: Expr): number[] {
  return e.kind === 'num' ? [e.value] : [...literals(e.left), ...literals(e.right)];
}

/** The operators of the tree in printed (left-to-right) order. */
export function operatorsOf(e: Expr): Operator[] {
  return e.kind === 'num' ? [] : [...operatorsOf(e.left), e.op, ...operatorsOf(e.right)];
}

/**
 * Parses non-negative integer literals, + - * /, parentheses and spaces with the usual precedence (* and / before
 * + and -, left to right). Throws a SyntaxError naming the column on anything else.
 */
export function parseExpression(text: string): Expr {
  let pos = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`cannot parse expression ${JSON.stringify(text)}: ${what} at column ${pos + 1}`);
  };
  const skipSpaces = () => {
    while (text[pos] === ' ') pos++;
  };
  const parseSum = (): Expr => {
    let left = parseProduct();
    for (;;) {
      skipSpaces();
      const ch = text[pos];
      if (ch !== '+' && ch !== '-') return left;
      pos++;
      left = bin(ch, left, parseProduct());
    }
  };
  const parseProduct = (): Expr => {
    let left = parseAtom();
    for (;;) {
      skipSpaces();
      const ch = text[pos];
      if (ch !== '*' && ch !== '/') return left;
      pos++;
      left = bin(ch, left, parseAtom());
    }
  };
  const parseAtom = (): Expr => {
    skipSpaces();
    if (text[pos] === '(') {
      pos++;
      const inner = parseSum();
      skipSpaces();
      if (text[pos] !== ')') fail("expected ')'");
      pos++;
      return inner;
    }
    const start = pos;
    while (pos < text.length && text.charCodeAt(pos) >= 48 && text.charCodeAt(pos) <= 57) pos++;
    if (pos === start) fail(pos < text.length ? `unexpected ${JSON.stringify(text[pos])}` : 'unexpected end');
    const value = Number(text.slice(start, pos));
    if (!Number.isSafeInteger(value)) fail('number too large');
    return num(value);
  };
  const tree = parseSum();
  skipSpaces();
  if (pos < text.length) fail(`unexpected ${JSON.stringify(text[pos])}`);
  return tree;
}
