import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { passAtK } from './pass-at-k';
import { type ScoredProblem, summarizeScores } from './score-summary';

const T = true;
const F = false;
const bootstrap = { iterations: 500 };

describe('summarizeScores: worked cases', () => {
  test.each([
    // [verdicts per problem, pass1, pass@2, pass@4]
    // (2/4 + 1/4 + 0 + 1) / 4; pass@2: (1 − 1/6, 1 − 3/6, 0, 1) / 4; pass@4: (1, 1, 0, 1) / 4
    [
      [
        [T, T, F, F],
        [T, F, F, F],
        [F, F, F, F],
        [T, T, T, T],
      ],
      0.4375,
      (5 / 6 + 0.5 + 0 + 1) / 4,
      0.75,
    ],
    [[[T, T, T, T]], 1, 1, 1],
    [
      [
        [F, F, F, F],
        [F, F, F, F],
      ],
      0,
      0,
      0,
    ],
    // one correct in four: pass@2 = 1 − C(3,2)/C(4,2) = 1/2
    [[[F, F, T, F]], 0.25, 0.5, 1],
  ])('%j → pass1 %f, pass@2 %f, pass@4 %f', (verdicts, pass1, pass2, pass4) => {
    const problems = verdicts.map((correct, i) => ({ id: `p${i}`, correct }));
    const s = summarizeScores(problems, { bootstrap });
    expect(s.problems).toBe(verdicts.length);
    expect(s.samplesPerProblem).toBe(4);
    expect(s.pass1).toBeCloseTo(pass1, 12);
    expect(Object.keys(s.passAtK)).toEqual(['1', '2', '4']);
    expect(s.passAtK['1']).toBeCloseTo(pass1, 12);
    expect(s.passAtK['2']).toBeCloseTo(pass2, 12);
    expect(s.passAtK['4']).toBeCloseTo(pass4, 12);
    expect(s.consK).toBeUndefined();
  });

  test('cons@k counts a problem when its majority class of equivalent answers holds a correct sample', () => {
    const equivalent = (a: string, b: string) => Number(a) === Number(b);
    const problems: ScoredProblem[] = [
      // "0.5" and ".5" are one class of 3 votes against two "3"s: correct
      { id: 'a', correct: [T, T, F, F, T], extracted: ['0.5', '.5', '3', '3', '0.50'] },
      // the wrong "3" wins 3 to 2
      { id: 'b', correct: [T, F, F, F, T], extracted: ['7', '3', '3', '3', '7.0'] },
      // no answers at all: no vote, incorrect
      { id: 'c', correct: [F, F, F, F, F], extracted: [null, null, null, null, null] },
    ];
    expect(summarizeScores(problems, { equivalent, bootstrap }).consK).toBeCloseTo(1 / 3, 12);
    // Without an equivalence there is no cons@k; with one but without answers neither.
    expect(summarizeScores(problems, { bootstrap }).consK).toBeUndefined();
    expect(summarizeScores([{ id: 'x', correct: [T] }, ...problems], { equivalent, bootstrap }).consK).toBeUndefined();
  });

  test('explicit ks are reported sorted and deduplicated', () => {
    const s = summarizeScores([{ id: 'p', correct: [T, F, F, F, F, F, F, F] }], { ks: [4, 1, 4], bootstrap });
    expect(Object.keys(s.passAtK)).toEqual(['1', '4']);
    expect(s.passAtK['4']).toBeCloseTo(0.5, 12);
  });
});

describe('summarizeScores: edge cases', () => {
  test('a k larger than the samples of some problem names that problem', () => {
    const problems = [
      { id: 'full', correct: [T, F, T, F] },
      { id: 'short', correct: [T, F] },
    ];
    expect(() => summarizeScores(problems, { ks: [4] })).toThrow(/pass@4 .* problem "short" has only 2/);
    // Without explicit ks the grid stops at the fewest samples.
    expect(Object.keys(summarizeScores(problems, { bootstrap }).passAtK)).toEqual(['1', '2']);
  });

  test.each([
    [[], /no problems/],
    [[{ id: 'p', correct: [] }], /has no samples/],
    [
      [
        { id: 'p', correct: [T] },
        { id: 'p', correct: [F] },
      ],
      /appears twice/,
    ],
    [[{ id: 'p', correct: [T, F], extracted: ['1'] }], /2 verdicts but 1 answers/],
  ])('rejects %j', (problems, message) => {
    expect(() => summarizeScores(problems as ScoredProblem[])).toThrow(message);
  });

  test('rejects k < 1 and non-integer k', () => {
    expect(() => summarizeScores([{ id: 'p', correct: [T] }], { ks: [0] })).toThrow(/integer ≥ 1/);
    expect(() => summarizeScores([{ id: 'p', correct: [T, T] }], { ks: [1.5] })).toThrow(/integer ≥ 1/);
  });
});

describe('summarizeScores: properties', () => {
  const problemsArb = fc.array(fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 12 });

  test('pass@1 equals the mean verdict, the CI brackets it, and pass@k is monotone in k within [0, 1]', () => {
    fc.assert(
      fc.property(problemsArb, (verdicts) => {
        const s = summarizeScores(
          verdicts.map((correct, i) => ({ id: String(i), correct })),
          { bootstrap: { iterations: 200 } },
        );
        const mean = verdicts.flat().filter(Boolean).length / (verdicts.length * 4);
        const ps = ['1', '2', '4'].map((k) => s.passAtK[k]!);
        return (
          Math.abs(s.pass1 - mean) < 1e-12 &&
          s.pass1CI[0] <= s.pass1 + 1e-12 &&
          s.pass1 <= s.pass1CI[1] + 1e-12 &&
          ps.every((p) => p >= 0 && p <= 1) &&
          ps[0]! <= ps[1]! + 1e-12 &&
          ps[1]! <= ps[2]! + 1e-12
        );
      }),
    );
  });

  test('pass@k is the mean of the per-problem unbiased estimator', () => {
    fc.assert(
      fc.property(problemsArb, fc.integer({ min: 1, max: 4 }), (verdicts, k) => {
        const s = summarizeScores(
          verdicts.map((correct, i) => ({ id: String(i), correct })),
          { ks: [k], bootstrap: { iterations: 10 } },
        );
        const expected =
          verdicts.reduce((acc, v) => acc + passAtK(4, v.filter(Boolean).length, k), 0) / verdicts.length;
        return Math.abs(s.passAtK[String(k)]! - expected) < 1e-12;
      }),
    );
  });
});
