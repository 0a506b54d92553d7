import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { HOSTILE, EXAMPLE_SAMPLE as sample } from '../testing/index';
import type { Verifier } from '../types';
import { kimiLengthScores, lengthReward } from './length';

describe('kimiLengthScores (Kimi 1.5 λ)', () => {
  test.each<[number[], boolean[], number[]]>([
    // min 10, max 30: λ = 0.5, 0, −0.5
    [
      [10, 20, 30],
      [true, true, true],
      [0.5, 0, -0.5],
    ],
    [
      [10, 20, 30],
      [false, false, false],
      [0, 0, -0.5],
    ],
    [
      [10, 20, 30],
      [true, false, false],
      [0.5, 0, -0.5],
    ],
    [
      [30, 10],
      [true, false],
      [-0.5, 0],
    ],
    [
      [10, 15, 30],
      [true, true, false],
      [0.5, 0.25, -0.5],
    ],
    [
      [7, 7, 7],
      [true, false, true],
      [0, 0, 0],
    ], // all equal: 0 (open-r1)
    [[5], [true], [0]],
    [[], [], []],
  ])('lengths %j, correct %j → %j', (lengths, correct, expected) => {
    expect(kimiLengthScores(lengths, correct)).toEqual(expected);
  });

  test('unknown lengths and undecided verdicts score null; unknown lengths do not set min/max', () => {
    expect(kimiLengthScores([10, null, 30, 20], [true, true, null, true])).toEqual([0.5, null, null, 0]);
  });

  test('mismatched inputs are a programming error', () => {
    expect(() => kimiLengthScores([1, 2], [true])).toThrow(/2 lengths but 1 correctness values/);
  });

  test('property: in [−0.5, 0.5]; wrong ≤ 0; shortest correct gets 0.5; shorter correct never scores less', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 10_000 }), fc.boolean()), { minLength: 1, maxLength: 16 }),
        (group) => {
          const lengths = group.map(([n]) => n);
          const correct = group.map(([, c]) => c);
          const scores = kimiLengthScores(lengths, correct) as number[];
          const min = Math.min(...lengths);
          const max = Math.max(...lengths);
          for (const [i, s] of scores.entries()) {
            expect(s).toBeGreaterThanOrEqual(-0.5);
            expect(s).toBeLessThanOrEqual(0.5);
            if (!correct[i]) expect(s).toBeLessThanOrEqual(0);
            if (correct[i] && lengths[i] === min && max > min) expect(s).toBe(0.5);
            for (const [j, t] of scores.entries()) {
              if (correct[i] && correct[j] && lengths[i]! < lengths[j]!) expect(s).toBeGreaterThanOrEqual(t);
            }
          }
        },
      ),
    );
  });

  test('property: invariant under scaling all lengths', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 1000 }), fc.boolean()), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 50 }),
        (group, k) => {
          const correct = group.map(([, c]) => c);
          const a = kimiLengthScores(
            group.map(([n]) => n),
            correct,
          );
          const b = kimiLengthScores(
            group.map(([n]) => n * k),
            correct,
          );
          for (const [i, v] of a.entries()) expect(b[i]).toBeCloseTo(v!, 12);
        },
      ),
    );
  });
});

describe('lengthReward', () => {
  const says4: Verifier = (completion) => completion.includes('<answer>4</answer>');

  test('scores a group with the injected verifier', () => {
    const reward = lengthReward({ verify: says4 });
    const group = ['<answer>4</answer>', '<answer>5</answer>xxxxxxxxxx', '<answer>4</answer>xxxxxxxxxxxxxxxxxxxx'];
    expect(reward(group, sample)).toEqual([0.5, 0, -0.5]);
  });

  test('by default correctness comes from accuracyReward (the gold answer in sample.answer)', () => {
    const reward = lengthReward();
    const [right, wrong] = ['<answer>\\boxed{4}</answer>', '<answer>\\boxed{5}</answer>'];
    const group = [right, wrong + 'y'.repeat(10), right + 'z'.repeat(20)];
    expect(reward(group, sample)).toEqual([0.5, 0, -0.5]);
    expect(reward(group, { prompt: 'no gold answer' })).toEqual([null, null, null]);
  });

  test('a token counter can replace character lengths', () => {
    const reward = lengthReward({ verify: () => true, lengthOf: (c) => c.split(' ').length });
    expect(reward(['a b c', 'a', 'a b'], sample)).toEqual([-0.5, 0.5, 0]);
  });

  test('verifier verdicts: numbers ≥ 0.5 are correct, null and throws are undecided', () => {
    const verdicts: unknown[] = [1, 0.2, null, 'yes'];
    let i = 0;
    const reward = lengthReward({
      verify: (() => {
        const v = verdicts[i++];
        if (v === 'yes') throw new Error('verifier crashed');
        return v;
      }) as Verifier,
    });
    expect(reward(['a', 'aa', 'aaa', 'aaaa'], sample)).toEqual([0.5, 0, null, null]);
  });

  test('a throwing lengthOf gives null for that completion', () => {
    const reward = lengthReward({
      verify: () => true,
      lengthOf: (c) => {
        if (c === 'bad') throw new Error('no');
        return c.length;
      },
    });
    expect(reward(['a', 'bad', 'aaa'], sample)).toEqual([0.5, null, -0.5]);
  });

  test.each<[object, RegExp]>([
    [
      { verify: null },
      /lengthReward: option 'verify' must be a function \(pass a correctness check such as accuracyReward\)/,
    ],
    [{ verify: true }, /'verify' must be a function/],
    [{ verify: () => true, lengthOf: 3 }, /'lengthOf' must be a function/],
    [{ verify: () => true, maxLen: 3 }, /unknown option 'maxLen'/],
  ])('bad options %j', (options, message) => {
    expect(() => lengthReward(options)).toThrow(message);
  });

  test('a non-array group gives no scores, non-string completions give null', () => {
    const reward = lengthReward({ verify: () => true });
    expect(reward(null as unknown as string[], sample)).toEqual([]);
    expect(reward(['a', 3 as unknown as string, 'aaa'], sample)).toEqual([0.5, null, -0.5]);
  });

  test('hostile 100 KB completions, scored with the default verifier, give scores in range', () => {
    const scores = lengthReward()(
      HOSTILE.map(([, text]) => text),
      sample,
    );
    expect(scores).toHaveLength(HOSTILE.length);
    for (const s of scores) expect(s === null || (s >= -0.5 && s <= 0.5)).toBe(true);
  });
});
