/**
 * The kit is tested by its failures: each deliberately broken reward below is a known reward hack or bug, and must
 * break exactly the law written against it, with a counterexample and a message that says what happened.
 */
import { describe, expect, test } from 'vitest';
import type { RewardFn } from '../types';
import { mathVerify } from '../verify/math-verify';
import {
  ACCURACY_LAWS,
  assertRewardLaws,
  checkRewardLaws,
  FORMAT_LAWS,
  LAW_DOCS,
  REWARD_LAWS,
  type RewardLaw,
  UNIVERSAL_LAWS,
} from './index';

/** The last `<answer>` block's content (linear: two index scans), or null. */
function lastAnswer(completion: string): string | null {
  const open = completion.lastIndexOf('<answer>');
  if (open < 0) return null;
  const close = completion.indexOf('</answer>', open);
  return (close < 0 ? completion.slice(open + 8) : completion.slice(open + 8, close)).trim();
}

/** Every `<answer>` block's content. */
function allAnswers(completion: string): string[] {
  return completion
    .split('<answer>')
    .slice(1)
    .map((part) => part.split('</answer>')[0]!.trim());
}

const verifies = (gold: string | undefined, answer: string) =>
  gold !== undefined && mathVerify(gold, `<answer>${answer}</answer>`).correct;

const open_r1_format = /^<think>\n.*?\n<\/think>\n<answer>\n.*?\n<\/answer>$/ms;
const globalAnswerTag = /<answer>/g;

/** The broken rewards, each with the law it must break and the laws it is checked with. */
const BROKEN: [string, RewardLaw, RewardFn, RewardLaw[]][] = [
  [
    'substring accuracy: the answer is found in the gold ("" is in every string)',
    'empty-answer',
    (c, s) => {
      const a = lastAnswer(c);
      return a !== null && (s.answer ?? '').includes(a) ? 1 : 0;
    },
    ACCURACY_LAWS.filter((l) => l !== 'time-bound'),
  ],
  [
    'substring accuracy: the gold is found anywhere in the completion',
    'correct-beats-wrong',
    (c, s) => (s.answer !== undefined && s.answer !== '' && c.includes(s.answer) ? 1 : 0),
    ['correct-beats-wrong'],
  ],
  [
    'accuracy that accepts any answer block that verifies',
    'second-answer',
    (c, s) => (allAnswers(c).some((a) => verifies(s.answer, a)) ? 1 : 0),
    ['second-answer'],
  ],
  [
    'format check that accepts two answer blocks (an unanchored regex)',
    'second-answer',
    (c) => (/<think>[\s\S]+?<\/think>\s*<answer>[\s\S]+?<\/answer>/.test(c) ? 1 : 0),
    FORMAT_LAWS.filter((l) => l !== 'time-bound'),
  ],
  [
    'format check that accepts a blank think block',
    'empty-reasoning',
    (c) => (/^\s*<think>[\s\S]*<\/think>\s*<answer>[^<]+<\/answer>\s*$/.test(c) ? 1 : 0),
    ['empty-reasoning'],
  ],
  [
    'accuracy that pays any item of an answer list',
    'answer-list',
    (c, s) => {
      const a = lastAnswer(c);
      if (a === null || s.answer === undefined) return null;
      return a.split(/,| or |\\text\{ or \}/).some((part) => verifies(s.answer, part)) ? 1 : 0;
    },
    ['answer-list'],
  ],
  [
    'format check whose /g regex keeps lastIndex between calls',
    'deterministic',
    (c) => (globalAnswerTag.test(c) ? 1 : 0),
    ['deterministic'],
  ],
  [
    'accuracy that assumes every sample has an answer',
    'never-throws',
    (c, s) => (s.answer!.trim() === lastAnswer(c) ? 1 : 0),
    ['never-throws'],
  ],
  ['reward that counts answer tags (unbounded)', 'range', (c) => c.split('<answer>').length - 1, ['range']],
  [
    'format check that wants exactly "</think>\\n<answer>"',
    'whitespace-invariance',
    (c) => (c.includes('</think>\n<answer>') ? 1 : 0),
    ['whitespace-invariance'],
  ],
];

describe('broken rewards break their law', () => {
  test.each(BROKEN)('%s → %s', (_name, law, reward, laws) => {
    const report = checkRewardLaws(reward, { laws });
    expect(report.ok).toBe(false);
    const failure = report.failures.find((f) => f.law === law);
    expect(failure, report.failures.map((f) => f.law).join(', ')).toBeDefined();
    expect(failure!.message).toMatch(new RegExp(`^${law}: `));
    expect(failure!.message).toContain(LAW_DOCS[law].catches);
    expect(failure!.message).toMatch(/Counterexample: .*fast-check seed -?\d+/s);
    expect(failure!.counterexample).toBeTypeOf('object');
  });

  test("open-r1's format regex, ported naively (the `m` flag), breaks the time bound on a near-match", () => {
    const report = checkRewardLaws((c) => (open_r1_format.test(c) ? 1 : 0), { laws: ['time-bound'], timeBoundMs: 200 });
    expect(report.ok).toBe(false);
    const [failure] = report.failures;
    const cx = failure!.counterexample as { kind: string; chars: number; ms: number; completion: string };
    expect(failure!.law).toBe('time-bound');
    expect(cx.kind).toMatch(/near-match|regex killer/);
    expect(cx.ms).toBeGreaterThan(200);
    // The ladder stops at the first slow size: far below 100 KB, which would take this regex minutes.
    expect(cx.chars).toBeLessThan(64 * 1024);
    expect(cx.completion.length).toBe(cx.chars);
    expect(failure!.message).toMatch(/took \d+\.\d ms \(bound 200 ms/);
  });

  test('counterexamples are shrunk: the empty-answer hack is shown on a short completion', () => {
    const [, , reward] = BROKEN[0]!;
    const { failures } = checkRewardLaws(reward, { laws: ['empty-answer'] });
    const cx = failures[0]!.counterexample as { right: string; empty: string };
    expect(cx.empty.length).toBeLessThan(200);
    expect(lastAnswer(cx.empty)).toBe('');
  });

  test('a given seed replays the same counterexample', () => {
    const [, , reward] = BROKEN[2]!;
    const a = checkRewardLaws(reward, { laws: ['second-answer'], seed: 42 });
    const b = checkRewardLaws(reward, { laws: ['second-answer'], seed: 42 });
    expect(a.failures[0]!.counterexample).toEqual(b.failures[0]!.counterexample);
    expect(a.failures[0]!.message).toContain('fast-check seed 42');
  });
});

describe('checkRewardLaws', () => {
  test('a reward that keeps every law passes them all; a constant passes the universal ones only', () => {
    const constant: RewardFn = () => 0.5;
    expect(checkRewardLaws(constant)).toEqual({ ok: true, failures: [] });
    const report = checkRewardLaws(constant, { laws: REWARD_LAWS });
    expect(report.failures.map((f) => f.law).sort()).toEqual(
      ['answer-list', 'correct-beats-wrong', 'empty-answer', 'empty-reasoning', 'second-answer'].sort(),
    );
  });

  test('null is allowed unless the reward is declared not nullable', () => {
    const nothing: RewardFn = () => null;
    expect(checkRewardLaws(nothing, { laws: ['range'] }).ok).toBe(true);
    const report = checkRewardLaws(nothing, { laws: ['range'], nullable: false });
    expect(report.failures[0]!.message).toMatch(/declared not nullable/);
    const answerAware = checkRewardLaws(nothing, { laws: ['correct-beats-wrong'] });
    expect(answerAware.failures[0]!.message).toMatch(/returned null for the right answer.*'cases'/);
  });

  test('the declared range is the one checked', () => {
    const negative: RewardFn = () => -0.5;
    expect(checkRewardLaws(negative, { laws: ['range'] }).ok).toBe(false);
    expect(checkRewardLaws(negative, { laws: ['range'], range: [-1, 0] }).ok).toBe(true);
    const nan: RewardFn = () => Number.NaN;
    expect(checkRewardLaws(nan, { laws: ['range'] }).failures[0]!.message).toMatch(/returned NaN/);
  });

  test('assertRewardLaws throws with every broken law, and returns quietly otherwise', () => {
    expect(() => assertRewardLaws(() => 2, { laws: ['range', 'deterministic'] })).toThrow(
      /1 reward law broken:\n- range: .*outside the declared range \[0, 1\]/s,
    );
    expect(() => assertRewardLaws(() => 0, { laws: UNIVERSAL_LAWS })).not.toThrow();
  });

  test.each<[object, RegExp]>([
    [{ law: ['range'] }, /checkRewardLaws: unknown option 'law'; the options are laws, range/],
    [{ laws: ['ranges'] }, /unknown law "ranges"; the laws are range, deterministic/],
    [{ laws: [] }, /'laws' must be a non-empty list/],
    [{ range: [1, 0] }, /'range' must be \[min, max\] with min ≤ max/],
    [{ layout: 'xml' }, /'layout' must be one of r1-zero, r1, think/],
    [{ cases: [] }, /'cases' must be a fast-check arbitrary/],
    [{ timeBoundMs: 0 }, /'timeBoundMs' must be an integer ≥ 1/],
    [{ seed: 1.5 }, /'seed' must be an integer or null/],
  ])('bad options %j are refused', (options, message) => {
    expect(() => checkRewardLaws(() => 0, options)).toThrow(message);
  });
});
