import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapCI } from '@r1/eval';
import { describe, expect, test } from 'vitest';
import { parseKList } from './score';
import { cli } from './test-utils/capture-io';

const dir = mkdtempSync(join(tmpdir(), 'r1-eval-score-'));
function file(name: string, lines: readonly (object | string)[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
  return path;
}
const sample = (problem_id: string, gold: string, completion: string) => ({ problem_id, gold, completion });

// p1: 3 of 5 right, and the three right ones are written 0.5, \frac{1}{2} and 1/2 — one cons@k class of 3 votes
//     (counted per raw string, "3" would win with 2). p2: 2 of 5 right, the wrong 8 wins the vote. p3: 5 of 5.
const completions = file('completions.jsonl', [
  sample('p1', '1/2', 'so $\\boxed{0.5}$'),
  sample('p1', '1/2', 'thus \\boxed{\\frac{1}{2}}'),
  sample('p1', '1/2', 'the answer is 1/2'),
  sample('p1', '1/2', '\\boxed{3}'),
  sample('p1', '1/2', '\\boxed{3}'),
  sample('p2', '7', '\\boxed{8}'),
  sample('p2', '7', '\\boxed{8}'),
  sample('p2', '7', '\\boxed{8}'),
  sample('p2', '7', '\\boxed{7}'),
  sample('p2', '7', '\\boxed{7.0}'),
  ...Array.from({ length: 5 }, () => sample('p3', '10', 'It is \\boxed{10}.')),
]);

describe('r1-eval score', () => {
  test('completions: exact pass@1, pass@k, cons@k, and the CI of the per-problem scores', async () => {
    const r = await cli('score', '--input', completions, '--k', '1,2,5');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(Object.keys(s)).toEqual(['problems', 'samplesPerProblem', 'pass1', 'pass1CI', 'passAtK', 'consK']);
    expect(s.problems).toBe(3);
    expect(s.samplesPerProblem).toBe(5);
    expect(s.pass1).toBeCloseTo((3 / 5 + 2 / 5 + 1) / 3, 12);
    expect(s.passAtK['1']).toBeCloseTo(2 / 3, 12);
    // pass@2: 1 − C(n−c, 2)/C(5, 2) = 1 − 1/10, 1 − 3/10, 1
    expect(s.passAtK['2']).toBeCloseTo((0.9 + 0.7 + 1) / 3, 12);
    expect(s.passAtK['5']).toBe(1);
    expect(s.consK).toBeCloseTo(2 / 3, 12);
    const ci = bootstrapCI([0.6, 0.4, 1]);
    expect(s.pass1CI).toEqual([ci.lo, ci.hi]);
  });

  test('without --k, pass@k is reported for 1, 2, 4, … and the samples per problem', async () => {
    const s = JSON.parse((await cli('score', '--input', completions)).stdout);
    expect(Object.keys(s.passAtK)).toEqual(['1', '2', '4', '5']);
    expect(s.passAtK['4']).toBe(1);
  });

  test('verdicts only: no cons@k', async () => {
    const input = file('verdicts.jsonl', [
      { problem_id: 'a', correct: true },
      { problem_id: 'a', correct: false },
      { problem_id: 'b', correct: false },
      { problem_id: 'b', correct: false },
      { problem_id: 7, correct: true },
      { problem_id: 7, correct: true },
    ]);
    const r = await cli('score', '--input', input);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ problems: 3, samplesPerProblem: 2, pass1: 0.5 });
    expect(s.passAtK['2']).toBeCloseTo(2 / 3, 12);
    expect(s.consK).toBeUndefined();
  });

  test('an explicit "correct" wins over the verifier; the completion still votes', async () => {
    const input = file('override.jsonl', [
      { problem_id: 'a', gold: '2', completion: '\\boxed{3}', correct: true },
      { problem_id: 'a', gold: '2', completion: '\\boxed{3}' },
    ]);
    const s = JSON.parse((await cli('score', '--input', input)).stdout);
    expect(s.pass1).toBe(0.5);
    expect(s.consK).toBe(1); // the "3" class holds a sample judged correct
  });

  test('a k larger than the samples of some problem is a usage error naming it', async () => {
    const r = await cli('score', '--input', completions, '--k', '1,8');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--k 8: problem "p1" has only 5 sample\(s\) in .*completions\.jsonl; .*lower --k/);
    expect(r.stdout).toBe('');
  });

  test.each([
    [['{"problem_id": "a", "correct": true}', '{"problem_id": "a", "correct": tru'], /bad\.jsonl:2: not valid JSON/],
    [[{ correct: true }], /bad\.jsonl:1: field "problem_id": missing/],
    [[{ problem_id: 'a', correct: 'yes' }], /bad\.jsonl:1: field "correct": expected true or false/],
    [[{ problem_id: 'a', gold: '1' }], /bad\.jsonl:1: give "correct" \(true\/false\), or both "gold" and "completion"/],
    [['[1, 2]'], /bad\.jsonl:1: expected a JSON object/],
    [
      [sample('a', '1', 'x'), sample('a', '2', 'y')],
      /bad\.jsonl:2: field "gold": "2" differs from "1" given for problem "a" on line 1/,
    ],
    [[], /bad\.jsonl: no samples/],
  ])('bad input %j → exit 1 naming file, line and field', async (lines, message) => {
    const r = await cli('score', '--input', file('bad.jsonl', lines));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
  });

  test('usage errors exit 2', async () => {
    expect((await cli('score')).code).toBe(2);
    expect((await cli('score', '--input', completions, '--k', 'x')).stderr).toMatch(/comma-separated integers/);
    expect((await cli('score', completions)).code).toBe(2);
    const missing = await cli('score', '--input', join(dir, 'nope.jsonl'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.jsonl: cannot read \(ENOENT\)/);
    expect((await cli('score', '--help')).stdout).toMatch(/usage: r1-eval score/);
  });

  test.each([
    ['1,4,16', [1, 4, 16]],
    ['16, 4,1,4', [1, 4, 16]],
  ])('parseKList(%s)', (text, ks) => expect(parseKList(text)).toEqual(ks));
});
