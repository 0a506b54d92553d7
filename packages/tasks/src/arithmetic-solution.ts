/**
 * Worked solutions for arithmetic problems, for a pretraining corpus: the steps in the order a person evaluates
 * ("5 * 3 = 15. 7 + 15 = 22."), optionally with an injected mistake so a corpus can mix good and bad solutions.
 * A mistake changes one step's result and is carried through the later steps, as a real slip would be.
 *
 * Deliberately not here: the final-answer wording or any template ("The answer is …" belongs to the corpus builder).
 */

import { applyOperator, type Expr, evaluateSteps, parseExpression, type Step } from './expression';
import { checkNumber, rejectUnknownKeys } from './resolve';
import { createRng, type Rng } from './rng';

export interface SolutionOptions {
  /** Probability that the solution contains one wrong step, in [0, 1]. Default 0. */
  errorRate?: number;
  /** Seed for choosing whether, where and how to err. Required (every random thing takes a seed). */
  seed: number;
}

export interface WorkedSolution {
  /** The steps as text, e.g. "5 * 3 = 15. 7 + 15 = 22." */
  text: string;
  steps: Step[];
  /** The final value the solution arrives at (wrong when a mistake was injected and carried through). */
  answer: string;
  /** True when every step is arithmetically right. */
  correct: boolean;
  /** Index in `steps` of the injected mistake, when there is one. */
  errorStep?: number;
}

/** Steps as text: "a op b = c." joined by single spaces. */
export function formatSteps(steps: readonly Step[]): string {
  return steps.map((s) => `${s.left} ${s.op} ${s.right} = ${s.result}.`).join(' ');
}

const MISTAKES = [1, 2, 3, 10];

/** A plausible wrong value near `value`: off by 1, 2, 3 or 10, never negative when the right value is not. */
function wrongValue(value: number, rng: Rng): number {
  const delta = rng.pick(MISTAKES);
  const down = value - delta;
  const up = value + delta;
  if (value >= 0 && down < 0) return up;
  return rng.bool(0.5) ? up : down;
}

/** Post-order evaluation where step `errorAt` gets a wrong result, which later steps use. */
function evaluateWithMistake(tree: Expr, errorAt: number, rng: Rng): Step[] {
  const steps: Step[] = [];
  const walk = (node: Expr): number => {
    if (node.kind === 'num') return node.value;
    const left = walk(node.left);
    const right = walk(node.right);
    // After a mistake a division may no longer be exact; a person would still write a whole number, so truncate.
    let result = applyOperator(node.op, left, right) ?? (right === 0 ? 0 : Math.trunc(left / right));
    if (steps.length === errorAt) result = wrongValue(result, rng);
    steps.push({ left, op: node.op, right, result });
    return result;
  };
  walk(tree);
  return steps;
}

/**
 * The worked solution of an arithmetic expression (as in an arithmetic item's `meta.expression`).
 *
 * @example
 * arithmeticSolution('7 + 5 * 3', { seed: 0 }).text; // "5 * 3 = 15. 7 + 15 = 22."
 */
export function arithmeticSolution(expression: string, options: SolutionOptions): WorkedSolution {
  rejectUnknownKeys(options, ['errorRate', 'seed'], 'arithmeticSolution option');
  if (options === undefined || !Number.isSafeInteger(options.seed)) {
    throw new TypeError('arithmeticSolution needs a safe-integer seed, e.g. { seed: 0, errorRate: 0.2 }');
  }
  const errorRate = checkNumber('arithmeticSolution errorRate', options.errorRate ?? 0, 0, 1);
  const tree = parseExpression(expression);
  const exact = evaluateSteps(tree);
  if (exact === null) {
    throw new RangeError(
      `expression ${JSON.stringify(expression)} has a division that is not exact; it is no task item`,
    );
  }
  if (exact.steps.length === 0) {
    throw new RangeError(`expression ${JSON.stringify(expression)} has no operation to work through`);
  }
  const rng = createRng(options.seed);
  if (!rng.bool(errorRate)) {
    return { text: formatSteps(exact.steps), steps: exact.steps, answer: String(exact.value), correct: true };
  }
  const errorStep = rng.int(0, exact.steps.length - 1);
  const steps = evaluateWithMistake(tree, errorStep, rng);
  const last = steps[steps.length - 1]!;
  return { text: formatSteps(steps), steps, answer: String(last.result), correct: false, errorStep };
}
