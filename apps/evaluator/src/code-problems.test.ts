/**
 * `--benchmark code`: the field mapping of the four layouts as the evaluator sees it (prompt, tests, the problem's
 * own limits, what reports show as the gold), the errors a bad file gives, the flag checks, and the judge's pieces
 * that need no sandbox (program extraction, per-test verdicts, cons@k equivalence). Nothing here runs a program.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Verdict } from '@r1/sandbox';
import { describe, expect, test } from 'vitest';
// The Parquet writer is a dev dependency of @r1/tasks; its test helper resolves it from there.
import { tempDir } from '../../../packages/tasks/src/test-utils/files';
import { codeEquivalence, programOf, testVerdicts } from './code-judge';
import { loadProblems } from './problems';
import { defaultInstruction } from './prompt';
import { DEFAULT_RUN_OPTIONS, parseRunArgs, type RunOptions } from './run-options';
import { cli } from './test-utils/capture-io';

const dir = mkdtempSync(join(tmpdir(), 'r1-eval-code-problems-'));
const jsonl = (name: string, records: readonly (object | string)[]) => {
  const path = join(dir, name);
  writeFileSync(path, `${records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n')}\n`);
  return path;
};
const options = (codeFormat: RunOptions['codeFormat'], data: string, extra: Partial<RunOptions> = {}): RunOptions => ({
  ...DEFAULT_RUN_OPTIONS,
  out: 'o',
  benchmark: 'code',
  data,
  codeFormat,
  ...extra,
});
const stdin = (inputs: string[], outputs: string[]) => ({ inputs, outputs });

describe('code problems in the four layouts', () => {
  test.each([
    [
      'apps',
      {
        problem_id: 4,
        question: 'Add.',
        input_output: JSON.stringify({ inputs: ['1 2\n'], outputs: ['3\n'] }),
        difficulty: 'interview',
      },
      { id: '4', prompt: 'Add.', answer: '1 test', meta: { tests: stdin(['1 2\n'], ['3\n']) } },
    ],
    [
      'apps',
      {
        problem_id: 5,
        question: 'Twice.',
        input_output: JSON.stringify({ fn_name: 'double', inputs: [[1], [2]], outputs: [2, 4] }),
        starter_code: 'def double(x):',
      },
      {
        id: '5',
        answer: '2 tests',
        meta: { tests: { fn_name: 'double', inputs: [[1], [2]], outputs: [2, 4] } },
      },
    ],
    [
      'code_contests',
      {
        name: '1_A. Add',
        description: 'Add.',
        public_tests: { input: ['1 2\n'], output: ['3\n'] },
        private_tests: { input: ['2 2\n'], output: ['4\n'] },
        generated_tests: { input: ['0 0\n'], output: ['0\n'] },
        time_limit: { seconds: 1, nanos: 500_000_000 },
        memory_limit_bytes: 268_435_456,
      },
      {
        id: '1_A. Add',
        prompt: 'Add.',
        answer: '3 tests',
        meta: {
          tests: stdin(['1 2\n', '2 2\n', '0 0\n'], ['3\n', '4\n', '0\n']),
          timeLimitSeconds: 1.5,
          memoryLimitMb: 256,
        },
      },
    ],
    [
      'codeforces',
      {
        id: '2000A',
        title: 'Add',
        description: 'Add two numbers.',
        input_format: 'Two integers.',
        output_format: 'One integer.',
        official_tests: [
          { input: '1 2\n', output: '3\n' },
          { input: '5 5\n', output: '10\n' },
        ],
        time_limit: 2,
        memory_limit: 512,
      },
      {
        id: '2000A',
        answer: '2 tests',
        meta: { tests: stdin(['1 2\n', '5 5\n'], ['3\n', '10\n']), timeLimitSeconds: 2, memoryLimitMb: 512 },
      },
    ],
    [
      'livecodebench',
      {
        question_id: 'abc300_a',
        question_content: 'Add.',
        public_test_cases: JSON.stringify([{ input: '1 2\n', output: '3\n', testtype: 'stdin' }]),
        private_test_cases: JSON.stringify([{ input: '4 4\n', output: '8\n', testtype: 'stdin' }]),
        metadata: '{}',
      },
      { id: 'abc300_a', prompt: 'Add.', answer: '2 tests', meta: { tests: stdin(['1 2\n', '4 4\n'], ['3\n', '8\n']) } },
    ],
    [
      'livecodebench',
      {
        question_id: '3000',
        question_content: 'Sum a list.',
        starter_code: 'class Solution:\n    def total(self, nums: List[int], k: int) -> int:',
        public_test_cases: JSON.stringify([{ input: '[1, 2]\n3', output: '6', testtype: 'functional' }]),
        private_test_cases: 'eJzLSM3JyQcABiwCFQ==', // zlib + pickle as released: not plain JSON, skipped
        metadata: JSON.stringify({ func_name: 'total' }),
      },
      { id: '3000', answer: '1 test', meta: { tests: { fn_name: 'total', inputs: [[[1, 2], 3]], outputs: [6] } } },
    ],
  ] as const)('%s: %j', async (format, record, want) => {
    const b = await loadProblems(options(format, jsonl(`${format}.jsonl`, [record])));
    expect(b.scoring).toBe('code');
    expect(b.name).toBe(`code:${format}.jsonl`);
    expect(b.source).toMatch(new RegExp(`^code:${format}:/`));
    expect(b.problems).toHaveLength(1);
    expect(b.problems[0]).toMatchObject(want);
    if ('starter_code' in record) expect(b.problems[0]!.prompt).toContain(record.starter_code);
    if (format === 'livecodebench' && record.question_id === '3000') {
      expect(b.warnings).toEqual([expect.stringMatching(/1 problem\(s\) have private tests that are not plain JSON/)]);
    }
  });

  test('Parquet files load through the same mapping (APPS layout)', async () => {
    const parquet = tempDir('evaluator-code');
    const file = parquet.writeParquet('apps.parquet', [
      { name: 'problem_id', data: [9], type: 'INT32' },
      { name: 'question', data: ['Echo.'], type: 'STRING' },
      { name: 'input_output', data: [JSON.stringify({ inputs: ['a\n'], outputs: ['a\n'] })], type: 'STRING' },
    ]);
    try {
      const b = await loadProblems(options('apps', file));
      expect(b.problems).toEqual([
        { id: '9', prompt: 'Echo.', answer: '1 test', meta: { tests: stdin(['a\n'], ['a\n']) } },
      ]);
    } finally {
      parquet.remove();
    }
  });

  test('codeforces problems with a checker or an interactor are flagged; --limit keeps the first N', async () => {
    const t = [{ input: '1\n', output: '1\n' }];
    const file = jsonl('cf-flags.jsonl', [
      { id: 'c1', description: 'Any answer.', official_tests: t, generated_checker: 'def check(): ...' },
      { id: 'c2', description: 'Interactive.', official_tests: t, interaction_format: 'Ask queries.' },
      { id: 'c3', description: 'Plain.', official_tests: t },
    ]);
    const b = await loadProblems(options('codeforces', file));
    expect(b.warnings).toEqual([
      expect.stringMatching(/^1 problem\(s\) accept several answers .*c1.*lower bound$/),
      expect.stringMatching(/^1 problem\(s\) are interactive \(c2\)/),
    ]);
    expect((await loadProblems(options('codeforces', file, { limit: 2 }))).problems.map((p) => p.id)).toEqual([
      'c1',
      'c2',
    ]);
  });

  test.each([
    [
      'apps-0',
      'apps',
      { question: 'q' },
      /apps-0\.jsonl:1: field "input_output": missing; fields present: question\. --code-format apps reads question, input_output/,
    ],
    [
      'apps-1',
      'apps',
      { question: 'q', input_output: '{oops' },
      /apps-1\.jsonl:1: field "input_output": is not valid JSON/,
    ],
    [
      'cc-2',
      'code_contests',
      { description: 'd', public_tests: { input: [], output: [] } },
      /cc-2\.jsonl:1: field "public_tests\/private_tests\/generated_tests": has no test cases\. --code-format code_contests reads description/,
    ],
    [
      'cf-3',
      'codeforces',
      { description: 'd', official_tests: [{ input: 1 }] },
      /cf-3\.jsonl:1: field "official_tests": test 0 is .*; expected \{input, output\} strings\. --code-format codeforces reads/,
    ],
    [
      'cf-4',
      'codeforces',
      { statement: 'd', official_tests: [] },
      /cf-4\.jsonl:1: field "description": missing; fields present: statement, official_tests/,
    ],
    [
      'lcb-5',
      'livecodebench',
      {
        question_content: 'q',
        public_test_cases: JSON.stringify([{ input: '1', output: '1', testtype: 'functional' }]),
      },
      /lcb-5\.jsonl:1: field "metadata": functional tests need metadata\.func_name/,
    ],
    [
      'lcb-6',
      'livecodebench',
      { question: 'q' },
      /lcb-6\.jsonl:1: field "question_content": missing; fields present: question\. --code-format livecodebench reads question_content/,
    ],
  ] as const)('bad record %s (%s) → %s', async (name, format, record, message) => {
    await expect(loadProblems(options(format, jsonl(`${name}.jsonl`, [record])))).rejects.toThrow(message);
  });

  test('the CLI stops on a bad line before anything is sampled or written (exit 1, file:line: field)', async () => {
    const file = jsonl('two.jsonl', [
      { problem_id: 1, question: 'q', input_output: JSON.stringify({ inputs: ['1'], outputs: ['1'] }) },
      'not json',
    ]);
    const out = join(dir, 'never');
    const r = await cli(
      'run',
      '--endpoint',
      'http://127.0.0.1:9/v1',
      '--benchmark',
      'code',
      '--data',
      file,
      '--code-format',
      'apps',
      '--out',
      out,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/two\.jsonl:2: /);
    expect(existsSync(out)).toBe(false);
  });

  test('the default chat instruction asks for one fenced program', () => {
    expect(defaultInstruction('code')).toMatch(/```python code block/);
  });
});

describe('code flags', () => {
  const base = ['--endpoint', 'http://x/v1', '--out', 'o'];
  test('parsed', () => {
    const o = parseRunArgs([
      ...base,
      '--benchmark',
      'code',
      '--data',
      'f.jsonl',
      '--code-format',
      'codeforces',
      '--code-timeout',
      '2.5',
      '--code-memory-mb',
      '256',
    ]);
    expect(o).toMatchObject({ benchmark: 'code', codeFormat: 'codeforces', codeTimeout: 2.5, codeMemoryMb: 256 });
  });
  test.each([
    [['--benchmark', 'code', '--code-format', 'apps'], /--benchmark code needs --data FILE/],
    [
      ['--benchmark', 'code', '--data', 'f.jsonl'],
      /needs --code-format apps\|code_contests\|codeforces\|livecodebench/,
    ],
    [
      ['--benchmark', 'code', '--data', 'f.jsonl', '--code-format', 'app'],
      /--code-format must be one of .* Did you mean 'apps'/,
    ],
    [
      ['--benchmark', 'aime24', '--data', 'f.jsonl', '--code-format', 'apps'],
      /--code-format applies to --benchmark code only/,
    ],
    [['--benchmark', 'arithmetic', '--code-timeout', '3'], /--code-timeout applies to --benchmark code only/],
    [
      ['--benchmark', 'code', '--data', 'f', '--code-format', 'apps', '--code-timeout', '0'],
      /--code-timeout takes seconds in \(0, 600\]/,
    ],
    [
      ['--benchmark', 'code', '--data', 'f', '--code-format', 'apps', '--code-memory-mb', '8'],
      /--code-memory-mb must be an integer in \[16/,
    ],
    [
      ['--benchmark', 'code', '--data', 'f', '--code-format', 'apps', '--problem-field', 'q'],
      /--problem-field does not apply to --benchmark code/,
    ],
  ])('%j → %s', (argv, message) => {
    expect(() => parseRunArgs([...base, ...argv])).toThrow(message);
  });

  test('score flags', async () => {
    const bad = async (argv: string[], message: RegExp) => {
      const r = await cli('score', '--input', 'x.jsonl', ...argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    };
    await bad(['--code-timeout', 'soon'], /--code-timeout takes a number in \(0, 600\]/);
    await bad(['--code-memory-mb', '1.5'], /--code-memory-mb takes an integer/);
    await bad(['--details', 'x.jsonl'], /--details must be another file than --input/);
  });
});

describe('judge pieces without a sandbox', () => {
  const stdio = { inputs: ['1\n'], outputs: ['1\n'] };
  const call = { fn_name: 'f', inputs: [[1]], outputs: [1] };
  test.each([
    ['the last block of any language', '```python\nprint(1)\n```\n```cpp\nint main(){}\n```', stdio, null, 'cpp'],
    [
      'call-based tests skip a C++ block for the last python one',
      '```python\ndef f(x): return x\n```\n```cpp\nint f(int x){return x;}\n```',
      call,
      null,
      'python',
    ],
    [
      'a score line’s language picks its block',
      '```python\nprint(1)\n```\n```js\nconsole.log(1)\n```',
      stdio,
      'python',
      'python',
    ],
  ] as const)('%s', (_, completion, tests, language, want) => {
    expect(programOf(completion, tests, language)?.language).toBe(want);
  });

  test('per-test verdicts: names and times; tests that never ran take the sample status', () => {
    const v: Verdict = {
      status: 'failed',
      passed: 1,
      total: 3,
      reward: 1 / 3,
      seconds: 0.2,
      tests: [
        { index: 0, status: 'passed', seconds: 0.0514 },
        { index: 2, status: 'timeout', seconds: 1.002 },
        { index: 1, status: 'failed', seconds: 0.03 },
      ],
    };
    expect(testVerdicts(v)).toEqual([
      { test_index: 0, verdict: 'pass', time_ms: 51 },
      { test_index: 1, verdict: 'wrong_answer', time_ms: 30 },
      { test_index: 2, verdict: 'timeout', time_ms: 1002 },
    ]);
    expect(testVerdicts({ ...v, status: 'compile_error', passed: 0, reward: 0, tests: [] })).toEqual(
      [0, 1, 2].map((i) => ({ test_index: i, verdict: 'compile_error', time_ms: 0 })),
    );
  });

  test('cons@k: the same program up to line-end whitespace and blank lines is one vote', () => {
    const eq = codeEquivalence();
    expect(eq('print(1)\n', 'print(1)   \n\n')).toBe(true);
    expect(eq('print(1)', 'print( 1)')).toBe(false);
  });
});
