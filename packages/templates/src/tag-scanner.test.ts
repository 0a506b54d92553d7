import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { firstNonBlank, isBlank, scanTags } from './tag-scanner';

const TAGS = ['<think>', '</think>', '<answer>', '</answer>'];

/** The obvious quadratic reference: try every tag at every position, longest first. */
function naive(text: string, tags: readonly string[]) {
  const order = tags.map((_t, i) => i).sort((a, b) => tags[b]!.length - tags[a]!.length);
  const out: { tag: number; start: number; end: number }[] = [];
  for (let i = 0; i < text.length; ) {
    const t = order.find((k) => text.slice(i, i + tags[k]!.length) === tags[k]);
    if (t === undefined) i++;
    else {
      out.push({ tag: t, start: i, end: i + tags[t]!.length });
      i += tags[t]!.length;
    }
  }
  return out;
}

describe('scanTags', () => {
  test.each([
    ['', []],
    ['plain text', []],
    [
      '<think>a</think>',
      [
        [0, 0, 7],
        [1, 8, 16],
      ],
    ],
    [
      '<think><think>',
      [
        [0, 0, 7],
        [0, 7, 14],
      ],
    ],
    ['<<think>>', [[0, 1, 8]]],
    ['<thin<think>', [[0, 5, 12]]],
    [
      '</answer></think>',
      [
        [3, 0, 9],
        [1, 9, 17],
      ],
    ],
    ['<THINK> < think >', []],
  ])('%j', (text, expected) => {
    expect(scanTags(text, TAGS).map((h) => [h.tag, h.start, h.end])).toEqual(expected);
  });

  test('the longer tag wins where two start at the same place', () => {
    expect(scanTags('<ab>', ['<a', '<ab>']).map((h) => h.tag)).toEqual([1]);
  });

  test('an empty tag is refused with the reason', () => {
    expect(() => scanTags('x', ['a', ''])).toThrow(/tag 1 is the empty string/);
  });

  test('1 MB of repeated and broken tags is scanned (behaviour only)', () => {
    const text = '<think><answer></think<</answer'.repeat(35_000);
    const hits = scanTags(text, TAGS);
    expect(hits.length).toBe(70_000);
  });

  test('property: agrees with the quadratic reference on texts made of tag fragments', () => {
    const piece = fc.constantFrom(
      '<think>',
      '</think>',
      '<answer>',
      '</answer>',
      '<',
      '>',
      '/',
      'think',
      'a',
      ' ',
      '\n',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const text = pieces.join('');
        expect(scanTags(text, TAGS)).toEqual(naive(text, TAGS));
      }),
    );
  });

  test('property: hits are ordered, disjoint, and each is its tag', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.array(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }),
        (text, tags) => {
          let last = 0;
          for (const h of scanTags(text, tags)) {
            expect(h.start).toBeGreaterThanOrEqual(last);
            expect(text.slice(h.start, h.end)).toBe(tags[h.tag]);
            last = h.end;
          }
        },
      ),
    );
  });
});

describe('isBlank / firstNonBlank', () => {
  test.each([
    ['', 0, 0, true, 0],
    [' \t\n\r\u00a0\u3000\ufeff', 0, 7, true, 7],
    ['  x ', 0, 4, false, 2],
    ['x  ', 1, 3, true, 3],
  ])('%j [%i, %i)', (text, from, to, blank, first) => {
    expect(isBlank(text, from, to)).toBe(blank);
    expect(firstNonBlank(text, from, to)).toBe(first);
  });

  test('property: agrees with String.prototype.trim', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(' ', '\n', '\t', '\u00a0', '\u2028', '\u3000', 'a', '\u200b') }),
        (s) => {
          expect(isBlank(s, 0, s.length)).toBe(s.trim() === '');
        },
      ),
    );
  });
});
