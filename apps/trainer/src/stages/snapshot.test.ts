import type { EvalResult } from '@r1/eval';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { snapOf } from './snapshot';

const READABLE = ' <think> First we add 1 + 1 = 2. So the result is 2. </think> The answer is 2.';
const MIXED = ' <think> 首先 我们加 1 + 1 = 2. So the result is 2. </think> The answer is 2.';
const ZERO = ' <think> First we add 1 + 1 = 2. </think> <answer> 2 </answer>';
const BARE = ' <think> 1 + 1 = 2 </think> 2';

function result(completions: string[][]): EvalResult {
  const problems = completions.map((texts, i) => ({
    problemId: `p${i}`,
    gold: '2',
    samples: texts.map((completion, j) => ({
      key: `${i}-${j}`,
      problemId: `p${i}`,
      sampleIndex: j,
      modelId: 'm',
      completion,
      extracted: '2',
      correct: j === 0,
      finishReason: 'stop' as const,
      tokens: 10 + j,
    })),
    pass1: 1 / texts.length,
    consCorrect: true,
    consAnswer: '2',
  }));
  return {
    problems,
    aggregate: {
      problems: problems.length,
      samplesPerProblem: completions[0]!.length,
      pass1: 0.5,
      pass1CI: [0.4, 0.6],
      consK: 1,
      passAtK: {},
      meanTokens: 10.5,
      truncated: 0,
    },
  };
}

describe('snapOf: the metrics of a stage', () => {
  test.each([
    ['readable, English', [[READABLE, READABLE]], 'r1', { languageConsistency: 1, readableRate: 1, formatRate: 1 }],
    ['R1-Zero format', [[ZERO, ZERO]], 'r1-zero', { languageConsistency: 1, readableRate: 0, formatRate: 1 }],
    [
      'bare number after </think>: well formed, not readable',
      [[BARE, READABLE]],
      'r1',
      { readableRate: 0.5, formatRate: 1 },
    ],
    ['mixed language', [[MIXED, READABLE]], 'r1', { readableRate: 1 }],
  ] as const)('%s', (_name, completions, format, expected) => {
    const snap = snapOf(result(completions.map((c) => [...c])), format, format === 'r1' ? 'r1' : 'r1-zero');
    expect(snap).toMatchObject(expected);
    expect(snap.pass1).toBe(0.5);
    expect(snap.pass1CI).toEqual([0.4, 0.6]);
    expect(snap.k).toBe(2);
  });

  test('mixed language lowers consistency below 1 and above 0', () => {
    const snap = snapOf(result([[MIXED, MIXED]]), 'r1', 'r1');
    expect(snap.languageConsistency).toBeGreaterThan(0);
    expect(snap.languageConsistency).toBeLessThan(1);
  });

  test('every rate is a share in [0, 1], whatever the completions (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.array(fc.oneof(fc.constantFrom(READABLE, MIXED, ZERO, BARE, ''), fc.string()), {
            minLength: 2,
            maxLength: 2,
          }),
          {
            minLength: 1,
            maxLength: 5,
          },
        ),
        (completions) => {
          const snap = snapOf(result(completions), 'r1', 'r1');
          for (const key of ['languageConsistency', 'readableRate', 'formatRate'] as const) {
            expect(snap[key]).toBeGreaterThanOrEqual(0);
            expect(snap[key]).toBeLessThanOrEqual(1);
          }
        },
      ),
    );
  });
});
