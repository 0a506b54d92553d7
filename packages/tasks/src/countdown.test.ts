import type { Sample } from '@r1/rewards';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  COUNTDOWN_PRESETS,
  type CountdownOptions,
  countdownCanonical,
  countdownPrompt,
  countdownTask,
  resolveCountdownOptions,
} from './countdown';
import { OPERATORS, type Operator } from './expression';

/**
 * An evaluator written for this test only, independent of expression.ts: shunting-yard over exact fractions.
 * Returns the value as [numerator, denominator] and the literals used, or null on a syntax error or division by 0.
 */
function evaluateCountdownAnswer(text: string): { value: [bigint, bigint]; literals: number[] } | null {
  const tokens = text.match(/\d+|[-+*/()]|\S/g) ?? [];
  const literals: number[] = [];
  const values: [bigint, bigint][] = [];
  const ops: string[] = [];
  const prec: Record<string, number> = { '+': 1, '-': 1, '*': 2, '/': 2 };
  const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));
  const reduce = (n: bigint, d: bigint): [bigint, bigint] => {
    const g = gcd(n, d) || 1n;
    return d < 0n ? [-n / g, -d / g] : [n / g, d / g];
  };
  const apply = (): boolean => {
    const op = ops.pop();
    const b = values.pop();
    const a = values.pop();
    if (op === undefined || a === undefined || b === undefined) return false;
    if (op === '+') values.push(reduce(a[0] * b[1] + b[0] * a[1], a[1] * b[1]));
    else if (op === '-') values.push(reduce(a[0] * b[1] - b[0] * a[1], a[1] * b[1]));
    else if (op === '*') values.push(reduce(a[0] * b[0], a[1] * b[1]));
    else if (op === '/') {
      if (b[0] === 0n) return false;
      values.push(reduce(a[0] * b[1], a[1] * b[0]));
    } else return false;
    return true;
  };
  for (const t of tokens) {
    if (/^\d+$/.test(t)) {
      literals.push(Number(t));
      values.push([BigInt(t), 1n]);
    } else if (t === '(') ops.push(t);
    else if (t === ')') {
      while (ops.length > 0 && ops[ops.length - 1] !== '(') if (!apply()) return null;
      if (ops.pop() !== '(') return null;
    } else if (t in prec) {
      while (ops.length > 0 && ops[ops.length - 1] !== '(' && prec[ops[ops.length - 1]!]! >= prec[t]!) {
        if (!apply()) return null;
      }
      ops.push(t);
    } else return null;
  }
  while (ops.length > 0) if (!apply()) return null;
  return values.length === 1 ? { value: values[0]!, literals } : null;
}

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);

const knobsArbitrary: fc.Arbitrary<Partial<CountdownOptions>> = fc
  .record({
    minNumbers: fc.integer({ min: 2, max: 4 }),
    extraNumbers: fc.integer({ min: 0, max: 2 }),
    minNumber: fc.integer({ min: 1, max: 10 }),
    span: fc.integer({ min: 5, max: 60 }), // at least 6 values: tiny spaces can leave a split empty
    minTarget: fc.integer({ min: 1, max: 20 }),
    targetSpan: fc.integer({ min: 5, max: 500 }),
    // '+' always, so the target range below is reachable; single-operator tasks have their own test.
    operators: fc.subarray(['-', '*', '/'] as Operator[]).map((ops): Operator[] => ['+', ...ops]),
  })
  .map(({ extraNumbers, span, targetSpan, ...k }) => {
    const maxNumbers = k.minNumbers + extraNumbers;
    const maxNumber = k.minNumber + span;
    // At least as high as the largest sum, so some draws always land in range.
    return { ...k, maxNumbers, maxNumber, maxTarget: Math.max(k.minTarget + targetSpan, maxNumbers * maxNumber) };
  });

describe('the test evaluator itself', () => {
  test.each<[string, [bigint, bigint] | null]>([
    ['(7 + 5) * 3', [36n, 1n]],
    ['7 + 5 * 3', [22n, 1n]],
    ['10 - 3 - 2', [5n, 1n]],
    ['7 / 2', [7n, 2n]],
    ['1 / 0', null],
    ['7 +', null],
    ['7 x 2', null],
  ])('%s', (text, value) => {
    expect(evaluateCountdownAnswer(text)?.value ?? null).toEqual(value);
  });
});

describe('resolveCountdownOptions', () => {
  test.each<[unknown, RegExp]>([
    [
      { maxNumbrs: 3 },
      /Unknown countdown option 'maxNumbrs'\. Did you mean 'maxNumbers'\? Known countdown options: minNumbers/,
    ],
    [{ numbers: 3 }, /Unknown countdown option 'numbers'\. Known countdown options: minNumbers/],
    [{ minNumbers: 1 }, /minNumbers must be an integer in \[2, 6\]/],
    [{ maxNumbers: 7 }, /maxNumbers must be an integer in \[2, 6\]/],
    [{ minNumbers: 4, maxNumbers: 3 }, /minNumbers \(4\) must be ≤ maxNumbers \(3\)/],
    [{ minNumber: 0 }, /minNumber must be an integer in \[1, 10000\]/],
    [{ minNumber: 9, maxNumber: 2 }, /minNumber \(9\) must be ≤ maxNumber \(2\)/],
    [{ minTarget: 50, maxTarget: 10 }, /minTarget \(50\) must be ≤ maxTarget \(10\)/],
    [{ operators: ['x'] }, /operators entry must be one of/],
    [{ promptStyle: 'question' }, /promptStyle must be one of 'sentence', 'compact'/],
  ])('rejects %j', (partial, message) => {
    expect(() => resolveCountdownOptions(partial as Partial<CountdownOptions>)).toThrow(message);
  });

  test('presets resolve', () => {
    for (const name of Object.keys(COUNTDOWN_PRESETS) as (keyof typeof COUNTDOWN_PRESETS)[]) {
      expect(countdownTask(name).options.minNumbers).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('countdownPrompt', () => {
  test.each([
    [
      'sentence',
      'Using the numbers [3, 5, 7], create an equation that equals 22. You can use basic arithmetic operations ' +
        '(+, -, *, /) and each number can only be used once.',
    ],
    ['compact', 'Make 22 from 3, 5, 7.'],
  ] as const)('style %s', (style, prompt) => {
    expect(countdownPrompt([3, 5, 7], 22, OPERATORS, style)).toBe(prompt);
  });

  test('canonical form ignores number order', () => {
    expect(countdownCanonical([7, 3, 5], 22)).toBe(countdownCanonical([3, 5, 7], 22));
    expect(countdownCanonical([7, 3, 5], 22)).not.toBe(countdownCanonical([3, 5, 7], 21));
  });
});

describe('countdownTask', () => {
  test('names its reward and gives meta.numbers / meta.target for the countdown reward', () => {
    const task = countdownTask();
    expect(task.reward).toBe('countdown');
    const items = task.generate({ split: 'train', count: 5, seed: 0 });
    const samples: Sample[] = items;
    for (const s of samples) {
      expect(Array.isArray(s.meta?.numbers)).toBe(true);
      expect(typeof s.meta?.target).toBe('number');
    }
  });

  test('the same seed gives the same items; another seed gives others', () => {
    const a = countdownTask().generate({ split: 'test', count: 30, seed: 3 });
    expect(countdownTask().generate({ split: 'test', count: 30, seed: 3 })).toEqual(a);
    expect(countdownTask().generate({ split: 'test', count: 30, seed: 4 })).not.toEqual(a);
  });

  test('train and test never share a problem (same numbers in any order, same target)', () => {
    const task = countdownTask('easy');
    const train = new Set<string>();
    const test = new Set<string>();
    for (const seed of [0, 1]) {
      for (const i of task.generate({ split: 'train', count: 2000, seed }))
        train.add(countdownCanonical(i.meta.numbers, i.meta.target));
      for (const i of task.generate({ split: 'test', count: 500, seed }))
        test.add(countdownCanonical(i.meta.numbers, i.meta.target));
    }
    expect(test.size).toBeGreaterThan(300);
    for (const key of test) expect(train.has(key)).toBe(false);
  });

  test.each<[Partial<CountdownOptions>]>([
    [{ operators: ['-'], minNumbers: 3, maxNumbers: 3, maxNumber: 50 }],
    [{ operators: ['*'], minNumbers: 3, maxNumbers: 3, maxNumber: 9, maxTarget: 729 }],
    [{ operators: ['/'], minNumbers: 2, maxNumbers: 3, maxNumber: 60 }],
    [{ operators: ['+'], minNumbers: 6, maxNumbers: 6, maxNumber: 9, maxTarget: 54 }],
  ])('single-operator knobs %j give solvable problems with that operator only', (knobs) => {
    for (const { meta } of countdownTask(knobs).generate({ split: 'train', count: 50, seed: 1 })) {
      const checked = evaluateCountdownAnswer(meta.solution);
      expect(checked!.value).toEqual([BigInt(meta.target), 1n]);
      expect(sorted(checked!.literals)).toEqual(sorted(meta.numbers));
      expect(new Set(meta.solution.match(/[-+*/]/g))).toEqual(new Set(knobs.operators));
    }
  });

  test('impossible knobs fail with a message that says what to widen', () => {
    // Four numbers ≥ 9 multiplied are ≥ 6561, never ≤ 100.
    const task = countdownTask({ operators: ['*'], minNumbers: 4, minNumber: 9, maxTarget: 100 });
    expect(() => task.generate({ split: 'train', count: 1, seed: 0 })).toThrow(/widen minTarget\.\.maxTarget/);
  });

  test('compact prompts for tiny models', () => {
    const [item] = countdownTask({ promptStyle: 'compact' }).generate({ split: 'train', count: 1, seed: 0 });
    expect(item!.prompt).toBe(`Make ${item!.meta.target} from ${item!.meta.numbers.join(', ')}.`);
  });

  test('property: every problem is solvable by its meta solution, and every knob holds', () => {
    let exhausted = 0;
    fc.assert(
      fc.property(knobsArbitrary, fc.integer(), fc.constantFrom('train', 'test'), (knobs, seed, split) => {
        const task = countdownTask(knobs);
        const o = task.options;
        let items: ReturnType<typeof task.generate>;
        try {
          items = task.generate({ split: split as 'train' | 'test', count: 10, seed });
        } catch (error) {
          expect(String(error)).toMatch(/draws in a row gave no new/);
          exhausted++;
          return;
        }
        for (const { prompt, answer, meta } of items) {
          const checked = evaluateCountdownAnswer(meta.solution);
          expect(checked).not.toBeNull();
          expect(checked!.value).toEqual([BigInt(meta.target), 1n]);
          expect(sorted(checked!.literals)).toEqual(sorted(meta.numbers));
          expect(answer).toBe(meta.solution);
          for (const op of meta.solution.match(/[-+*/]/g) ?? []) expect(o.operators).toContain(op);
          expect(meta.numbers.length).toBeGreaterThanOrEqual(o.minNumbers);
          expect(meta.numbers.length).toBeLessThanOrEqual(o.maxNumbers);
          for (const n of meta.numbers) expect(n >= o.minNumber && n <= o.maxNumber).toBe(true);
          expect(meta.target >= o.minTarget && meta.target <= o.maxTarget).toBe(true);
          expect(meta.numbers).not.toContain(meta.target);
          expect(prompt).toContain(`[${meta.numbers.join(', ')}]`);
          expect(prompt).toContain(`equals ${meta.target}.`);
          expect(/^[\x20-\x7e]*$/.test(prompt)).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
    expect(exhausted).toBeLessThan(15); // observed 0–3 of 60
  });
});
