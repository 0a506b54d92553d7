import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pairedBootstrap } from '@r1/eval';
import { describe, expect, test } from 'vitest';
import { loadRunScores, verdictOf } from './compare';
import { cli } from './test-utils/capture-io';

const root = mkdtempSync(join(tmpdir(), 'r1-eval-compare-'));

/** A run directory as r1-eval writes it: results.jsonl records and a summary.json with the run's k. */
function runDir(name: string, k: number, verdicts: Record<string, boolean[]>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const lines = Object.entries(verdicts).flatMap(([problemId, correct]) =>
    correct.map((c, sampleIndex) =>
      JSON.stringify({
        key: `${name}-${problemId}-${sampleIndex}`,
        problemId,
        sampleIndex,
        modelId: name,
        completion: '',
        extracted: null,
        correct: c,
        finishReason: 'stop',
        tokens: 0,
      }),
    ),
  );
  writeFileSync(join(dir, 'results.jsonl'), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ samplesPerProblem: k }));
  return dir;
}

const T = true;
const F = false;
const ids = Array.from({ length: 20 }, (_, i) => `p${String(i).padStart(2, '0')}`);
// A: half right on every problem. B: all right on the first ten, the same as A on the rest.
const a = runDir('a', 2, Object.fromEntries(ids.map((id) => [id, [T, F]])));
const b = runDir(
  'b',
  2,
  Object.fromEntries([...ids.map((id, i) => [id, i < 10 ? [T, T] : [F, T]] as const), ['only-in-b', [T, T]]]),
);
// A third sample past the run's k (left from an earlier run with a larger k) is not counted.
appendFileSync(
  join(b, 'results.jsonl'),
  `${JSON.stringify({ key: 'extra', problemId: 'p15', sampleIndex: 2, correct: true, modelId: 'b' })}\n`,
);

describe('r1-eval compare', () => {
  test('paired difference of pass@1 on the shared problems, with its bootstrap CI and a verdict', async () => {
    const r = await cli('compare', a, b, '--json');
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c.shared).toBe(20);
    expect(c.a).toMatchObject({ problems: 20, pass1: 0.5 });
    expect(c.b).toMatchObject({ problems: 21, pass1: 0.75 });
    expect(c.difference.diff).toBeCloseTo(0.25, 12);
    const expected = pairedBootstrap(
      ids.map(() => 0.5),
      ids.map((_, i) => (i < 10 ? 1 : 0.5)),
    );
    expect(c.difference.ci).toEqual(expected.ci);
    expect(c.difference.ci[0]).toBeGreaterThan(0);
    expect(c.verdict).toMatch(/^B is better than A \(\+25\.0 points of pass@1, 95% CI \+\d/);
  });

  test('the text output ends in a one-line verdict; swapping the runs flips it', async () => {
    const r = await cli('compare', b, a);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^A: .*pass@1 75\.0% on the 20 shared problems \(21 in the run\)$/);
    expect(lines[2]).toMatch(/^B − A: −25\.0 points, 95% CI \[−\d+\.\d, −\d+\.\d\]/);
    expect(lines.at(-1)).toMatch(/^verdict: B is worse than A/);
  });

  test('a run compared with itself: no significant difference', async () => {
    const r = await cli('compare', a, a);
    expect(r.stdout).toMatch(/verdict: no significant difference: the 95% CI of B − A includes 0/);
  });

  test('only the first k samples count; problems with fewer (an interrupted run) are left out and noted', async () => {
    const dir = runDir('partial', 2, { p00: [T, T], p01: [T] });
    appendFileSync(join(dir, 'results.jsonl'), '{"key":"torn","probl'); // a write cut by kill -9
    const scores = loadRunScores(dir);
    expect([...scores.pass1]).toEqual([['p00', 1]]);
    expect(scores.incomplete).toBe(1);
    expect(loadRunScores(b).pass1.get('p15')).toBe(0.5);
    const r = await cli('compare', a, dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/B \(.*partial\): 1 problem\(s\) have fewer samples than its k; left out/);
  });

  test('JSONL files of score lines compare too', async () => {
    const fa = join(root, 'a.jsonl');
    const fb = join(root, 'b.jsonl');
    writeFileSync(fa, ['x', 'y'].map((id) => JSON.stringify({ problem_id: id, correct: false })).join('\n'));
    writeFileSync(fb, ['x', 'y'].map((id) => JSON.stringify({ problem_id: id, correct: true })).join('\n'));
    const c = JSON.parse((await cli('compare', fa, fb, '--json')).stdout);
    expect(c.difference.diff).toBe(1);
    expect(c.difference.ci).toEqual([1, 1]);
  });

  test('errors: no shared problem (1), missing results (1), wrong arguments (2)', async () => {
    const other = runDir('other', 1, { q1: [T] });
    const none = await cli('compare', a, other);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/share no problem: .* has 20 problem\(s\), .* has 1/);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const missing = await cli('compare', a, empty);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no results\.jsonl inside/);
    expect((await cli('compare', a)).code).toBe(2);
    expect((await cli('compare', a, b, '--jsn')).stderr).toMatch(/unknown option --jsn. Did you mean 'json'\?/);
  });

  test.each([
    [{ diff: 0.1, ci: [0.02, 0.2] }, /^B is better than A \(\+10\.0 points/],
    [{ diff: -0.1, ci: [-0.2, -0.01] }, /^B is worse than A \(−10\.0 points/],
    [{ diff: 0.01, ci: [-0.05, 0.07] }, /^no significant difference/],
  ])('verdictOf(%j)', (d, text) => {
    expect(verdictOf({ meanA: 0, meanB: 0, pNotBetter: 0, ...d } as never, 10)).toMatch(text);
  });
});
