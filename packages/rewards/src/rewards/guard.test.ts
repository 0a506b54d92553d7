import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { EXAMPLE_SAMPLE as sample } from '../testing/index';
import type { Verifier } from '../types';
import { guardReward, measure, verdict } from './guard';

describe('guardReward', () => {
  const echo = guardReward((completion) => completion.length, 10);

  test.each<[unknown, number | null]>([
    ['abc', 3],
    ['', 0],
    ['x'.repeat(10), 10],
    ['x'.repeat(11), null], // over maxChars
    [undefined, null],
    [42, null],
    [{ toString: () => 'abc' }, null],
  ])('%j → %j', (completion, expected) => {
    expect(echo(completion as string, sample)).toBe(expected);
  });

  test.each<[() => number | null, number | null]>([
    [() => 0.5, 0.5],
    [() => null, null],
    [() => Number.NaN, null],
    [() => Number.POSITIVE_INFINITY, null],
    [
      () => {
        throw new Error('bug');
      },
      null,
    ],
  ])('a scorer returning or throwing %s gives %j', (score, expected) => {
    expect(guardReward(score, 100)('x', sample)).toBe(expected);
  });
});

describe('verdict', () => {
  test.each<[unknown, boolean | null]>([
    [true, true],
    [false, false],
    [1, true],
    [0.5, true],
    [0.49, false],
    [0, false],
    [-1, false],
    [null, null],
    [undefined, null],
    [Number.NaN, null],
    ['1', null],
  ])('verify returning %j → %j', (value, expected) => {
    expect(verdict((() => value) as Verifier, 'x', sample)).toBe(expected);
  });

  test('a throwing verifier is undecided', () => {
    const boom: Verifier = () => {
      throw new Error('verifier bug');
    };
    expect(verdict(boom, 'x', sample)).toBeNull();
  });
});

describe('measure', () => {
  test('accepts finite non-negative lengths only', () => {
    expect(measure((c) => c.length, 'abc')).toBe(3);
    expect(measure(() => -1, 'abc')).toBeNull();
    expect(measure(() => Number.NaN, 'abc')).toBeNull();
    expect(measure(() => '3' as unknown as number, 'abc')).toBeNull();
    expect(
      measure(() => {
        throw new Error('tokenizer crashed');
      }, 'abc'),
    ).toBeNull();
  });

  test('property: never throws, whatever the function returns', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const r = measure(() => value as number, 'x');
        expect(r === null || (typeof r === 'number' && r >= 0)).toBe(true);
      }),
    );
  });
});
