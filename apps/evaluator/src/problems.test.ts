import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { DEFAULT_GENERATED_COUNT, loadProblems } from './problems';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from './run-options';
import { UsageError } from './usage-error';

const shared = fileURLToPath(new URL('../../../../shared/data/benchmarks/', import.meta.url));
const options = (partial: Partial<RunOptions>): RunOptions => ({ ...DEFAULT_RUN_OPTIONS, out: 'o', ...partial });

describe('loadProblems', () => {
  test.each([
    ['aime24', 30, 'aime24-I-01'],
    ['math500', 500, undefined],
    ['gsm8k', 1319, 'gsm8k-test-0000'],
  ])('%s from the shared data: %i problems with unique ids and gold answers', async (name, count, firstId) => {
    const b = await loadProblems(options({ benchmark: name, data: join(shared, `${name}.jsonl`) }));
    expect(b.name).toBe(name);
    expect(b.scoring).toBe('math');
    expect(b.problems).toHaveLength(count);
    expect(new Set(b.problems.map((p) => p.id)).size).toBe(count);
    expect(b.problems.every((p) => p.prompt.length > 0 && p.answer.length > 0)).toBe(true);
    if (firstId) expect(b.problems[0]!.id).toBe(firstId);
  });

  test('aime24 gold of the first problem and --limit', async () => {
    const b = await loadProblems(options({ benchmark: 'aime24', data: join(shared, 'aime24.jsonl'), limit: 3 }));
    expect(b.problems).toHaveLength(3);
    expect(b.problems[0]!.answer).toBe('204');
  });

  test('generated benchmarks: the test split, deterministic per seed, countdown keeps numbers and target', async () => {
    const a = await loadProblems(options({ benchmark: 'arithmetic', limit: 5, seed: 1 }));
    expect(a.problems).toHaveLength(5);
    expect(a.scoring).toBe('math');
    expect((await loadProblems(options({ benchmark: 'arithmetic', limit: 5, seed: 1 }))).problems).toEqual(a.problems);
    expect((await loadProblems(options({ benchmark: 'arithmetic', limit: 5, seed: 2 }))).problems).not.toEqual(
      a.problems,
    );
    // A larger --limit extends the same list (so a rerun with more problems resumes).
    const more = await loadProblems(options({ benchmark: 'arithmetic', limit: 8, seed: 1 }));
    expect(more.problems.slice(0, 5)).toEqual(a.problems);
    const c = await loadProblems(options({ benchmark: 'countdown', limit: 3, preset: 'tiny' }));
    expect(c.scoring).toBe('countdown');
    for (const p of c.problems) {
      expect(Object.keys(p.meta!)).toEqual(['numbers', 'target']);
      expect(Array.isArray(p.meta!.numbers)).toBe(true);
    }
    expect((await loadProblems(options({ benchmark: 'countdown' }))).problems).toHaveLength(DEFAULT_GENERATED_COUNT);
  });

  test('--task-options generates with explicit generator options; a bad key is a usage error', async () => {
    const t = await loadProblems(
      options({ benchmark: 'arithmetic', limit: 6, taskOptions: { minOperands: 4, maxOperands: 4 } }),
    );
    for (const p of t.problems) expect(p.prompt.match(/\d+/g)).toHaveLength(4);
    expect(t.source).toMatch(/options=\{"minOperands":4,"maxOperands":4\}/);
    await expect(loadProblems(options({ benchmark: 'arithmetic', taskOptions: { minOperand: 4 } }))).rejects.toThrow(
      /--task-options/,
    );
  });

  test('an unknown preset is a usage error listing the presets', async () => {
    await expect(loadProblems(options({ benchmark: 'arithmetic', preset: 'huge' }))).rejects.toThrow(UsageError);
    await expect(loadProblems(options({ benchmark: 'arithmetic', preset: 'huge' }))).rejects.toThrow(/tiny/);
  });

  test('any JSONL file through a field mapping', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'r1-eval-problems-'));
    const file = join(dir, 'mine.jsonl');
    writeFileSync(
      file,
      [
        { q: 'What is 1+1?', sol: 'so #### 2', key: 'a' },
        { q: 'What is 2+2?', sol: 'hence #### 4', key: 'b' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const b = await loadProblems(
      options({ data: file, problemField: 'q', answerField: 'sol', idField: 'key', answerFormat: 'gsm8k' }),
    );
    expect(b.name).toBe('mine.jsonl');
    expect(b.problems).toEqual([
      { id: 'a', prompt: 'What is 1+1?', answer: '2' },
      { id: 'b', prompt: 'What is 2+2?', answer: '4' },
    ]);
    // The same file through --benchmark FILE.
    expect(
      (await loadProblems(options({ benchmark: file, problemField: 'q', answerField: 'sol' }))).problems,
    ).toHaveLength(2);
    // Without a mapping the default fields are missing: file, line and field are named.
    await expect(loadProblems(options({ data: file }))).rejects.toThrow(/mine\.jsonl:1: field "problem": missing/);
    // Duplicate ids.
    writeFileSync(file, ['{"problem":"x","answer":"1","id":"a"}', '{"problem":"y","answer":"2","id":"a"}'].join('\n'));
    await expect(loadProblems(options({ data: file, idField: 'id' }))).rejects.toThrow(/"a" appears twice/);
  });

  test('countdown problems from a file: TinyZero layout by default, named fields, judge meta, bad lines named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'r1-eval-countdown-'));
    const file = join(dir, 'cd.jsonl');
    writeFileSync(
      file,
      `${JSON.stringify({ target: 24, nums: [4, 6, 1] })}\n${JSON.stringify({ target: 9, nums: [3, 3] })}\n`,
    );
    const b = await loadProblems(options({ benchmark: 'countdown', data: file }));
    expect(b.scoring).toBe('countdown');
    expect(b.name).toBe('cd.jsonl');
    expect(b.source).toMatch(/^countdown:file:/);
    expect(b.problems[0]).toEqual({
      id: 'cd-1',
      prompt:
        'Using the numbers [4, 6, 1], create an equation that equals 24. You can use basic arithmetic operations ' +
        '(+, -, *, /) and each number can only be used once.',
      answer: '1,4,6=>24',
      meta: { numbers: [4, 6, 1], target: 24 },
    });
    expect((await loadProblems(options({ benchmark: 'countdown', data: file, limit: 1 }))).problems).toHaveLength(1);
    writeFileSync(file, `${JSON.stringify({ k: 'a', goal: 5, numbers: [2, 3] })}\n`);
    const named = await loadProblems(
      options({ benchmark: 'countdown', data: file, numbersField: 'numbers', targetField: 'goal', idField: 'k' }),
    );
    expect(named.problems[0]).toMatchObject({ id: 'a', meta: { numbers: [2, 3], target: 5 } });
    await expect(loadProblems(options({ benchmark: 'countdown', data: file }))).rejects.toThrow(
      /cd\.jsonl:1: field "nums": missing; fields present: k, goal, numbers/,
    );
  });
});
