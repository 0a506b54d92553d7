import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkFormat, hasCodeBlock, isTruncated, languageShare, longestParagraph } from './filters';

describe('checkFormat', () => {
  it.each([
    ['<think> 2 + 2 = 4 </think> <answer> 4 </answer>', 'r1-zero', null],
    ['<think> a </think> <answer> 4 </answer> trailing words', 'r1-zero', null],
    ['2 + 2 = 4 <answer> 4 </answer>', 'r1-zero', 'no <think>'],
    ['<think> a </think> <think> b </think> <answer> 4 </answer>', 'r1-zero', 'appears 2 times'],
    ['<think>  </think> <answer> 4 </answer>', 'r1-zero', 'empty'],
    ['<think> a </think> <answer>  </answer>', 'r1-zero', 'empty'],
    ['<think> a </think>', 'r1-zero', 'no <answer>'],
    ['<think> a <think> b </think> <answer> 4 </answer>', 'r1-zero', 'inside'],
    ['<think>\nsteps\n</think>\nThe answer is 4.', 'r1', null],
    ['steps </think> The answer is 4.', 'think', null],
    ['steps </think>   ', 'think', 'summary'],
    ['<think> steps </think> a </think> b', 'r1', ''],
  ] as const)('%j (%s) → %s', (text, format, problem) => {
    const r = checkFormat(text, format);
    if (problem === null) expect(r.problem).toBeNull();
    else expect(r.problem?.toLowerCase()).toContain(problem);
  });
});

describe('longestParagraph', () => {
  it.each([
    ['', 0],
    ['\n\n  \n', 0],
    ['abc', 3],
    ['abc\ndef', 7],
    ['abc\n\ndefgh', 5],
    ['abc\n \t \ndefgh\nij', 8],
    ['ab\r\n\r\ncd', 3],
    ['数学题', 3],
    ['😀😀', 2],
  ])('%j → %i', (text, n) => {
    expect(longestParagraph(text)).toBe(n);
  });

  const line = fc
    .string({ unit: fc.constantFrom('a', 'b', ' ', '中', 'x'), maxLength: 40 })
    .filter((s) => s.trim() !== '');
  const paragraph = fc.array(line, { minLength: 1, maxLength: 6 }).map((ls) => ls.join('\n'));

  it('a paragraph split by a blank line never counts as long: the longest part is what counts', () => {
    fc.assert(
      fc.property(paragraph, paragraph, fc.constantFrom('\n\n', '\n   \n', '\n\t\n\n'), (a, b, sep) => {
        expect(longestParagraph(a + sep + b)).toBe(Math.max(longestParagraph(a), longestParagraph(b)));
      }),
    );
  });

  it('is at most the text length and at least the longest line', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
        const text = lines.join('\n');
        const n = longestParagraph(text);
        expect(n).toBeLessThanOrEqual(text.length);
        for (const l of lines) expect(n).toBeGreaterThanOrEqual(l.length);
      }),
    );
  });
});

describe('hasCodeBlock', () => {
  it.each([
    ['no code here', false],
    ['inline `x = 1` and ``y``', false],
    ['```python\nprint(1)\n```', true],
    ['text\n```\ncode', true],
    ['text\n   ~~~\ncode\n~~~', true],
    ['text\n    ```\nindented four: a code span, not a fence', false],
    ['a ``` in the middle of a line', false],
    ['~~ two tildes', false],
  ])('%j → %s', (text, expected) => {
    expect(hasCodeBlock(text)).toBe(expected);
  });

  it('inline backticks never make a block', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom('a', ' ', '`', '+') }), { maxLength: 5 }), (parts) => {
        const text = parts.map((p) => `word ${p.replace(/`{3,}/g, '``')}`).join('\n');
        expect(hasCodeBlock(text)).toBe(false);
      }),
    );
  });
});

describe('languageShare', () => {
  it.each([
    ['first add two and three', 'en', 1],
    ['先 add two', 'en', 2 / 3],
    ['先算两个数', 'zh', 1],
    ['the sum is 5 and x = 2', 'en', 1],
    ['12 + 7 = 19', 'en', 1],
  ] as const)('%j (%s) → %f', (text, target, share) => {
    expect(languageShare(text, target)).toBeCloseTo(share, 10);
  });

  it('stays in [0, 1]', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', ' ', '中', '文', '1', 'я') }), (text) => {
        const s = languageShare(text, 'en')!;
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
      }),
    );
  });
});

it('isTruncated is finish_reason length only', () => {
  expect(isTruncated('length')).toBe(true);
  expect(isTruncated('stop')).toBe(false);
  expect(isTruncated(null)).toBe(false);
});
