import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { anyCompletion, HOSTILE, EXAMPLE_SAMPLE as sample } from '../testing/index';
import { createRepetitionPenalty, repetitionPenalty, repetitionRatio, words } from './repetition';

describe('repetitionRatio and repetitionPenalty (open-r1, 3-grams, max 1)', () => {
  test.each<[string, number]>([
    ['', 0],
    ['only two', 0],
    ['a b c', 0],
    ['the cat sat on the mat', 0],
    // 6 words → 4 trigrams: (a b c) (b c a) (c a b) (a b c) → 3 unique → 1 − 3/4
    ['a b c a b c', 0.25],
    ['A b C a B c', 0.25], // lower-cased
    ['a  b\n\tc   a b c', 0.25], // any whitespace splits
    // 10 words of one: 8 trigrams, 1 unique
    ['x x x x x x x x x x', 7 / 8],
  ])('%j → ratio %d', (text, ratio) => {
    expect(repetitionRatio(text, 3)).toBeCloseTo(ratio, 12);
    expect(repetitionPenalty(text, sample)).toBeCloseTo(ratio === 0 ? 0 : -ratio, 12);
  });

  test('words are split like Python str.split()', () => {
    expect(words('  Hello\u00a0World\n ')).toEqual(['hello', 'world']);
  });

  test('options scale and resize', () => {
    expect(createRepetitionPenalty({ maxPenalty: 2 })('a b c a b c', sample)).toBe(-0.5);
    expect(createRepetitionPenalty({ ngramSize: 1 })('a a b b', sample)).toBe(-0.5);
    expect(createRepetitionPenalty({ maxPenalty: 0 })('a a a a', sample)).toBe(0);
  });

  test.each<[object, RegExp]>([
    [
      { maxPenalty: -1 },
      /'maxPenalty' is the magnitude and must be ≥ 0 \(open-r1's max_penalty=-1.0 is maxPenalty: 1\)/,
    ],
    [{ ngramSize: 0 }, /'ngramSize' must be a number in \[1, 16\]/],
    [{ ngramSize: 2.5 }, /'ngramSize' must be an integer/],
    [{ ngram_size: 3 }, /unknown option 'ngram_size'/],
  ])('bad options %j', (options, message) => {
    expect(() => createRepetitionPenalty(options)).toThrow(message);
  });

  test.each(HOSTILE)('hostile input (%s, 100 KB) returns a score', (_name, text) => {
    const v = repetitionPenalty(text, sample)!;
    expect(v).toBeGreaterThanOrEqual(-1);
    expect(v).toBeLessThanOrEqual(0);
  });

  test('property: in [−maxPenalty, 0]; text of distinct words is 0; a loop approaches −1', () => {
    fc.assert(
      fc.property(anyCompletion, fc.double({ min: 0, max: 5, noNaN: true }), (completion, maxPenalty) => {
        const v = createRepetitionPenalty({ maxPenalty })(completion, sample)!;
        expect(v).toBeGreaterThanOrEqual(-maxPenalty);
        expect(v).toBeLessThanOrEqual(0);
      }),
    );
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { maxLength: 30 }), (ws) => {
        expect(repetitionPenalty(ws.join(' '), sample)).toBe(0);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 200 }), (times) => {
        const v = repetitionPenalty('one two three '.repeat(times), sample)!;
        // 3·times words → 3·times − 2 trigrams, 3 unique
        expect(v).toBeCloseTo(-(1 - 3 / (3 * times - 2)), 12);
      }),
    );
  });
});
