import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { anyCompletion, HOSTILE, EXAMPLE_SAMPLE as sample } from '../testing/index';
import { countUpTo, createTagCountReward, OPEN_R1_TAGS, tagCountReward } from './tag-count';

describe('tagCountReward', () => {
  test.each<[string, number]>([
    ['<think>r</think><answer>4</answer>', 1],
    ['<think>r</think>', 0.5],
    ['<think>r', 0.25],
    ['', 0],
    ['<think><think>r</think><answer>4</answer>', 0.75],
    ['<think>r</think><answer>4</answer><answer>5</answer>', 0.5],
    ['</answer><answer></think><think>', 1], // counts only, order is the format reward's job
  ])('%j → %d', (completion, expected) => {
    expect(tagCountReward(completion, sample)).toBe(expected);
  });

  test.each<[string, number]>([
    ['<think>\nr\n</think>\n<answer>\n4\n</answer>', 1],
    ['<think>r</think><answer>4</answer>', 0],
    ['<think>\nr</think>\n<answer>\n4\n</answer>', 0.75],
  ])('open-r1 tags (with newlines): %j → %d', (completion, expected) => {
    expect(createTagCountReward({ tags: OPEN_R1_TAGS })(completion, sample)).toBe(expected);
  });

  test.each<[string, string, number]>([
    ['', 'a', 0],
    ['aaaa', 'aa', 2],
    ['aaaa', 'a', 2],
    ['abab', 'ab', 2],
    ['xaby', 'ab', 1],
  ])('countUpTo(%j, %j, 2) = %d (non-overlapping, like str.count)', (text, needle, expected) => {
    expect(countUpTo(text, needle, 2)).toBe(expected);
  });

  test.each<[object, RegExp]>([
    [{ tags: [] }, /'tags' must be a non-empty list of non-empty strings/],
    [{ tags: ['<a>', ''] }, /'tags' must be a non-empty list/],
    [{ tag: ['<a>'] }, /unknown option 'tag'/],
  ])('bad options %j', (options, message) => {
    expect(() => createTagCountReward(options)).toThrow(message);
  });

  test.each(HOSTILE)('hostile input (%s, 100 KB) returns a score', (_name, text) => {
    const v = tagCountReward(text, sample);
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThanOrEqual(1);
  });

  test('property: in [0, 1] in steps of 1/4; equals the share of tags occurring exactly once', () => {
    fc.assert(
      fc.property(anyCompletion, (completion) => {
        const v = tagCountReward(completion, sample)!;
        expect(v * 4).toBe(Math.round(v * 4));
        const once = ['<think>', '</think>', '<answer>', '</answer>'].filter((t) => completion.split(t).length === 2);
        expect(v).toBe(once.length / 4);
      }),
    );
  });
});
