import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { countScriptWords } from './script-words';

describe('countScriptWords', () => {
  test.each<[string, number, [number, number, number]]>([
    ['', 2, [0, 0, 0]],
    ['The answer is four', 2, [4, 0, 0]],
    ['Let x be 3 and y = 4', 2, [3, 0, 0]], // x, y: single letters are variables
    ['a b c', 1, [3, 0, 0]],
    ['我们来计算', 2, [0, 5, 0]],
    ['我们 compute 一下', 2, [1, 4, 0]],
    ['Привет мир', 2, [0, 0, 2]],
    ['カタカナ と ひらがな', 2, [0, 0, 2]], // と is one letter
    ['café naïve Ærø', 2, [3, 0, 0]],
    ['cafe\u0301 ok', 2, [2, 0, 0]], // combining accent stays inside the word
    ['\\frac{ab}{cd} \\times', 2, [2, 0, 0]], // the commands are neutral, their arguments are words
    ['123 4.5 + - = ! ?', 1, [0, 0, 0]],
    ['𠀀𠀁', 2, [0, 2, 0]], // Han extension B (surrogate pairs)
    ['abc我def', 2, [2, 1, 0]],
    ['α β γ', 2, [0, 0, 0]], // Greek variables
    ['αβγ word', 2, [1, 0, 1]],
    ['<think>中</think><answer>four</answer><|im_end|>', 2, [1, 1, 0]], // markup tags are neutral
    ['x<b and c>y', 2, [1, 0, 0]], // '<b and c>' is not a tag: only "and" is long enough to be a word
  ])('%j (min %d) → [latin, han, other] %j', (text, min, [latin, han, other]) => {
    expect(countScriptWords(text, min)).toEqual({ latin, han, other });
  });

  test('skipped spans are not read', () => {
    expect(countScriptWords('hello $world$ again', 2, [[6, 13]])).toEqual({ latin: 2, han: 0, other: 0 });
    expect(countScriptWords('ab我cd', 2, [[2, 3]])).toEqual({ latin: 2, han: 0, other: 0 });
  });

  test('property: adding neutral characters between words changes nothing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('word', '中', 'слово', 'x'), { maxLength: 20 }),
        fc.constantFrom(' ', ' 1 ', ' + ', '\n\n'),
        (ws, sep) => {
          expect(countScriptWords(ws.join(sep), 2)).toEqual(countScriptWords(ws.join(' '), 2));
        },
      ),
    );
  });
});
