import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { evaluateEquation } from './countdown-equation';
import { show } from './exact-rational';

const value = (text: string) => {
  const r = evaluateEquation(text);
  if (r.kind !== 'ok') return `error: ${r.message}`;
  return r.value === null ? 'div0' : show(r.value);
};

describe('evaluateEquation', () => {
  test.each<[string, string]>([
    ['1 + 2 * 3', '7'],
    ['(1 + 2) * 3', '9'],
    ['10 - 4 - 3', '3'],
    ['100 / 10 / 5', '2'],
    ['6 / 4 * 2', '3'],
    ['2 / 3', '2/3'],
    ['-3 + 5', '2'],
    ['-(3 - 5)', '2'],
    ['--3', '3'],
    ['+3', '3'],
    ['2.5 * 4', '10'],
    ['(25 − 5) × 4', '80'],
    ['90 ÷ 3 · 2', '60'],
    ['3 \\times 4 \\div 6', '2'],
    ['((((7))))', '7'],
    ['1 / (2 - 2)', 'div0'],
    ['1 / 0 + 5', 'div0'],
    [' 1+2 ', '3'],
  ])('%j = %s', (text, expected) => {
    expect(value(text)).toBe(expected);
  });

  test.each<[string, RegExp]>([
    ['', /empty equation/],
    ['   ', /empty equation/],
    ['1 +', /expected a number or "\(", found the end/],
    ['(1 + 2', /expected "\)", found the end/],
    ['1 + 2)', /unexpected "\)"/],
    ['2(3 + 4)', /unexpected "\("/],
    ['2 ^ 3', /unexpected "\^"/],
    ['eval("1")', /unexpected "e"/],
    ['1 + x', /unexpected "x"/],
    ['1 = ', /expected a number after "=", found the end/],
    ['1 + 2 = 3 = 3', /unexpected "="/],
    ['1..2', /unexpected "\."/],
    ['\\timesx 2', /unexpected "\\\\"/],
    [`${'('.repeat(100)}1${')'.repeat(100)}`, /nested deeper than 64 levels/],
    [`${'-'.repeat(100)}1`, /nested deeper than 64 levels/],
    ['1+'.repeat(300), /longer than 500 characters/],
  ])('%j is a syntax error', (text, message) => {
    const r = evaluateEquation(text);
    expect(r.kind).toBe('syntax-error');
    if (r.kind === 'syntax-error') expect(r.message).toMatch(message);
  });

  test('reports the numbers used, in order, and an "= N" suffix separately', () => {
    const r = evaluateEquation('(25 - 5) * 4 = 80');
    expect(r.kind).toBe('ok');
    if (r.kind !== 'ok') return;
    expect(r.numbers.map(show)).toEqual(['25', '5', '4']);
    expect(show(r.rhs!)).toBe('80');
    expect(show(r.value!)).toBe('80');
  });

  test('100 KB of parentheses or operators is refused by the bounds, not by a stack overflow', () => {
    expect(evaluateEquation('('.repeat(100_000), { maxChars: 200_000, maxDepth: 64 }).kind).toBe('syntax-error');
    expect(evaluateEquation('1+'.repeat(50_000), { maxChars: 200_000, maxDepth: 64 }).kind).toBe('syntax-error');
  });

  test('property: agrees with BigInt arithmetic on generated integer expressions without division', () => {
    // Each generated node carries its text and its value computed independently with BigInt.
    type Node = { text: string; value: bigint };
    const leaf = fc.integer({ min: 0, max: 99 }).map((n): Node => ({ text: String(n), value: BigInt(n) }));
    const expr = fc.letrec<{ e: Node }>((tie) => ({
      e: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '×', '−'), tie('e'), fc.boolean()).map(([a, op, b, neg]) => {
          const v = op === '+' ? a.value + b.value : op === '*' || op === '×' ? a.value * b.value : a.value - b.value;
          return neg
            ? { text: `-(${a.text} ${op} ${b.text})`, value: -v }
            : { text: `(${a.text} ${op} ${b.text})`, value: v };
        }),
      ),
    })).e;
    fc.assert(
      fc.property(expr, (node) => {
        fc.pre(node.text.length <= 500);
        expect(value(node.text)).toBe(String(node.value));
      }),
    );
  });
});
