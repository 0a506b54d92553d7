import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { anyCompletion, HOSTILE, EXAMPLE_SAMPLE as sample, tagFreeText } from '../testing/index';
import { createFormatReward, formatReward } from './format';

describe('formatReward (r1-zero)', () => {
  test.each<[string, number]>([
    ['<think> 2+2 is 4 </think> <answer> 4 </answer>', 1],
    ['<think>\nreason\n</think>\n<answer>\n4\n</answer>\n', 1],
    ['  <think>r</think><answer>4</answer>  ', 1],
    // the hacks
    ['<think>r</think><answer>4</answer><answer>5</answer>', 0],
    ['<think>a</think><think>b</think><answer>4</answer>', 0],
    ['<think></think><answer>4</answer>', 0],
    ['<think>   </think><answer>4</answer>', 0],
    ['<think></think>x', 0],
    ['<think>r</think><answer>4</answer> trailing text', 0],
    ['<think>r</think><answer></answer>', 0],
    // broken structure
    ['<answer>4</answer><think>r</think>', 0],
    ['<think>r<answer>4</answer>', 0],
    ['<think>r</think><answer>4', 0],
    ['preamble <think>r</think><answer>4</answer>', 0],
    ['<think>r</think> between <answer>4</answer>', 0],
    ['<think>a<think>b</think><answer>4</answer>', 0],
    ['no tags at all', 0],
    ['', 0],
  ])('%j → %d', (completion, expected) => {
    expect(formatReward(completion, sample)).toBe(expected);
  });

  test('emptyReasoningScore pays an empty think block, and only that', () => {
    const reward = createFormatReward({ emptyReasoningScore: 0.25 });
    expect(reward('<think></think><answer>4</answer>', sample)).toBe(0.25);
    expect(reward('<think></think><answer></answer>', sample)).toBe(0);
    expect(reward('<think></think>x', sample)).toBe(0);
  });
});

describe('formatReward other formats', () => {
  test.each<['r1' | 'think', string, number]>([
    ['think', 'Let me add.\n</think>\n\nThe answer is 4.', 1],
    ['think', '<think>Let me add.</think>4', 1],
    ['think', '<think></think>x', 0],
    ['think', '</think>x', 0],
    ['think', 'no end of thinking', 0],
    ['think', 'r</think>', 0],
    ['r1', '<think>r</think>summary', 1],
    ['r1', 'r</think>summary', 0],
    ['r1', '<think>r</think>s<think>again</think>', 0],
  ])('%s: %j → %d', (format, completion, expected) => {
    expect(createFormatReward({ format })(completion, sample)).toBe(expected);
  });

  test.each<['r1' | 'think', string, number]>([
    ['r1', '<think> 1 + 1 = 2. </think> The answer is 2.', 1],
    ['r1', '<think> 1 + 1 = 2. </think> 2.', 0],
    ['r1', '<think> 1 + 1 = 2. </think> <answer> 2 </answer>', 0],
    ['r1', '<think> 1 + 1 = 2. </think> <b>x</b> y', 0],
    ['r1', `<think> 1 + 1 = 2. </think> ${'The answer is two. '.repeat(20)}`, 0],
    ['r1', '<think></think> The answer is 2.', 0],
    ['think', '1 + 1 = 2.\n</think>\n\nThe answer is \\boxed{2}.', 1],
    ['think', '1 + 1 = 2.\n</think>\n\n\\boxed{2}', 0],
  ])('readableSummary, %s: %j → %d', (format, completion, expected) => {
    expect(createFormatReward({ format, readableSummary: true })(completion, sample)).toBe(expected);
    // Without the option only the structure counts.
    if (expected === 0 && completion.includes('1 + 1') && !completion.includes('<think></think>')) {
      expect(createFormatReward({ format })(completion, sample)).toBe(1);
    }
  });

  test('custom tokens', () => {
    const reward = createFormatReward({ format: 'r1', tokens: { reasoningStart: '<|t|>', reasoningEnd: '<|/t|>' } });
    expect(reward('<|t|>r<|/t|>s', sample)).toBe(1);
    expect(reward('<think>r</think>s', sample)).toBe(0);
  });
});

describe('formatReward edge cases', () => {
  test('non-strings and inputs over maxChars are null, not a crash', () => {
    expect(formatReward(undefined as unknown as string, sample)).toBeNull();
    expect(formatReward(42 as unknown as string, sample)).toBeNull();
    expect(createFormatReward({ maxChars: 10 })('<think>r</think><answer>4</answer>', sample)).toBeNull();
  });

  test.each<[object, RegExp]>([
    [{ fromat: 'r1' }, /formatReward: unknown option 'fromat'; the options are format, tokens/],
    [{ format: 'xml' }, /unknown format 'xml'/],
    [{ emptyReasoningScore: 2 }, /'emptyReasoningScore' must be a number in \[0, 1\]/],
    [{ format: 'r1-zero', tokens: { reasoningStart: '<t>' } }, /'tokens' applies to the 'r1' and 'think' formats/],
    [{ maxChars: 0 }, /'maxChars' must be a number in \[1, /],
    [{ readableSummary: true }, /'readableSummary' applies to the 'r1' and 'think' formats/],
    [{ format: 'r1', readableSummary: 'yes' }, /'readableSummary' must be true or false/],
  ])('bad options %j are refused at setup', (options, message) => {
    expect(() => createFormatReward(options)).toThrow(message);
  });

  test.each(HOSTILE)('hostile input (%s, 100 KB) returns a score', (_name, text) => {
    for (const format of ['r1-zero', 'r1', 'think'] as const) {
      expect([0, 1]).toContain(createFormatReward({ format })(text, sample));
    }
  });
});

describe('formatReward properties', () => {
  test('does not depend on the text inside the tags (as long as it is non-blank and tag-free)', () => {
    const nonBlank = tagFreeText.filter((s) => s.trim() !== '');
    fc.assert(
      fc.property(nonBlank, nonBlank, nonBlank, nonBlank, (r1, a1, r2, a2) => {
        const a = formatReward(`<think>${r1}</think><answer>${a1}</answer>`, sample);
        const b = formatReward(`<think>${r2}</think>\n<answer>${a2}</answer>\n`, sample);
        expect(a).toBe(1);
        expect(b).toBe(1);
      }),
    );
  });

  test('range: always 0 or 1 on any completion, in every format', () => {
    const rewards = [formatReward, createFormatReward({ format: 'r1' }), createFormatReward({ format: 'think' })];
    fc.assert(
      fc.property(anyCompletion, (completion) => {
        for (const reward of rewards) expect([0, 1]).toContain(reward(completion, sample));
      }),
    );
  });

  test('appending a second answer block never keeps full marks', () => {
    fc.assert(
      fc.property(anyCompletion, tagFreeText, (completion, extra) => {
        expect(
          formatReward(`${completion}<answer>${extra}</answer>`, sample) === 1 && completion.includes('<answer>'),
        ).toBe(false);
      }),
    );
  });
});
