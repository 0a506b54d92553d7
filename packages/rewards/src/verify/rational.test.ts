import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { rat, ratAdd, ratFromDecimal, ratMul, ratPowInt, ratRoot, ratToString } from './rational';

const D = 1000;

describe('rational', () => {
  test.each([
    ['12', '12'],
    ['0.25', '1/4'],
    ['.5', '1/2'],
    ['1e-3', '1/1000'],
    ['2.5E4', '25000'],
    ['007', '7'],
  ])('ratFromDecimal(%j) = %s', (text, expected) => {
    const r = ratFromDecimal(text, D);
    expect(r && ratToString(r)).toBe(expected);
  });

  test.each([['abc'], ['1.2.3'], ['.'], ['1e9999999']])('ratFromDecimal rejects %j', (text) => {
    expect(ratFromDecimal(text, D)).toBeNull();
  });

  test('powers are refused before any big-integer work when the result would be too large', () => {
    const five = rat(5n, 1n, D);
    expect(five && ratPowInt(five, 3125n, D, 1000)).toBeNull(); // 5^3125: 2,185 digits
    expect(five && ratPowInt(five, 10n ** 30n, D, 1000)).toBeNull();
    const one = rat(1n, 1n, D);
    expect(one && ratPowInt(one, 10n ** 30n, D, 1000)).toEqual({ n: 1n, d: 1n });
    const minusOne = rat(-1n, 1n, D);
    expect(minusOne && ratPowInt(minusOne, 10n ** 30n + 1n, D, 1000)).toEqual({ n: -1n, d: 1n });
    expect(five && ratPowInt(five, -2n, D, 1000)).toEqual({ n: 1n, d: 25n });
  });

  test('exact roots only', () => {
    expect(ratRoot({ n: 49n, d: 4n }, 2)).toEqual({ n: 7n, d: 2n });
    expect(ratRoot({ n: -8n, d: 1n }, 3)).toEqual({ n: -2n, d: 1n });
    expect(ratRoot({ n: 2n, d: 1n }, 2)).toBeNull();
    expect(ratRoot({ n: -4n, d: 1n }, 2)).toBeNull();
  });

  test('division by zero and oversize parts give null', () => {
    expect(rat(1n, 0n, D)).toBeNull();
    expect(rat(10n ** 2000n, 1n, D)).toBeNull();
  });

  test('properties: results are reduced with a positive denominator; + and × commute', () => {
    const r = fc.tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.bigInt({ min: 1n, max: 10n ** 20n }));
    fc.assert(
      fc.property(r, r, ([an, ad], [bn, bd]) => {
        const a = rat(an, ad, D);
        const b = rat(bn, bd, D);
        if (a === null || b === null) throw new Error('small rationals must fit');
        const s = ratAdd(a, b, D);
        expect(s).toEqual(ratAdd(b, a, D));
        expect(ratMul(a, b, D)).toEqual(ratMul(b, a, D));
        expect(s && s.d > 0n).toBe(true);
      }),
    );
  });
});
