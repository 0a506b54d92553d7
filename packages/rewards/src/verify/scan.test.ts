import { describe, expect, test } from 'vitest';
import { findBoxed, findMath, lastAnswerTag, matchBraces } from './scan';

describe('scan', () => {
  test('findBoxed returns complete outermost boxes, skipping unclosed ones', () => {
    expect(findBoxed('a \\boxed{1} b \\fbox{x^{2}} c \\boxed{\\frac{1}{2}}').map((s) => s.text)).toEqual([
      '1',
      'x^{2}',
      '\\frac{1}{2}',
    ]);
    expect(findBoxed('\\boxed{\\boxed{3}}').map((s) => s.text)).toEqual(['\\boxed{3}']);
    expect(findBoxed('\\boxed{1 \\boxed{2}').map((s) => s.text)).toEqual(['2']);
    expect(findBoxed('\\boxed 5.')).toHaveLength(1);
  });

  test('findMath: inline math may not span lines; escaped dollars are not delimiters', () => {
    expect(findMath('a $1$ b $$2$$ c \\(3\\) d \\[4\\]').map((s) => s.text)).toEqual(['1', '2', '3', '4']);
    expect(findMath('Answer $ \n 9 \n $')).toHaveLength(0);
    expect(findMath('Answer \\[ \n 9 \n \\]').map((s) => s.text.trim())).toEqual(['9']);
    expect(findMath('$ \\frac{1}{2} \\$ = 3 $').map((s) => s.text)).toEqual([' \\frac{1}{2} \\$ = 3 ']);
  });

  test('matchBraces pairs braces in one pass and ignores escaped ones', () => {
    const m = matchBraces('{a\\{b}{}');
    expect(m[0]).toBe(5);
    expect(m[6]).toBe(7);
  });

  test('lastAnswerTag takes the last complete tag pair', () => {
    expect(lastAnswerTag('<answer>1</answer> <answer>2</answer>')).toBe('2');
    expect(lastAnswerTag('<answer>1')).toBeNull();
  });
});
