/**
 * Countdown problems with known solutions (TinyZero's task: combine the given numbers with + − × ÷ to reach the
 * target): a random expression tree over 2–4 numbers, evaluated exactly, whose integer value becomes the target —
 * so the equation is a right answer by construction — and a second tree over the same numbers with a different value,
 * a wrong answer that uses the right numbers.
 */

import fc from 'fast-check';
import type { LawCase } from './math-answers';

export interface CountdownEquation {
  numbers: number[];
  target: number;
  /** Uses every number exactly once and equals `target`. */
  equation: string;
  /** Uses every number exactly once and does not equal `target`. */
  wrongEquation: string;
}

type Op = '+' | '-' | '*' | '/';
type Q = { n: number; d: number }; // exact rational, d > 0

const gcd = (a: number, b: number): number => (b === 0 ? Math.abs(a) : gcd(b, a % b));
const q = (n: number, d: number): Q | null => {
  if (d === 0) return null;
  const g = gcd(n, d) || 1;
  const s = d < 0 ? -1 : 1;
  return { n: (s * n) / g, d: (s * d) / g };
};

function apply(op: Op, a: Q, b: Q): Q | null {
  switch (op) {
    case '+':
      return q(a.n * b.d + b.n * a.d, a.d * b.d);
    case '-':
      return q(a.n * b.d - b.n * a.d, a.d * b.d);
    case '*':
      return q(a.n * b.n, a.d * b.d);
    case '/':
      return q(a.n * b.d, a.d * b.n);
    default: {
      const never: never = op;
      return never;
    }
  }
}

/** Builds an expression over `nums` in order: `splits` choose where each subtree divides, `ops` its operators. */
function build(
  nums: readonly number[],
  ops: readonly Op[],
  splits: readonly number[],
): { text: string; value: Q | null } {
  let k = 0;
  const go = (lo: number, hi: number, top: boolean): { text: string; value: Q | null } => {
    if (hi - lo === 1) return { text: String(nums[lo]), value: { n: nums[lo]!, d: 1 } };
    const i = k++;
    const mid = lo + 1 + ((splits[i] ?? 0) % (hi - lo - 1));
    const op = ops[i] ?? '+';
    const left = go(lo, mid, false);
    const right = go(mid, hi, false);
    const value = left.value && right.value ? apply(op, left.value, right.value) : null;
    const text = `${left.text} ${op} ${right.text}`;
    return { text: top ? text : `(${text})`, value };
  };
  return go(0, nums.length, true);
}

const ops = fc.array(fc.constantFrom<Op>('+', '-', '*', '/'), { minLength: 3, maxLength: 3 });
const splits = fc.array(fc.nat({ max: 5 }), { minLength: 3, maxLength: 3 });

/** A Countdown problem with a right and a wrong equation over its numbers. */
export const countdownEquation: fc.Arbitrary<CountdownEquation> = fc
  .tuple(fc.array(fc.integer({ min: 1, max: 99 }), { minLength: 2, maxLength: 4 }), ops, splits, ops, splits)
  .map(([numbers, o1, s1, o2, s2]) => {
    const right = build(numbers, o1, s1);
    const wrong = build([...numbers].reverse(), o2, s2);
    return { numbers, right, wrong };
  })
  .filter(
    ({ right, wrong }) =>
      right.value !== null &&
      right.value.d === 1 &&
      wrong.value !== null &&
      !(wrong.value.n === right.value.n && wrong.value.d === 1),
  )
  .map(({ numbers, right, wrong }) => ({
    numbers,
    target: right.value!.n === 0 ? 0 : right.value!.n, // never −0
    equation: right.text,
    wrongEquation: wrong.text,
  }));

/** Countdown problems as law cases: `sample.meta = { numbers, target }`, the answers are equations. */
export const countdownCases: fc.Arbitrary<LawCase> = countdownEquation.map((e) => ({
  sample: {
    prompt: `Using the numbers [${e.numbers.join(', ')}], create an equation that equals ${e.target}.`,
    meta: { numbers: e.numbers, target: e.target },
  },
  correct: e.equation,
  wrong: e.wrongEquation,
}));
