import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { checkScoreMode, scoredText, summaryOf } from './scored-text';

describe('what is scored', () => {
  test.each([
    ['<think>\nwork\n</think>\nThe answer is 4.', '\nThe answer is 4.'],
    ['work\n</think> 4', ' 4'], // forced-think completion: the opening tag was in the prompt
    ['<think>a</think> b <think>c</think> d', ' d'], // the last </think> wins
    ['<think>never closed', ''],
    ['no tags at all', 'no tags at all'],
    ['</think>', ''],
    ['', ''],
  ])('summary of %j is %j', (response, summary) => {
    expect(summaryOf(response)).toBe(summary);
    expect(scoredText(response, 'summary')).toBe(summary);
    expect(scoredText(response, 'full')).toBe(response);
  });

  test('property: the summary does not depend on the text inside <think>…</think>', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\n', '<', '>', '/', 't') });
    fc.assert(
      fc.property(text, text, text, (thinkA, thinkB, answer) => {
        const clean = answer.replaceAll('</think>', '');
        expect(summaryOf(`<think>${thinkA.replaceAll('</think>', '')}</think>${clean}`)).toBe(
          summaryOf(`<think>${thinkB.replaceAll('</think>', '')}</think>${clean}`),
        );
      }),
    );
  });

  test('a bad mode is rejected with the choices', () => {
    expect(() => checkScoreMode('answer', 'x')).toThrow(/x: score must be 'summary' or 'full', got "answer"/);
  });
});
