/**
 * The `countdown` task as in TinyZero: a few numbers and a target that an expression over + - * / reaches, using
 * each number once. Problems are built by construction — numbers are drawn first, then combined by a random tree
 * whose every intermediate value is a positive integer — so every problem is solvable, and the tree is kept in
 * `meta.solution` (it uses every number exactly once, so it is valid whether a reward demands "each number once" or
 * "at most once"). Targets equal to one of the numbers are rejected, so no problem is solved by copying a number.
 *
 * Deliberately not here: scoring (@r1/rewards' countdown reward reads `meta.numbers` and `meta.target`), search for
 * other solutions, or fractional intermediates (TinyZero allows them in answers; our construction never needs them).
 */

import { bin, type Expr, num, OPERATORS, type Operator, printExpression } from './expression';
import { checkInteger, checkNumber, checkOneOf, describe, rejectUnknownKeys } from './resolve';
import type { Rng } from './rng';
import { type Draft, defineTask, type Task } from './task';

export type CountdownPromptStyle = 'sentence' | 'compact';

export interface CountdownOptions {
  /** Fewest numbers in a problem, ≥ 2. Default 3 (TinyZero's Countdown-Tasks-3to4). */
  minNumbers: number;
  /** Most numbers, ≤ 6. Default 4. */
  maxNumbers: number;
  /** Smallest number, ≥ 1. Default 1. */
  minNumber: number;
  /** Largest number, ≤ 10,000. Default 99. */
  maxNumber: number;
  /** Smallest target, ≥ 1. Default 1. */
  minTarget: number;
  /** Largest target, ≤ 1,000,000. Default 100. */
  maxTarget: number;
  /** Operators the construction may use (and the prompt lists). Default all four. */
  operators: readonly Operator[];
  /**
   * 'sentence': TinyZero's wording ("Using the numbers [3, 5, 7], create an equation that equals 22. …");
   * 'compact': "Make 22 from 3, 5, 7." (shorter, for tiny models). Default 'sentence'.
   */
  promptStyle: CountdownPromptStyle;
  /** Fraction of the problem space held out as the test split, in [0, 1]. Default 0.1. */
  testFraction: number;
}

export const DEFAULT_COUNTDOWN_OPTIONS: Readonly<CountdownOptions> = Object.freeze({
  minNumbers: 3,
  maxNumbers: 4,
  minNumber: 1,
  maxNumber: 99,
  minTarget: 1,
  maxTarget: 100,
  operators: Object.freeze([...OPERATORS]),
  promptStyle: 'sentence',
  testFraction: 0.1,
});

/** Difficulty presets. */
export const COUNTDOWN_PRESETS = Object.freeze({
  /** Three one-digit numbers, + and - only, targets up to 20. */
  tiny: { minNumbers: 3, maxNumbers: 3, maxNumber: 9, maxTarget: 20, operators: ['+', '-'] },
  /** Three or four one-digit numbers, all operators, targets up to 50. */
  easy: { minNumbers: 3, maxNumbers: 4, maxNumber: 9, maxTarget: 50 },
  /** TinyZero's setting: three or four numbers up to 99, targets up to 100. */
  tinyzero: { minNumbers: 3, maxNumbers: 4, maxNumber: 99, maxTarget: 100 },
} satisfies Record<string, Partial<CountdownOptions>>);

export type CountdownPreset = keyof typeof COUNTDOWN_PRESETS;

/** Meta of a countdown item; `numbers` and `target` are what @r1/rewards' countdown reward reads. */
export type CountdownMeta = {
  task: 'countdown';
  reward: 'countdown';
  /** The numbers in prompt order. */
  numbers: number[];
  target: number;
  /** One expression that uses every number once and equals the target, e.g. "(7 + 5) * 3". */
  solution: string;
};

const KEYS = Object.keys(DEFAULT_COUNTDOWN_OPTIONS) as (keyof CountdownOptions)[];
/** Intermediate values above this are rejected, keeping every value an exact double. */
const MAX_INTERMEDIATE = 1e12;

/** Fills defaults and checks every field; throws with a fix on unknown keys or impossible combinations. */
export function resolveCountdownOptions(partial: Partial<CountdownOptions> = {}): CountdownOptions {
  rejectUnknownKeys(partial, KEYS, 'countdown option');
  const o = { ...DEFAULT_COUNTDOWN_OPTIONS, ...partial };
  checkInteger('countdown minNumbers', o.minNumbers, 2, 6);
  checkInteger('countdown maxNumbers', o.maxNumbers, 2, 6);
  if (o.minNumbers > o.maxNumbers) {
    throw new RangeError(`countdown minNumbers (${o.minNumbers}) must be ≤ maxNumbers (${o.maxNumbers})`);
  }
  checkInteger('countdown minNumber', o.minNumber, 1, 10_000);
  checkInteger('countdown maxNumber', o.maxNumber, 1, 10_000);
  if (o.minNumber > o.maxNumber) {
    throw new RangeError(`countdown minNumber (${o.minNumber}) must be ≤ maxNumber (${o.maxNumber})`);
  }
  checkInteger('countdown minTarget', o.minTarget, 1, 1_000_000);
  checkInteger('countdown maxTarget', o.maxTarget, 1, 1_000_000);
  if (o.minTarget > o.maxTarget) {
    throw new RangeError(`countdown minTarget (${o.minTarget}) must be ≤ maxTarget (${o.maxTarget})`);
  }
  if (!Array.isArray(o.operators) || o.operators.length === 0) {
    throw new TypeError(`countdown operators must be a non-empty array like ['+', '-'] (got ${describe(o.operators)})`);
  }
  for (const op of o.operators) checkOneOf('countdown operators entry', op, OPERATORS);
  if (new Set(o.operators).size !== o.operators.length) {
    throw new TypeError(`countdown operators has repeats (${o.operators.join(' ')}); list each operator once`);
  }
  checkOneOf('countdown promptStyle', o.promptStyle, ['sentence', 'compact'] as const);
  checkNumber('countdown testFraction', o.testFraction, 0, 1);
  return { ...o, operators: [...o.operators] };
}

/** The problem text in the given style. */
export function countdownPrompt(
  numbers: readonly number[],
  target: number,
  operators: readonly Operator[],
  style: CountdownPromptStyle,
): string {
  switch (style) {
    case 'sentence':
      return (
        `Using the numbers [${numbers.join(', ')}], create an equation that equals ${target}. ` +
        `You can use basic arithmetic operations (${operators.join(', ')}) and each number can only be used once.`
      );
    case 'compact':
      return `Make ${target} from ${numbers.join(', ')}.`;
    default: {
      const never: never = style;
      throw new TypeError(`unknown promptStyle ${String(never)}`);
    }
  }
}

type Built = { expr: Expr; value: number };

/**
 * Combines `values` (in this order) into a random tree. At each node only operations that keep the value a positive
 * integer are candidates; for - and / the larger operand goes first. Null when no operation fits.
 */
function build(values: readonly number[], operators: readonly Operator[], rng: Rng): Built | null {
  if (values.length === 1) return { expr: num(values[0]!), value: values[0]! };
  const cut = rng.int(1, values.length - 1);
  const a = build(values.slice(0, cut), operators, rng);
  if (a === null) return null;
  const b = build(values.slice(cut), operators, rng);
  if (b === null) return null;
  const [big, small] = a.value >= b.value ? [a, b] : [b, a];
  const candidates: Built[] = [];
  for (const op of operators) {
    switch (op) {
      case '+':
        candidates.push({ expr: bin('+', a.expr, b.expr), value: a.value + b.value });
        break;
      case '-':
        if (big.value !== small.value) {
          candidates.push({ expr: bin('-', big.expr, small.expr), value: big.value - small.value });
        }
        break;
      case '*':
        candidates.push({ expr: bin('*', a.expr, b.expr), value: a.value * b.value });
        break;
      case '/':
        if (big.value % small.value === 0) {
          candidates.push({ expr: bin('/', big.expr, small.expr), value: big.value / small.value });
        }
        break;
      default: {
        const never: never = op;
        throw new TypeError(`unknown operator ${String(never)}`);
      }
    }
  }
  const fitting = candidates.filter((c) => c.value <= MAX_INTERMEDIATE);
  return fitting.length === 0 ? null : rng.pick(fitting);
}

/** The canonical form of a countdown problem: the numbers as a sorted multiset, and the target. */
export function countdownCanonical(numbers: readonly number[], target: number): string {
  return `${[...numbers].sort((x, y) => x - y).join(',')}=>${target}`;
}

/** Draws one countdown problem (any split), or null if this draw missed the target range. */
export function drawCountdown(o: CountdownOptions, rng: Rng): Draft<CountdownMeta> | null {
  const k = rng.int(o.minNumbers, o.maxNumbers);
  const numbers = Array.from({ length: k }, () => rng.int(o.minNumber, o.maxNumber));
  const built = build(rng.shuffled(numbers), o.operators, rng);
  if (built === null) return null;
  const target = built.value;
  if (target < o.minTarget || target > o.maxTarget || numbers.includes(target)) return null;
  return {
    canonical: countdownCanonical(numbers, target),
    prompt: countdownPrompt(numbers, target, o.operators, o.promptStyle),
    answer: printExpression(built.expr),
    meta: { task: 'countdown', reward: 'countdown', numbers, target, solution: printExpression(built.expr) },
  };
}

export type CountdownTask = Task<CountdownOptions, CountdownMeta>;

/**
 * The countdown task with the given knobs (or a preset name). `answer` holds the example solution expression.
 *
 * @example
 * const task = countdownTask('easy');
 * const [item] = task.generate({ split: 'train', count: 1, seed: 0 });
 * item.meta; // { numbers: [9, 4, 3, 4], target: 13, solution: '9 + 4 / 4 + 3', … }
 */
export function countdownTask(options: Partial<CountdownOptions> | CountdownPreset = {}): CountdownTask {
  const resolved = resolveCountdownOptions(typeof options === 'string' ? presetOptions(options) : options);
  return defineTask({
    name: 'countdown',
    reward: 'countdown',
    options: resolved,
    testFraction: resolved.testFraction,
    draw: (rng) => drawCountdown(resolved, rng),
    canonicalOf: (item) => countdownCanonical(item.meta.numbers, item.meta.target),
    exhaustedHint:
      'The knobs leave (almost) no problems in this split: widen minTarget..maxTarget or minNumber..maxNumber, ' +
      'allow more operators or numbers, or change testFraction.',
  });
}

function presetOptions(name: string): Partial<CountdownOptions> {
  const preset = (COUNTDOWN_PRESETS as Record<string, Partial<CountdownOptions>>)[name];
  if (preset === undefined) {
    throw new TypeError(
      `Unknown countdown preset '${name}'. Presets: ${Object.keys(COUNTDOWN_PRESETS).join(', ')}; or pass options.`,
    );
  }
  return preset;
}
