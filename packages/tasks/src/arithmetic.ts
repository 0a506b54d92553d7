/**
 * The `arithmetic` task: multi-step integer expressions such as "What is 7 + 5 * 3?" with the exact integer answer.
 * Difficulty runs from one-digit `a + b` (for a tiny character-level model) to several operands up to 6 digits with
 * all four operators and parentheses. Every problem is built so that each step stays an integer (divisions are
 * exact) and inside the knobs' bounds; draws that cannot be repaired into that are rejected and redrawn.
 *
 * Deliberately not here: worked solutions (arithmetic-solution.ts), rewards (@r1/rewards scores with 'accuracy'),
 * prompt templates (applied by the caller).
 */

import {
  applyOperator,
  bin,
  type Expr,
  num,
  OPERATORS,
  type Operator,
  parseExpression,
  printExpression,
} from './expression';
import { checkBoolean, checkInteger, checkNumber, checkOneOf, describe, rejectUnknownKeys } from './resolve';
import type { Rng } from './rng';
import { type Draft, defineTask, type Task } from './task';

export type ArithmeticPromptStyle = 'question' | 'equation' | 'program';

export interface ArithmeticOptions {
  /** Fewest operands in a problem; 2 means one operation ("a + b"). Default 2. */
  minOperands: number;
  /** Most operands; a problem has (operands - 1) steps. Default 3, at most 8. */
  maxOperands: number;
  /** Smallest operand, ≥ 0. Default 0. */
  minValue: number;
  /** Largest operand, ≤ 1,000,000. Default 9 (one digit). */
  maxValue: number;
  /**
   * Operators problems may use. Default ['+', '-', '*']. A divisor is drawn among the divisors of the running value
   * that lie in minValue..maxValue, so long chains of '/' alone rarely succeed; mix '/' with other operators.
   */
  operators: readonly Operator[];
  /** Keep every intermediate result, and so the answer, ≥ 0. Default true. */
  nonNegative: boolean;
  /** Bound on the absolute value of every intermediate result and the answer, ≤ 1e9. Default 1000. */
  maxResult: number;
  /** Allow parenthesised sub-expressions ("(7 + 5) * 3"); otherwise problems are flat and use precedence. Default false. */
  parentheses: boolean;
  /**
   * 'question': "What is 7 + 5 * 3?"; 'equation': "7 + 5 * 3 =" (shorter, for tiny models); 'program': "Write a
   * Python program that prints the value of 7 + 5 * 3." — the answer is code, judged by running it (`meta.tests`,
   * one stdin/stdout test, and `meta.reward: 'code'`; @r1/sandbox). Default 'question'.
   */
  promptStyle: ArithmeticPromptStyle;
  /** Fraction of the problem space held out as the test split, in [0, 1]. Default 0.1. */
  testFraction: number;
}

export const DEFAULT_ARITHMETIC_OPTIONS: Readonly<ArithmeticOptions> = Object.freeze({
  minOperands: 2,
  maxOperands: 3,
  minValue: 0,
  maxValue: 9,
  operators: Object.freeze(['+', '-', '*'] as Operator[]),
  nonNegative: true,
  maxResult: 1000,
  parentheses: false,
  promptStyle: 'question',
  testFraction: 0.1,
});

/** Difficulty presets, from one-digit addition to multi-digit expressions with parentheses. */
export const ARITHMETIC_PRESETS = Object.freeze({
  /** "3 + 4": one-digit addition, 100 distinct problems. */
  tiny: { minOperands: 2, maxOperands: 2, minValue: 0, maxValue: 9, operators: ['+'] },
  /** "7 - 3", "4 * 6": one operation on one-digit numbers. */
  easy: { minOperands: 2, maxOperands: 2, minValue: 0, maxValue: 9, operators: ['+', '-', '*'] },
  /** "7 + 5 * 3", "8 / 2 - 1": two or three one-digit operands, all operators. */
  medium: { minOperands: 2, maxOperands: 3, minValue: 0, maxValue: 9, operators: ['+', '-', '*', '/'] },
  /** "(12 + 35) * 4 - 60 / 15": three to five operands up to 99, parentheses. */
  hard: {
    minOperands: 3,
    maxOperands: 5,
    minValue: 0,
    maxValue: 99,
    operators: ['+', '-', '*', '/'],
    parentheses: true,
    maxResult: 100_000,
  },
} satisfies Record<string, Partial<ArithmeticOptions>>);

export type ArithmeticPreset = keyof typeof ARITHMETIC_PRESETS;

/** Meta of an arithmetic item. */
export type ArithmeticMeta = {
  task: 'arithmetic';
  /** 'code' for promptStyle 'program': the answer is a program, run against `tests`. */
  reward: 'accuracy' | 'code';
  /** The expression exactly as in the prompt, e.g. "7 + 5 * 3". */
  expression: string;
  /** promptStyle 'program' only: the program, given no input, must print the value (the APPS stdin/stdout shape). */
  tests?: { inputs: string[]; outputs: string[] };
};

const KEYS = Object.keys(DEFAULT_ARITHMETIC_OPTIONS) as (keyof ArithmeticOptions)[];
const MAX_OPERANDS = 8;
const MAX_VALUE = 1_000_000;
const MAX_RESULT = 1_000_000_000;

/** Fills defaults and checks every field; throws with a fix on unknown keys or impossible combinations. */
export function resolveArithmeticOptions(partial: Partial<ArithmeticOptions> = {}): ArithmeticOptions {
  rejectUnknownKeys(partial, KEYS, 'arithmetic option');
  const o = { ...DEFAULT_ARITHMETIC_OPTIONS, ...partial };
  checkInteger('arithmetic minOperands', o.minOperands, 2, MAX_OPERANDS);
  checkInteger('arithmetic maxOperands', o.maxOperands, 2, MAX_OPERANDS);
  if (o.minOperands > o.maxOperands) {
    throw new RangeError(`arithmetic minOperands (${o.minOperands}) must be ≤ maxOperands (${o.maxOperands})`);
  }
  checkInteger('arithmetic minValue', o.minValue, 0, MAX_VALUE);
  checkInteger('arithmetic maxValue', o.maxValue, 0, MAX_VALUE);
  if (o.minValue > o.maxValue) {
    throw new RangeError(`arithmetic minValue (${o.minValue}) must be ≤ maxValue (${o.maxValue})`);
  }
  if (!Array.isArray(o.operators) || o.operators.length === 0) {
    throw new TypeError(
      `arithmetic operators must be a non-empty array like ['+', '-'] (got ${describe(o.operators)})`,
    );
  }
  for (const op of o.operators) checkOneOf('arithmetic operators entry', op, OPERATORS);
  if (new Set(o.operators).size !== o.operators.length) {
    throw new TypeError(`arithmetic operators has repeats (${o.operators.join(' ')}); list each operator once`);
  }
  if (o.operators.length === 1 && o.operators[0] === '/' && o.maxValue === 0) {
    throw new RangeError("arithmetic with only '/' needs maxValue ≥ 1 (no non-zero divisor otherwise)");
  }
  checkBoolean('arithmetic nonNegative', o.nonNegative);
  checkInteger('arithmetic maxResult', o.maxResult, 1, MAX_RESULT);
  if (o.maxResult < o.minValue) {
    throw new RangeError(`arithmetic maxResult (${o.maxResult}) must be ≥ minValue (${o.minValue})`);
  }
  checkBoolean('arithmetic parentheses', o.parentheses);
  checkOneOf('arithmetic promptStyle', o.promptStyle, ['question', 'equation', 'program'] as const);
  checkNumber('arithmetic testFraction', o.testFraction, 0, 1);
  return { ...o, operators: [...o.operators] };
}

/** The problem text for an expression in the given style. */
export function arithmeticPrompt(expression: string, style: ArithmeticPromptStyle): string {
  switch (style) {
    case 'question':
      return `What is ${expression}?`;
    case 'equation':
      return `${expression} =`;
    case 'program':
      return `Write a Python program that prints the value of ${expression}.`;
    default: {
      const never: never = style;
      throw new TypeError(`unknown promptStyle ${String(never)}`);
    }
  }
}

/** Flat operands and operators folded into a tree with the usual precedence, left to right. */
function flatTree(values: readonly number[], ops: readonly Operator[]): Expr {
  let sum: Expr | null = null;
  let pending: Operator = '+';
  let term = num(values[0]!);
  ops.forEach((op, i) => {
    const next = num(values[i + 1]!);
    if (op === '*' || op === '/') {
      term = bin(op, term, next);
    } else {
      sum = sum === null ? term : bin(pending, sum, term);
      pending = op;
      term = next;
    }
  });
  return sum === null ? term : bin(pending, sum, term);
}

function randomTree(values: readonly number[], rng: Rng, operators: readonly Operator[]): Expr {
  if (values.length === 1) return num(values[0]!);
  const cut = rng.int(1, values.length - 1);
  return bin(
    rng.pick(operators),
    randomTree(values.slice(0, cut), rng, operators),
    randomTree(values.slice(cut), rng, operators),
  );
}

/** Divisors of n ≠ 0 (by absolute value) within [lo, hi]. */
function divisorsInRange(n: number, lo: number, hi: number): number[] {
  const a = Math.abs(n);
  const out: number[] = [];
  for (let i = 1; i * i <= a; i++) {
    if (a % i !== 0) continue;
    if (i >= lo && i <= hi) out.push(i);
    const j = a / i;
    if (j !== i && j >= lo && j <= hi) out.push(j);
  }
  return out;
}

/** A random divisor d ≠ 0 of `dividend` with lo ≤ d ≤ hi (any non-zero d in range divides 0), or null. */
function drawDivisor(dividend: number, lo: number, hi: number, rng: Rng): number | null {
  const from = Math.max(1, lo);
  if (from > hi) return null;
  if (dividend === 0) return rng.int(from, hi);
  const divisors = divisorsInRange(dividend, from, hi);
  return divisors.length === 0 ? null : rng.pick(divisors);
}

/**
 * Evaluates bottom-up and repairs the tree in place where a right operand is a literal: a divisor is re-drawn so
 * the division is exact, and a subtrahend is re-drawn so the difference stays ≥ 0 when `nonNegative`. Returns the
 * value, or null when some constraint cannot be met this way (the caller redraws).
 */
function settle(node: Expr, o: ArithmeticOptions, rng: Rng): number | null {
  if (node.kind === 'num') return node.value;
  const left = settle(node.left, o, rng);
  if (left === null) return null;
  if (node.right.kind === 'num') {
    if (node.op === '/') {
      const divisor = drawDivisor(left, o.minValue, o.maxValue, rng);
      if (divisor === null) return null;
      node.right.value = divisor;
    } else if (node.op === '-' && o.nonNegative && node.right.value > left) {
      if (left < o.minValue) return null;
      node.right.value = rng.int(o.minValue, Math.min(o.maxValue, left));
    }
  }
  const right = settle(node.right, o, rng);
  if (right === null) return null;
  const result = applyOperator(node.op, left, right);
  if (result === null || Math.abs(result) > o.maxResult || (o.nonNegative && result < 0)) return null;
  return result;
}

/** Draws one arithmetic problem (any split), or null if this draw broke a constraint. */
export function drawArithmetic(o: ArithmeticOptions, rng: Rng): Draft<ArithmeticMeta> | null {
  const n = rng.int(o.minOperands, o.maxOperands);
  const values = Array.from({ length: n }, () => rng.int(o.minValue, o.maxValue));
  const tree = o.parentheses
    ? randomTree(values, rng, o.operators)
    : flatTree(
        values,
        Array.from({ length: n - 1 }, () => rng.pick(o.operators)),
      );
  const value = settle(tree, o, rng);
  if (value === null) return null;
  const expression = printExpression(tree);
  return {
    canonical: expression,
    prompt: arithmeticPrompt(expression, o.promptStyle),
    answer: String(value),
    meta:
      o.promptStyle === 'program'
        ? { task: 'arithmetic', reward: 'code', expression, tests: { inputs: [''], outputs: [String(value)] } }
        : { task: 'arithmetic', reward: 'accuracy', expression },
  };
}

export type ArithmeticTask = Task<ArithmeticOptions, ArithmeticMeta>;

/**
 * The arithmetic task with the given knobs (or a preset name).
 *
 * @example
 * const task = arithmeticTask({ maxOperands: 2, operators: ['+'] });
 * task.generate({ split: 'train', count: 2, seed: 1 });
 * // [{ id: 'arithmetic-09d159be84c1bc', prompt: 'What is 4 + 7?', answer: '11', meta: { expression: '4 + 7', … } },
 * //  { id: 'arithmetic-1447cbda263a8b', prompt: 'What is 8 + 9?', answer: '17', … }]
 */
export function arithmeticTask(options: Partial<ArithmeticOptions> | ArithmeticPreset = {}): ArithmeticTask {
  const resolved = resolveArithmeticOptions(typeof options === 'string' ? presetOptions(options) : options);
  return defineTask({
    name: 'arithmetic',
    reward: 'accuracy',
    options: resolved,
    testFraction: resolved.testFraction,
    draw: (rng) => drawArithmetic(resolved, rng),
    // Re-print through the parser so an item whose meta was edited by hand still maps to its real problem.
    canonicalOf: (item) => printExpression(parseExpression(item.meta.expression)),
    exhaustedHint:
      'The knobs leave (almost) no problems in this split: widen minValue..maxValue, operand counts, operators or ' +
      'maxResult, set nonNegative: false, or change testFraction.',
  });
}

function presetOptions(name: string): Partial<ArithmeticOptions> {
  const preset = (ARITHMETIC_PRESETS as Record<string, Partial<ArithmeticOptions>>)[name];
  if (preset === undefined) {
    throw new TypeError(
      `Unknown arithmetic preset '${name}'. Presets: ${Object.keys(ARITHMETIC_PRESETS).join(', ')}; or pass options.`,
    );
  }
  return preset;
}
