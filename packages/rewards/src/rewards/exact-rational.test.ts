import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  add,
  div,
  equals,
  type Fraction,
  fraction,
  fromNumber,
  mul,
  neg,
  parseDecimal,
  show,
  sub,
} from './exact-rational';

const f = (n: number, d = 1) => fraction(BigInt(n), BigInt(d))!;

describe('exact rationals', () => {
  test.each<[string, Fraction | null, string]>([
    ['fraction(6n, 4n)', fraction(6n, 4n), '3/2'],
    ['fraction(-6n, -4n)', fraction(-6n, -4n), '3/2'],
    ['fraction(6n, -4n)', fraction(6n, -4n), '-3/2'],
    ['fraction(0n, -5n)', fraction(0n, -5n), '0'],
    ['add(f(1, 2), f(1, 3))', add(f(1, 2), f(1, 3)), '5/6'],
    ['sub(f(1, 2), f(1, 2))', sub(f(1, 2), f(1, 2)), '0'],
    ['mul(f(2, 3), f(3, 4))', mul(f(2, 3), f(3, 4)), '1/2'],
    ['div(f(6), f(4))', div(f(6), f(4)), '3/2'],
    ['neg(f(3, 2))', neg(f(3, 2)), '-3/2'],
    ['parseDecimal("2.50")', parseDecimal('2.50'), '5/2'],
    ['parseDecimal("007")', parseDecimal('007'), '7'],
    ['fromNumber(0.1)', fromNumber(0.1), '1/10'],
    ['fromNumber(-2.5)', fromNumber(-2.5), '-5/2'],
    ['fromNumber(1e-7)', fromNumber(1e-7), '1/10000000'],
    ['fromNumber(1.5e21)', fromNumber(1.5e21), '1500000000000000000000'],
    ['fromNumber(-0)', fromNumber(-0), '0'],
  ])('%s is %s', (_label, value, expected) => {
    expect(show(value!)).toBe(expected);
  });

  test('undefined or invalid → null', () => {
    for (const value of [
      fraction(1n, 0n),
      div(f(1), f(0)),
      parseDecimal('1.'),
      parseDecimal('-1'),
      parseDecimal(''),
      fromNumber(Number.NaN),
      fromNumber(Number.POSITIVE_INFINITY),
    ]) {
      expect(value).toBeNull();
    }
  });

  const frac = fc
    .tuple(fc.bigInt({ min: -1000n, max: 1000n }), fc.bigInt({ min: 1n, max: 1000n }))
    .map(([n, d]) => fraction(n, d)!);

  test('property: field laws (commutativity, inverses, distributivity)', () => {
    fc.assert(
      fc.property(frac, frac, frac, (a, b, c) => {
        expect(equals(add(a, b), add(b, a))).toBe(true);
        expect(equals(sub(add(a, b), b), a)).toBe(true);
        expect(equals(mul(a, add(b, c)), add(mul(a, b), mul(a, c)))).toBe(true);
        if (b.n !== 0n) expect(equals(mul(div(a, b)!, b), a)).toBe(true);
      }),
    );
  });

  test('property: always reduced with a positive denominator', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -10_000n, max: 10_000n }), fc.bigInt({ min: -10_000n, max: 10_000n }), (n, d) => {
        fc.pre(d !== 0n);
        const r = fraction(n, d)!;
        expect(r.d > 0n).toBe(true);
        const g = (x: bigint, y: bigint): bigint => (y === 0n ? x : g(y, x % y));
        expect(g(r.n < 0n ? -r.n : r.n, r.d)).toBe(1n);
      }),
    );
  });

  test('property: fromNumber is exact for integers and dyadic decimals', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 10 }), (k, m) => {
        const x = k / 2 ** m;
        const r = fromNumber(x)!;
        expect(Number(r.n) / Number(r.d)).toBe(x);
      }),
    );
  });
});
