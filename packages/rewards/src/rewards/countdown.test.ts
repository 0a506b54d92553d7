import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { HOSTILE } from '../testing/index';
import type { Sample } from '../types';
import { countdownReward, countdownTask, createCountdownReward, judgeCountdown } from './countdown';
import { add, div, type Fraction, fraction, mul, sub } from './exact-rational';

const task = (numbers: number[], target: number): Sample => ({ prompt: 'countdown', meta: { numbers, target } });
const answer = (equation: string) => `<think>Let me try.</think>\n<answer>${equation}</answer>`;
const s = task([25, 5, 4], 80);

describe('countdownReward (TinyZero rules: each number exactly once)', () => {
  test.each<[string, number]>([
    ['(25 - 5) * 4', 1],
    ['4 * (25 - 5)', 1],
    ['(25 − 5) × 4', 1],
    ['(25 - 5) * 4 = 80', 1],
    ['(25 - 5) * 4 = 81', 0], // the claimed value is wrong
    ['25 * 4 - 5', 0], // 95: wrong value
    ['(25 - 5) * 5', 0], // 5 twice, 4 unused
    ['25 * 4', 0], // 5 unused
    ['(25 - 5) * 4 * 1', 0], // 1 not given
    ['20 * 4', 0], // 20 not given
    ['4 / (5 - 5) + 25', 0], // division by zero
    ['the answer is 80', 0], // not an equation
    ['eval(25*5)', 0],
    ['', 0],
  ])('%j → %d', (equation, expected) => {
    expect(countdownReward(answer(equation), s)).toBe(expected);
  });

  test('exact arithmetic: no float tolerance needed, and none given', () => {
    expect(countdownReward(answer('(6 / 4) * 2 + 0'), task([6, 4, 2, 0], 3))).toBe(1);
    expect(countdownReward(answer('1 / 3 * 3'), task([1, 3, 3], 1))).toBe(1);
    expect(countdownReward(answer('10 / 3'), task([10, 3], 3.3333333333333335))).toBe(0);
  });

  test('the answer is taken from the last answer block; no answer block scores 0', () => {
    expect(countdownReward(`<answer>1</answer>${answer('(25 - 5) * 4')}`, s)).toBe(1);
    expect(countdownReward('<think>(25 - 5) * 4</think>', s)).toBe(0);
    expect(countdownReward('(25 - 5) * 4', s)).toBe(0);
  });

  test('repeated given numbers may each be used once', () => {
    expect(countdownReward(answer('3 * 3 + 5'), task([3, 3, 5], 14))).toBe(1);
    expect(countdownReward(answer('3 * 3 * 3 + 5'), task([3, 3, 5], 32))).toBe(0);
  });

  test('useAllNumbers: false allows leaving numbers out, never reusing them', () => {
    const some = createCountdownReward({ useAllNumbers: false });
    expect(some(answer('25 * 4 - 20'), s)).toBe(0);
    expect(some(answer('(25 - 5) * 4'), s)).toBe(1);
    expect(some(answer('20 * 4'), task([20, 4, 7], 80))).toBe(1);
    expect(some(answer('20 * 4 * 1'), task([20, 4, 7], 80))).toBe(0);
    expect(some(answer('20 + 20 + 20 + 20'), task([20, 4, 7], 80))).toBe(0);
  });

  test('formatScore gives TinyZero partial credit to well-formed wrong equations only', () => {
    const tiny = createCountdownReward({ formatScore: 0.1 });
    expect(tiny(answer('(25 - 5) * 4'), s)).toBe(1);
    expect(tiny(answer('25 * 4 - 5'), s)).toBe(0.1);
    expect(tiny(answer('20 * 4'), s)).toBe(0.1);
    expect(tiny(answer('not math'), s)).toBe(0);
    expect(tiny(answer('4 / (5 - 5) + 25'), s)).toBe(0);
    expect(tiny('no answer block', s)).toBe(0);
  });

  test('a sample without valid numbers/target cannot be scored (null)', () => {
    for (const meta of [
      undefined,
      {},
      { numbers: [1, 2] },
      { numbers: 'abc', target: 3 },
      { numbers: [1, Number.NaN], target: 3 },
      { numbers: [1], target: '3' },
    ]) {
      expect(countdownReward(answer('1 + 2'), { prompt: 'x', ...(meta === undefined ? {} : { meta }) })).toBeNull();
    }
  });

  test.each<[object, RegExp]>([
    [{ formatScore: 0.5 + 1 }, /'formatScore' must be a number in \[0, 1\]/],
    [{ useAllNumbers: 'yes' }, /'useAllNumbers' must be true or false/],
    [{ format: 'json' }, /unknown format 'json'/],
    [{ format_score: 0.1 }, /unknown option 'format_score'/],
  ])('bad options %j', (options, message) => {
    expect(() => createCountdownReward(options)).toThrow(message);
  });

  test.each(HOSTILE)('hostile input (%s, 100 KB) returns a score', (_name, text) => {
    expect([0, 1]).toContain(countdownReward(text, s));
  });
});

describe('judgeCountdown verdicts', () => {
  const t = countdownTask(s)!;
  const opts = { useAllNumbers: true, maxEquationChars: 500 };
  test.each([
    ['(25 - 5) * 4', 'correct'],
    [null, 'no-answer'],
    ['  ', 'no-answer'],
    ['25 +', 'syntax-error'],
    ['25 / (5 - 5) * 4', 'division-by-zero'],
    ['25 * 4', 'number-unused'],
    ['25 * 4 * 7 - 5', 'number-not-given'],
    ['25 * 4 - 5', 'wrong-value'],
  ])('%j → %s', (equation, verdict) => {
    expect(judgeCountdown(equation, t, opts)).toBe(verdict);
  });
});

// ------------------------------------------------------------------------------------------------ properties

type Tree = { text: string; value: Fraction | null };
const OPS = ['+', '-', '*', '/'] as const;

/** A random equation over `numbers` (each used exactly once, in the order given), with its exact value. */
function build(numbers: readonly number[], ops: readonly (typeof OPS)[number][], splits: readonly number[]): Tree {
  let k = 0;
  const go = (lo: number, hi: number): Tree => {
    if (hi - lo === 1) return { text: String(numbers[lo]), value: fraction(BigInt(numbers[lo]!))! };
    const mid = lo + 1 + (splits[k % splits.length]! % (hi - lo - 1));
    const op = ops[k++ % ops.length]!;
    const a = go(lo, mid);
    const b = go(mid, hi);
    const value =
      a.value === null || b.value === null
        ? null
        : op === '+'
          ? add(a.value, b.value)
          : op === '-'
            ? sub(a.value, b.value)
            : op === '*'
              ? mul(a.value, b.value)
              : div(a.value, b.value);
    return { text: `(${a.text} ${op} ${b.text})`, value };
  };
  return go(0, numbers.length);
}

const puzzle = fc.record({
  numbers: fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 2, maxLength: 5 }),
  ops: fc.array(fc.constantFrom(...OPS), { minLength: 1, maxLength: 4 }),
  splits: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
  seed: fc.nat(),
});

/** A permutation of `xs` chosen by `seed`. */
function shuffle<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let x = seed + 1;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('countdownReward properties', () => {
  test('any valid equation built from the given numbers (each once) scores 1', () => {
    fc.assert(
      fc.property(puzzle, ({ numbers, ops, splits, seed }) => {
        const tree = build(shuffle(numbers, seed), ops, splits);
        fc.pre(tree.value !== null && tree.value.d === 1n);
        const target = Number(tree.value!.n);
        expect(countdownReward(answer(tree.text), task(numbers, target))).toBe(1);
        expect(createCountdownReward({ useAllNumbers: false })(answer(tree.text), task(numbers, target))).toBe(1);
      }),
      { numRuns: 300 },
    );
  });

  test('an equation using a number that is not given, or a given number twice, scores 0', () => {
    fc.assert(
      fc.property(puzzle, fc.nat(), fc.boolean(), ({ numbers, ops, splits, seed }, pick, twice) => {
        const given = shuffle(numbers, seed);
        const extra = twice ? given[pick % given.length]! : Math.max(...numbers) + 1 + (pick % 50);
        const tree = build([...given, extra], ops, splits);
        fc.pre(tree.value !== null && tree.value.d === 1n);
        const target = Number(tree.value!.n);
        // Whatever value it reaches, it is 0 under both rules.
        expect(countdownReward(answer(tree.text), task(numbers, target))).toBe(0);
        expect(createCountdownReward({ useAllNumbers: false })(answer(tree.text), task(numbers, target))).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  test('range: 0, formatScore or 1 for any completion', () => {
    const tiny = createCountdownReward({ formatScore: 0.1 });
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('1', '2', '5', '+', '-', '*', '/', '(', ')', ' ', '=') }),
        (equation) => {
          expect([0, 1]).toContain(countdownReward(answer(equation), task([1, 2, 5], 3)));
          expect([0, 0.1, 1]).toContain(tiny(answer(equation), task([1, 2, 5], 3)));
        },
      ),
    );
  });
});
