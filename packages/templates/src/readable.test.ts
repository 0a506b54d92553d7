import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isReadable } from './readable';

describe('isReadable', () => {
  it.each([
    ['<think> 2 + 2 = 4 </think> The answer is 4.', true],
    ['<think>\nadd them\n</think>\nSo the sum is **4**.', true],
    ['<think> 2 + 2 = 4 </think> <answer> 4 </answer>', false],
    ['<think> 2 + 2 = 4 </think> 4', false],
    ['<think> 2 + 2 = 4 </think>', false],
    ['<think>  </think> The answer is 4.', false],
    ['The answer is 4.', false],
    ['<think> a </think> b </think> The answer is 4.', false],
    ['<think> 2 + 2 = 4 </think> 答案是四。', true],
    [`<think> x </think> ${'The answer is 4. '.repeat(30)}`, false],
  ])('%j → %s', (text, expected) => {
    expect(isReadable(text)).toBe(expected);
  });

  it('the summary bound is an option', () => {
    expect(isReadable(`<think> x </think> ${'word '.repeat(100)}`, { maxSummaryChars: 1000 })).toBe(true);
  });

  it('never throws, and a readable completion stays readable with surrounding whitespace', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(typeof isReadable(s)).toBe('boolean');
      }),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z ]{1,40}$/), fc.stringMatching(/^[A-Z][a-z]{2,10}[a-z .]{0,40}$/), (r, s) => {
        fc.pre(r.trim() !== '');
        const text = `<think> ${r} </think> ${s}`;
        expect(isReadable(`\n ${text} \n`)).toBe(isReadable(text));
        expect(isReadable(text)).toBe(true);
      }),
    );
  });
});
