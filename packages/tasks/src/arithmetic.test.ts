import type { Sample } from '@r1/rewards';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  ARITHMETIC_PRESETS,
  type ArithmeticOptions,
  arithmeticPrompt,
  arithmeticTask,
  DEFAULT_ARITHMETIC_OPTIONS,
  resolveArithmeticOptions,
} from './arithmetic';
import { evaluateSteps, OPERATORS, type Operator, parseExpression } from './expression';

/** Independent reference: JavaScript's own evaluation of the expression text. */
function jsEval(text: string): number {
  if (!/^[\d\s+\-*/()]+$/.test(text)) throw new Error(`unexpected characters in ${text}`);
  return new Function(`return (${text});`)() as number;
}

const knobsArbitrary: fc.Arbitrary<Partial<ArithmeticOptions>> = fc
  .record({
    minOperands: fc.integer({ min: 2, max: 5 }),
    extraOperands: fc.integer({ min: 0, max: 2 }),
    minValue: fc.integer({ min: 0, max: 20 }),
    span: fc.integer({ min: 4, max: 120 }), // at least 5 values: tiny spaces can leave a split empty
    operators: fc.subarray([...OPERATORS] as Operator[], { minLength: 1 }),
    nonNegative: fc.boolean(),
    parentheses: fc.boolean(),
    maxResult: fc.integer({ min: 1000, max: 100_000 }),
  })
  .map(({ extraOperands, span, ...k }) => ({
    ...k,
    maxOperands: k.minOperands + extraOperands,
    maxValue: k.minValue + span,
  }));

describe('resolveArithmeticOptions', () => {
  test('defaults', () => {
    expect(resolveArithmeticOptions()).toEqual({ ...DEFAULT_ARITHMETIC_OPTIONS, operators: ['+', '-', '*'] });
  });

  test.each<[unknown, RegExp]>([
    [{ maxOperand: 3 }, /Unknown arithmetic option 'maxOperand'\. Did you mean 'maxOperands'\?/],
    [{ bogus: 1 }, /Unknown arithmetic option 'bogus'\. Known arithmetic options: minOperands/],
    [{ minOperands: 1 }, /minOperands must be an integer in \[2, 8\] \(got 1\)/],
    [{ minOperands: 4, maxOperands: 3 }, /minOperands \(4\) must be ≤ maxOperands \(3\)/],
    [{ minValue: 5, maxValue: 4 }, /minValue \(5\) must be ≤ maxValue \(4\)/],
    [{ minValue: -1 }, /minValue must be an integer in \[0, 1000000\]/],
    [{ operators: [] }, /operators must be a non-empty array/],
    [{ operators: ['+', '^'] }, /operators entry must be one of '\+', '-', '\*', '\/' \(got "\^"\)/],
    [{ operators: ['+', '+'] }, /operators has repeats/],
    [{ operators: ['/'], maxValue: 0 }, /only '\/' needs maxValue ≥ 1/],
    [{ nonNegative: 'yes' }, /nonNegative must be true or false/],
    [{ maxResult: 0 }, /maxResult must be an integer/],
    [{ promptStyle: 'latex' }, /promptStyle must be one of 'question', 'equation', 'program'/],
    [{ testFraction: 2 }, /testFraction must be a number in \[0, 1\]/],
    [null, /must be an object/],
  ])('rejects %j', (partial, message) => {
    expect(() => resolveArithmeticOptions(partial as Partial<ArithmeticOptions>)).toThrow(message);
  });

  test('presets resolve, and an unknown preset names the known ones', () => {
    for (const name of Object.keys(ARITHMETIC_PRESETS) as (keyof typeof ARITHMETIC_PRESETS)[]) {
      expect(arithmeticTask(name).options.maxOperands).toBeGreaterThanOrEqual(2);
    }
    expect(() => arithmeticTask('impossible' as 'tiny')).toThrow(/Presets: tiny, easy, medium, hard/);
  });
});

describe('arithmeticPrompt', () => {
  test.each([
    ['7 + 5 * 3', 'question', 'What is 7 + 5 * 3?'],
    ['7 + 5 * 3', 'equation', '7 + 5 * 3 ='],
    ['7 + 5 * 3', 'program', 'Write a Python program that prints the value of 7 + 5 * 3.'],
  ] as const)('%s in style %s', (expression, style, prompt) => {
    expect(arithmeticPrompt(expression, style)).toBe(prompt);
  });
});

describe('arithmeticTask', () => {
  test('names its reward and builds Sample-compatible items', () => {
    const task = arithmeticTask();
    expect(task.name).toBe('arithmetic');
    expect(task.reward).toBe('accuracy');
    const items = task.generate({ split: 'train', count: 3, seed: 0 });
    const samples: Sample[] = items;
    for (const s of samples) {
      expect(s.id).toMatch(/^arithmetic-[0-9a-f]{14}$/);
      expect(s.prompt).toMatch(/^What is [\d +\-*/]+\?$/);
      expect(s.meta).toMatchObject({ task: 'arithmetic', reward: 'accuracy' });
    }
  });

  test('the same seed gives the same items; another seed gives others', () => {
    const task = arithmeticTask('medium');
    const a = task.generate({ split: 'train', count: 50, seed: 11 });
    expect(task.generate({ split: 'train', count: 50, seed: 11 })).toEqual(a);
    expect(arithmeticTask('medium').generate({ split: 'train', count: 50, seed: 11 })).toEqual(a);
    expect(task.generate({ split: 'train', count: 50, seed: 12 })).not.toEqual(a);
  });

  test('generate is a prefix of a longer generate and equals the stream', () => {
    const task = arithmeticTask();
    const short = task.generate({ split: 'test', count: 20, seed: 5 });
    const long = task.generate({ split: 'test', count: 60, seed: 5 });
    expect(long.slice(0, 20)).toEqual(short);
    const streamed = [];
    for (const item of task.stream({ split: 'test', seed: 5 })) {
      streamed.push(item);
      if (streamed.length === 60) break;
    }
    expect(streamed).toEqual(long);
  });

  test('train and test never share a problem, across many seeds and items', () => {
    const task = arithmeticTask({ maxOperands: 3, maxValue: 12 });
    const train = new Set<string>();
    const test = new Set<string>();
    for (const seed of [0, 1, 2, 3]) {
      for (const item of task.generate({ split: 'train', count: 2000, seed })) train.add(item.meta.expression);
      for (const item of task.generate({ split: 'test', count: 500, seed })) test.add(item.meta.expression);
    }
    expect(test.size).toBeGreaterThan(200);
    for (const expression of test) expect(train.has(expression)).toBe(false);
  });

  test('the tiny preset covers all 100 one-digit sums, split between train and test', () => {
    const task = arithmeticTask('tiny');
    const all: string[] = [];
    for (let a = 0; a <= 9; a++) for (let b = 0; b <= 9; b++) all.push(`${a} + ${b}`);
    const expected = { train: [] as string[], test: [] as string[] };
    for (const e of all) {
      expected[
        task.splitOf({
          id: '',
          prompt: '',
          answer: '',
          meta: { task: 'arithmetic', reward: 'accuracy', expression: e },
        })
      ].push(e);
    }
    expect(expected.test.length).toBeGreaterThan(0);
    for (const split of ['train', 'test'] as const) {
      const got = task.generate({ split, count: expected[split].length, seed: 3, unique: true });
      expect(got.map((i) => i.meta.expression).sort()).toEqual(expected[split].sort());
    }
    // One more unique problem than the split holds cannot exist: a clear error instead of a hang.
    expect(() => task.generate({ split: 'test', count: expected.test.length + 1, seed: 3, unique: true })).toThrow(
      /draws in a row gave no new test problem .* Or pass unique: false/,
    );
  });

  test('repeats are allowed by default and share an id', () => {
    const items = arithmeticTask('tiny').generate({ split: 'train', count: 300, seed: 1 });
    const byExpression = new Map<string, string>();
    for (const i of items) {
      expect(byExpression.get(i.meta.expression) ?? i.id).toBe(i.id);
      byExpression.set(i.meta.expression, i.id);
    }
    expect(byExpression.size).toBeLessThan(300);
  });

  test('splitOf agrees with the split each item was generated for', () => {
    const task = arithmeticTask('hard');
    for (const split of ['train', 'test'] as const) {
      for (const item of task.generate({ split, count: 100, seed: 8 })) expect(task.splitOf(item)).toBe(split);
    }
  });

  test('promptStyle equation', () => {
    const [item] = arithmeticTask({ promptStyle: 'equation' }).generate({ split: 'train', count: 1, seed: 0 });
    expect(item!.prompt).toBe(`${item!.meta.expression} =`);
  });

  test('promptStyle program: the answer is a program judged by one stdin/stdout test; the same split as question', () => {
    const program = arithmeticTask({ promptStyle: 'program' }).generate({ split: 'test', count: 20, seed: 3 });
    const question = arithmeticTask().generate({ split: 'test', count: 20, seed: 3 });
    program.forEach((item, i) => {
      expect(item.meta.reward).toBe('code');
      expect(item.meta.tests).toEqual({ inputs: [''], outputs: [item.answer] });
      expect(item.meta.expression).toBe(question[i]!.meta.expression);
      expect(item.prompt).toBe(`Write a Python program that prints the value of ${item.meta.expression}.`);
    });
    expect(question[0]!.meta.tests).toBeUndefined();
  });

  test('nonNegative: false does produce negative answers', () => {
    const items = arithmeticTask({ operators: ['-'], nonNegative: false }).generate({
      split: 'train',
      count: 200,
      seed: 4,
    });
    expect(items.some((i) => Number(i.answer) < 0)).toBe(true);
  });

  test('parentheses: true does produce parentheses; false never does', () => {
    const withParens = arithmeticTask({ parentheses: true, minOperands: 3, maxOperands: 4 });
    expect(withParens.generate({ split: 'train', count: 200, seed: 2 }).some((i) => i.prompt.includes('('))).toBe(true);
    const flat = arithmeticTask({ minOperands: 3, maxOperands: 4 });
    expect(flat.generate({ split: 'train', count: 200, seed: 2 }).some((i) => i.prompt.includes('('))).toBe(false);
  });

  test('every operator of the knobs shows up', () => {
    const items = arithmeticTask('medium').generate({ split: 'train', count: 400, seed: 6 });
    for (const op of OPERATORS) expect(items.some((i) => i.meta.expression.includes(` ${op} `))).toBe(true);
  });

  test.each<[string, unknown, RegExp]>([
    ['a bad split', { split: 'dev', count: 1, seed: 0 }, /split must be one of 'train', 'test'/],
    ['no seed', { split: 'train', count: 1 }, /seed must be a safe integer/],
    ['a fractional count', { split: 'train', count: 1.5, seed: 0 }, /count must be an integer/],
    ['a negative count', { split: 'train', count: -1, seed: 0 }, /count must be an integer/],
    ['no count', { split: 'train', seed: 0 }, /needs a count/],
    [
      'an unknown option',
      { split: 'train', count: 1, seed: 0, shuffle: true },
      /Unknown arithmetic.generate option 'shuffle'/,
    ],
  ])('generate rejects %s', (_, options, message) => {
    expect(() => arithmeticTask().generate(options as never)).toThrow(message);
  });

  test('count 0 gives no items', () => {
    expect(arithmeticTask().generate({ split: 'test', count: 0, seed: 0 })).toEqual([]);
  });

  test('property: answers equal an independent evaluation and every knob holds', () => {
    let exhausted = 0;
    fc.assert(
      fc.property(knobsArbitrary, fc.integer(), fc.constantFrom('train', 'test'), (knobs, seed, split) => {
        const task = arithmeticTask(knobs);
        const o = task.options;
        let items: ReturnType<typeof task.generate>;
        try {
          items = task.generate({ split: split as 'train' | 'test', count: 15, seed });
        } catch (error) {
          // Some random knob combinations leave no problems at all (e.g. only '/' on [0, 0]); that must be said.
          expect(String(error)).toMatch(/draws in a row gave no new/);
          exhausted++;
          return;
        }
        for (const item of items) {
          const e = item.meta.expression;
          expect(item.prompt).toBe(`What is ${e}?`);
          expect(Number(item.answer)).toBe(jsEval(e) + 0); // + 0: JS gives -0 for 0 * -1, the answer text is "0"
          expect(item.answer).toMatch(/^-?\d+$/);
          const values = (e.match(/\d+/g) ?? []).map(Number);
          expect(values.length).toBeGreaterThanOrEqual(o.minOperands);
          expect(values.length).toBeLessThanOrEqual(o.maxOperands);
          for (const v of values) expect(v >= o.minValue && v <= o.maxValue).toBe(true);
          for (const op of e.match(/[-+*/]/g) ?? []) expect(o.operators).toContain(op);
          if (!o.parentheses) expect(e).not.toMatch(/[()]/);
          const steps = evaluateSteps(parseExpression(e));
          expect(steps).not.toBeNull();
          for (const step of steps!.steps) {
            expect(Math.abs(step.result)).toBeLessThanOrEqual(o.maxResult);
            if (o.nonNegative) expect(step.result).toBeGreaterThanOrEqual(0);
          }
        }
      }),
      { numRuns: 80 },
    );
    // The property must mostly test items, not the exhaustion path.
    expect(exhausted).toBeLessThan(20); // observed 1–7 of 80
  });
});
