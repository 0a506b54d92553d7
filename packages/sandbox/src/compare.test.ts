import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { callResultMatches, canonicalDecimal, jsonEqual, normalizedLines, stdoutMismatch } from './compare';

const exact = { floatTolerance: null };

describe('stdoutMismatch', () => {
  test.each([
    ['same', '3\n', '3\n', null],
    ['trailing whitespace on a line', '1 2   \n3\t\n', '1 2\n3\n', null],
    ['trailing blank lines', '3\n\n\n', '3', null],
    ['no final newline', '3', '3\n', null],
    ['CRLF', '1\r\n2\r\n', '1\n2\n', null],
    ['decimals 0.50 = 0.5', '0.50\n', '0.5\n', null],
    ['decimals 1.0 = 1', '1.0 2\n', '1 2.000\n', null],
    ['-0 = 0', '-0\n', '0\n', null],
    ['1e3 = 1000', '1e3\n', '1000\n', null],
    ['a missing line', '1\n', '1\n2\n', '1 lines, expected 2'],
    ['an extra line', '1\n2\n3\n', '1\n2\n', '3 lines, expected 2'],
    ['only the first expected line (zip would pass)', '1\n', '1\n2\n3\n', '1 lines, expected 3'],
    ['a wrong token', '1 3\n', '1 2\n', 'line 1 differs'],
    ['a missing token', '1\n', '1 2\n', 'line 1 differs'],
    ['words are exact', 'Yes\n', 'YES\n', 'line 1 differs'],
    ['leading blank line counts', '\n3\n', '3\n', '2 lines, expected 1'],
    ['0.333 ≠ 0.3333 without tolerance', '0.333\n', '0.3333\n', 'line 1 differs'],
  ])('%s', (_, got, want, expected) => {
    expect(stdoutMismatch(got, want, exact)).toBe(expected);
  });

  test('floatTolerance: absolute or relative', () => {
    expect(stdoutMismatch('0.333333\n', '0.3333333333\n', { floatTolerance: 1e-6 })).toBeNull();
    expect(stdoutMismatch('1000001\n', '1000000\n', { floatTolerance: 1e-6 })).toBeNull();
    expect(stdoutMismatch('0.33\n', '0.3333\n', { floatTolerance: 1e-6 })).toBe('line 1 differs');
    expect(stdoutMismatch('nan\n', '0\n', { floatTolerance: 1 })).toBe('line 1 differs');
  });

  test('property: any output matches itself, with whitespace noise after lines and at the end', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', '1', '.', ' ', '-') }), { maxLength: 8 }),
        (lines) => {
          const text = lines.join('\n');
          const noisy = `${lines.map((l) => `${l}  `).join('\n')}\n\n`;
          expect(stdoutMismatch(noisy, text, exact)).toBeNull();
        },
      ),
    );
  });

  test('property: dropping any non-blank expected line is caught', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { minLength: 2, maxLength: 10 }), fc.nat(), (nums, k) => {
        const want = nums.join('\n');
        const got = nums.filter((_, i) => i !== k % nums.length).join('\n');
        expect(stdoutMismatch(got, want, exact)).not.toBeNull();
      }),
    );
  });
});

describe('canonicalDecimal', () => {
  test.each([
    ['0.50', '0.5e0'],
    ['.5', '0.5e0'],
    ['5', '0.5e1'],
    ['0050.00', '0.5e2'],
    ['-0.0', '0'],
    ['1e-2', '0.1e-1'],
    ['0.01', '0.1e-1'],
    ['abc', null],
    ['1.2.3', null],
    ['', null],
  ])('%s → %s', (token, want) => {
    expect(canonicalDecimal(token)).toBe(want);
  });

  test('property: a number and its padded forms are one decimal', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.nat({ max: 5 }), (n, zeros) => {
        expect(canonicalDecimal(`${n}.${'0'.repeat(zeros)}`)).toBe(canonicalDecimal(String(n)));
      }),
    );
  });
});

describe('normalizedLines', () => {
  test('trims line ends and trailing blank lines only', () => {
    expect(normalizedLines('  a  \n\n b\n\n \n')).toEqual(['  a', '', ' b']);
    expect(normalizedLines('')).toEqual([]);
  });
});

describe('call results (JSON values)', () => {
  test.each([
    ['lists', [1, [2, 3]], [1, [2, 3]], true],
    ['tuples arrive as lists', [1, 2], [1, 2], true],
    ['dicts, key order free', { a: 1, b: [2] }, { b: [2], a: 1 }, true],
    ['a missing key', { a: 1 }, { a: 1, b: 2 }, false],
    ['an extra key', { a: 1, b: 2 }, { a: 1 }, false],
    ['1 = 1.0', 1, 1.0, true],
    ['strings exact', 'a', 'A', false],
    ['true is not 1', true, 1, false],
    ['null is not 0', null, 0, false],
    ['list vs dict', [], {}, false],
    ['list lengths', [1, 2], [1, 2, 3], false],
  ])('%s', (_, got, want, same) => {
    expect(jsonEqual(got, want, null)).toBe(same);
  });

  test("APPS's one-element wrapper: expected [x] accepts x, but not the other way round", () => {
    expect(callResultMatches(3, [3], null)).toBe(true);
    expect(callResultMatches([3], [3], null)).toBe(true);
    expect(callResultMatches([[1, 2]], [1, 2], null)).toBe(false);
    expect(callResultMatches(3, [3, 3], null)).toBe(false);
  });

  test('tolerance applies to nested numbers', () => {
    expect(jsonEqual([0.1 + 0.2], [0.3], null)).toBe(false);
    expect(jsonEqual([0.1 + 0.2], [0.3], 1e-9)).toBe(true);
  });

  test('property: every JSON value equals itself', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(jsonEqual(v, JSON.parse(JSON.stringify(v)), null)).toBe(true);
      }),
    );
  });
});
