import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { findMathAndCodeSpans } from './math-code-spans';

const both = { math: true, code: true };
const spans = (text: string, kinds = both) => findMathAndCodeSpans(text, kinds).map(([a, b]) => text.slice(a, b));

describe('findMathAndCodeSpans', () => {
  test.each<[string, string[]]>([
    ['no math here', []],
    ['let $x^2$ be', ['$x^2$']],
    ['display $$\\int f$$ done', ['$$\\int f$$']],
    ['\\(a+b\\) and \\[c\\]', ['\\(a+b\\)', '\\[c\\]']],
    ['code `let x = 1` here', ['`let x = 1`']],
    ['```\nfn main() {}\n```', ['```\nfn main() {}\n```']],
    ['a lone $5 is text', []],
    ['$a$ and $b', ['$a$']],
    ['`$x$`', ['`$x$`']], // first opener wins: the math is inside the code
    ['\\( never closed', []],
  ])('%j → %j', (text, expected) => {
    expect(spans(text)).toEqual(expected);
  });

  test('kinds can be turned off', () => {
    expect(spans('`a` $b$', { math: false, code: true })).toEqual(['`a`']);
    expect(spans('`a` $b$', { math: true, code: false })).toEqual(['$b$']);
    expect(spans('`a` $b$', { math: false, code: false })).toEqual([]);
  });

  test('100 KB of unclosed openers is handled (behaviour only)', () => {
    expect(findMathAndCodeSpans('\\( \\[ ` $$ '.repeat(10_000), both).length).toBeGreaterThanOrEqual(0);
  });

  test('property: spans are sorted, disjoint, inside the text, and start and end with delimiters', () => {
    const piece = fc.constantFrom('$', '$$', '`', '```', '\\(', '\\)', '\\[', '\\]', 'x', ' ');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const text = pieces.join('');
        let last = 0;
        for (const [a, b] of findMathAndCodeSpans(text, both)) {
          expect(a).toBeGreaterThanOrEqual(last);
          expect(b).toBeGreaterThan(a);
          expect(b).toBeLessThanOrEqual(text.length);
          expect('$`\\').toContain(text[a]);
          last = b;
        }
      }),
    );
  });
});
