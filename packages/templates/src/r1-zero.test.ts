import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { R1_ZERO_TEMPLATE, renderR1Zero } from './r1-zero';

describe('R1_ZERO_TEMPLATE', () => {
  test('is Table 1 of the DeepSeek-R1 paper, verbatim', () => {
    expect(R1_ZERO_TEMPLATE).toBe(
      'A conversation between User and Assistant. The user asks a question, and the Assistant solves it. The ' +
        'assistant first thinks about the reasoning process in the mind and then provides the user with the answer. ' +
        'The reasoning process and answer are enclosed within <think> </think> and <answer> </answer> tags, ' +
        'respectively, i.e., <think> reasoning process here </think> <answer> answer here </answer>. User: {prompt}. ' +
        'Assistant:',
    );
  });
});

describe('renderR1Zero', () => {
  test.each([
    ['What is 2+2?', 'User: What is 2+2?. Assistant:'],
    ['', 'User: . Assistant:'],
    ['costs $& and $1', 'User: costs $& and $1. Assistant:'],
    ['nested {prompt}', 'User: nested {prompt}. Assistant:'],
    ['line one\nline two', 'User: line one\nline two. Assistant:'],
  ])('%j', (prompt, tail) => {
    const out = renderR1Zero(prompt);
    expect(out.endsWith(tail)).toBe(true);
    expect(out.startsWith('A conversation between User and Assistant.')).toBe(true);
  });

  test('rejects a non-string prompt with a clear message', () => {
    expect(() => renderR1Zero(undefined as unknown as string)).toThrow(/prompt must be a string/);
  });

  test('property: the prompt appears once, unchanged, between the fixed prefix and suffix', () => {
    const [prefix, suffix] = R1_ZERO_TEMPLATE.split('{prompt}') as [string, string];
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (prompt) => {
        expect(renderR1Zero(prompt)).toBe(prefix + prompt + suffix);
      }),
    );
  });
});
