import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  applyOperator,
  bin,
  type Expr,
  evaluateSteps,
  literals,
  num,
  OPERATORS,
  operatorsOf,
  parseExpression,
  printExpression,
} from './expression';

/** Independent reference: JavaScript's own evaluation of the printed text (same precedence rules). */
function jsEval(text: string): number {
  return new Function(`return (${text});`)() as number;
}

const exprArbitrary: fc.Arbitrary<Expr> = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer({ min: 0, max: 999 }).map(num),
    fc.tuple(fc.constantFrom(...OPERATORS), tie('expr'), tie('expr')).map(([op, left, right]) => bin(op, left, right)),
  ),
})).expr;

describe('evaluateSteps', () => {
  test.each([
    ['7 + 5 * 3', 22, ['5 * 3 = 15', '7 + 15 = 22']],
    ['(7 + 5) * 3', 36, ['7 + 5 = 12', '12 * 3 = 36']],
    ['8 / 2 - 1', 3, ['8 / 2 = 4', '4 - 1 = 3']],
    ['10 - 3 - 2', 5, ['10 - 3 = 7', '7 - 2 = 5']],
    ['10 - (3 - 2)', 9, ['3 - 2 = 1', '10 - 1 = 9']],
    ['2 * 3 + 4 * 5', 26, ['2 * 3 = 6', '4 * 5 = 20', '6 + 20 = 26']],
    ['3 - 5', -2, ['3 - 5 = -2']],
    ['42', 42, []],
  ])('%s = %d', (text, value, steps) => {
    const result = evaluateSteps(parseExpression(text));
    expect(result?.value).toBe(value);
    expect(result?.steps.map((s) => `${s.left} ${s.op} ${s.right} = ${s.result}`)).toEqual(steps);
  });

  test.each([['7 / 2'], ['5 / 0'], ['0 / 0'], ['1 + 9 / (3 - 3)']])('%s is not an exact integer: null', (text) => {
    expect(evaluateSteps(parseExpression(text))).toBeNull();
  });

  test('0 times a negative is +0, not -0', () => {
    expect(Object.is(applyOperator('*', 0, -3), 0)).toBe(true);
    expect(Object.is(applyOperator('/', 0, -3), 0)).toBe(true);
  });

  test('property: the value equals JavaScript evaluation of the printed text whenever every step is exact', () => {
    fc.assert(
      fc.property(exprArbitrary, (e) => {
        const result = evaluateSteps(e);
        if (result === null) return true;
        // `+ 0` maps −0 to 0: JavaScript gives (0 − 1 + 0) · 0 = −0, which is the same countdown value as 0.
        expect(result.value + 0).toBe(jsEval(printExpression(e)) + 0);
        expect(result.steps.length).toBe(operatorsOf(e).length);
      }),
    );
  });
});

describe('printExpression / parseExpression', () => {
  test.each<[Expr, string]>([
    [bin('+', num(7), bin('*', num(5), num(3))), '7 + 5 * 3'],
    [bin('*', bin('+', num(7), num(5)), num(3)), '(7 + 5) * 3'],
    [bin('-', bin('-', num(7), num(5)), num(3)), '7 - 5 - 3'],
    [bin('-', num(7), bin('-', num(5), num(3))), '7 - (5 - 3)'],
    [bin('+', num(7), bin('+', num(5), num(3))), '7 + (5 + 3)'],
    [bin('*', num(2), bin('/', num(6), num(3))), '2 * (6 / 3)'],
    [bin('/', bin('*', num(2), num(6)), num(3)), '2 * 6 / 3'],
    [num(0), '0'],
  ])('prints %j as %s', (tree, text) => {
    expect(printExpression(tree)).toBe(text);
    expect(parseExpression(text)).toEqual(tree);
  });

  test.each([['7 +'], ['7 + a'], ['(7 + 5'], ['-3'], [''], ['7 5'], ['1.5 + 2'], ['99999999999999999999']])(
    'rejects %j with a column',
    (text) => {
      expect(() => parseExpression(text)).toThrow(/cannot parse expression .* at column \d+/);
    },
  );

  test('accepts extra spaces', () => {
    expect(printExpression(parseExpression('  ( 7+5 )*3 '))).toBe('(7 + 5) * 3');
  });

  test('property: parse(print(tree)) is the tree', () => {
    fc.assert(
      fc.property(exprArbitrary, (e) => {
        expect(parseExpression(printExpression(e))).toEqual(e);
      }),
    );
  });

  test('property: literals and operators survive printing in order', () => {
    fc.assert(
      fc.property(exprArbitrary, (e) => {
        const text = printExpression(e);
        expect(text.match(/\d+/g)?.map(Number)).toEqual(literals(e));
        expect(text.match(/[-+*/]/g) ?? []).toEqual(operatorsOf(e));
      }),
    );
  });
});
