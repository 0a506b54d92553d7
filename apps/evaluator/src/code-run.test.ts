/**
 * `r1-eval run --benchmark code` end to end, with a real bubblewrap jail: a few problems in each of the four
 * layouts, written here, sampled from a scripted OpenAI-compatible server on loopback (so each problem's
 * completion is known), judged in the sandbox; and `r1-eval score` on code lines with `--details`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureBubblewrap, leftoverCgroups } from '../../../packages/sandbox/src/test-utils/ensure-sandbox';
import { cli } from './test-utils/capture-io';
import { type FakeEndpoint, startFakeEndpoint } from './test-utils/fake-endpoint';

const dir = mkdtempSync(join(tmpdir(), 'r1-eval-code-'));
const jsonl = (name: string, records: readonly object[]) => {
  const path = join(dir, name);
  writeFileSync(path, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
  return path;
};
const block = (lang: string, code: string) => `<think>Easy.</think>\nHere it is:\n\`\`\`${lang}\n${code}\n\`\`\`\n`;

/** What the scripted model writes, by the marker in the problem statement. */
const COMPLETIONS: Record<string, string> = {
  '[[add]]': block('python', 'a, b = map(int, input().split())\nprint(a + b)'),
  '[[wrong]]': block('python', 'a, b = map(int, input().split())\nprint(a - b)'),
  '[[double-fn]]': block('python', 'def double(x):\n    return 2 * x'),
  '[[double-method]]': block('python', 'class Solution:\n    def double(self, x: int) -> int:\n        return x * 2'),
  '[[add-cpp]]': `${block('python', 'print(0)')}Faster in C++:\n${block('cpp', '#include <cstdio>\nint main(){long long a,b;scanf("%lld %lld",&a,&b);printf("%lld\\n",a+b);}')}`,
  '[[add-js]]': block(
    'js',
    "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\nconsole.log(a + b);",
  ),
  '[[nocode]]': 'I think the answer is 3.',
  '[[slow]]': block('python', 'while True:\n    pass'),
};

let server: FakeEndpoint;
beforeAll(async () => {
  ensureBubblewrap();
  server = await startFakeEndpoint((prompt) => {
    const marker = Object.keys(COMPLETIONS).find((m) => prompt.includes(m));
    return marker === undefined ? 'no idea' : COMPLETIONS[marker]!;
  });
});
afterAll(async () => {
  await server.close();
});

const run = (format: string, data: string, out: string, ...extra: string[]) =>
  cli(
    'run',
    '--endpoint',
    server.url,
    '--benchmark',
    'code',
    '--data',
    data,
    '--code-format',
    format,
    '--k',
    '2',
    '--out',
    out,
    ...extra,
  );

interface Rec {
  problemId: string;
  sampleIndex: number;
  correct: boolean;
  extracted: string | null;
}
const records = (out: string): Rec[] =>
  readFileSync(join(out, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Rec);
const summary = (out: string) => JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
const correctBy = (out: string) => {
  const m: Record<string, boolean[]> = {};
  for (const r of records(out)) {
    m[r.problemId] ??= [];
    m[r.problemId]![r.sampleIndex] = r.correct;
  }
  return m;
};

const add = (a: number, b: number) => ({ input: `${a} ${b}\n`, output: `${a + b}\n` });

describe('r1-eval run --benchmark code', () => {
  test('APPS: stdin and call-based problems; pass@1 and cons@k; a rerun resumes from results.jsonl', async () => {
    const data = jsonl('apps.jsonl', [
      {
        problem_id: 1,
        question: '[[add]] Print a + b.',
        input_output: JSON.stringify({ inputs: ['1 2\n', '5 7\n'], outputs: ['3\n', '12\n'] }),
      },
      {
        problem_id: 2,
        question: '[[double-fn]] Return twice x.',
        input_output: JSON.stringify({ fn_name: 'double', inputs: [[2], [5]], outputs: [4, 10] }),
        starter_code: 'def double(x):\n    ',
      },
      {
        problem_id: 3,
        question: '[[wrong]] Print a + b.',
        input_output: JSON.stringify({ inputs: ['1 2\n'], outputs: ['3\n'] }),
      },
    ]);
    const out = join(dir, 'apps');
    const r = await run('apps', data, out);
    expect(r.code, r.stderr).toBe(0);
    expect(correctBy(out)).toEqual({ '1': [true, true], '2': [true, true], '3': [false, false] });
    const s = summary(out);
    expect(s).toMatchObject({ problems: 3, samplesPerProblem: 2, benchmark: 'code:apps.jsonl' });
    expect(s.pass1).toBeCloseTo(2 / 3, 12);
    expect(s.consK).toBeCloseTo(2 / 3, 12);
    expect(records(out).find((x) => x.problemId === '1')!.extracted).toBe(
      'a, b = map(int, input().split())\nprint(a + b)\n',
    );
    expect(r.stdout).toMatch(/pass@1 {3}66\.7%/);

    const requests = server.requests;
    const again = await run('apps', data, out);
    expect(again.code, again.stderr).toBe(0);
    expect(server.requests).toBe(requests); // every sample came from results.jsonl
    expect(again.stderr).toMatch(/6 samples already in/);
    expect(summary(out).pass1).toBe(s.pass1);
  });

  test('code_contests: public + private + generated tests; no code block is wrong', async () => {
    const data = jsonl('cc.jsonl', [
      {
        name: 'A. Add',
        description: '[[add]] Print a + b.',
        public_tests: { input: [add(1, 2).input], output: [add(1, 2).output] },
        private_tests: { input: [add(5, 7).input], output: [add(5, 7).output] },
        generated_tests: { input: [add(-1, 1).input], output: [add(-1, 1).output] },
        time_limit: { seconds: 2, nanos: 0 },
        memory_limit_bytes: 256 * 1024 * 1024,
      },
      {
        name: 'B. Words',
        description: '[[nocode]] Print a + b.',
        public_tests: { input: ['1 2\n'], output: ['3\n'] },
        private_tests: { input: [], output: [] },
      },
    ]);
    const out = join(dir, 'cc');
    const r = await run('code_contests', data, out);
    expect(r.code, r.stderr).toBe(0);
    expect(correctBy(out)).toEqual({ 'A. Add': [true, true], 'B. Words': [false, false] });
    expect(summary(out).pass1).toBe(0.5);
  });

  test('codeforces: C++ and JavaScript programs, judged by their fence tag', async () => {
    const data = jsonl('cf.jsonl', [
      {
        id: '1A',
        title: 'Add',
        description: '[[add-cpp]] Print a + b.',
        input_format: 'Two integers.',
        output_format: 'Their sum.',
        official_tests: [add(1, 2), add(1_000_000_000, 1_000_000_000)],
        time_limit: 2,
        memory_limit: 256,
      },
      {
        id: '1B',
        description: '[[add-js]] Print a + b.',
        official_tests: [add(3, 4)],
        time_limit: 2,
        memory_limit: 256,
      },
    ]);
    const out = join(dir, 'cf');
    const r = await run('codeforces', data, out, '--k', '1');
    expect(r.code, r.stderr).toBe(0);
    expect(correctBy(out)).toEqual({ '1A': [true], '1B': [true] });
    expect(summary(out).pass1).toBe(1);
  });

  test('livecodebench: stdin and functional tests; a program past --code-timeout is wrong', async () => {
    const cases = (...cs: object[]) => JSON.stringify(cs);
    const data = jsonl('lcb.jsonl', [
      {
        question_id: 'lc1',
        question_content: '[[add]] Print a + b.',
        public_test_cases: cases({ ...add(1, 2), testtype: 'stdin' }),
        private_test_cases: cases({ ...add(40, 2), testtype: 'stdin' }),
        metadata: '{}',
      },
      {
        question_id: 'lc2',
        question_content: '[[double-method]] Return twice x.',
        starter_code: 'class Solution:\n    def double(self, x: int) -> int:\n        ',
        public_test_cases: cases({ input: '2', output: '4', testtype: 'functional' }),
        private_test_cases: cases({ input: '21', output: '42', testtype: 'functional' }),
        metadata: JSON.stringify({ func_name: 'double' }),
      },
      {
        question_id: 'lc3',
        question_content: '[[slow]] Print a + b.',
        public_test_cases: cases({ ...add(1, 2), testtype: 'stdin' }),
        metadata: '{}',
      },
    ]);
    const out = join(dir, 'lcb');
    const r = await run('livecodebench', data, out, '--k', '1', '--code-timeout', '1');
    expect(r.code, r.stderr).toBe(0);
    expect(correctBy(out)).toEqual({ lc1: [true], lc2: [true], lc3: [false] });
    expect(summary(out).pass1).toBeCloseTo(2 / 3, 12);
  });

  test('nothing is left running: no run cgroup survives the runs', () => {
    expect(leftoverCgroups()).toEqual([]);
  });
});

describe('r1-eval score on code lines', () => {
  const tests = { inputs: ['1 2\n', '5 7\n'], outputs: ['3\n', '12\n'] };
  const line = (problem_id: string, completion: string, extra: object = {}) => ({
    problem_id,
    completion,
    tests,
    ...extra,
  });
  const input = () =>
    jsonl('score-code.jsonl', [
      line('add', COMPLETIONS['[[add]]']!),
      line('add', block('python', 'a, b = map(int, input().split())\nprint(a + b if a < 3 else 0)')),
      line('add', block('python', 'raise SystemExit(3)')),
      line('add', COMPLETIONS['[[nocode]]']!),
      line('add', COMPLETIONS['[[slow]]']!),
      line('mem', block('python', 'x = bytearray(1 << 30)\nprint(len(x))')),
      line('cpp', block('cpp', 'int main( { return 0; }')),
      {
        problem_id: 'fn',
        completion: COMPLETIONS['[[double-fn]]'],
        tests: { fn_name: 'double', inputs: [[1], [2]], outputs: [2, 4] },
        language: 'python',
      },
      { problem_id: 'math', gold: '1/2', completion: 'so \\boxed{0.5}' },
    ]);

  test('verdicts per test with --details (input order), pass@1 over code and math lines', async () => {
    const details = join(dir, 'details.jsonl');
    const r = await cli(
      'score',
      '--input',
      input(),
      '--code-timeout',
      '1',
      '--code-memory-mb',
      '64',
      '--details',
      details,
    );
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.problems).toBe(5);
    // add 1/5, mem 0, cpp 0, fn 1, math 1
    expect(s.pass1).toBeCloseTo((1 / 5 + 0 + 0 + 1 + 1) / 5, 12);
    const d = readFileSync(details, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(d.map((x) => [x.problem_id, x.sample_index, x.status, x.reward, x.passed, x.total])).toEqual([
      ['add', 0, 'passed', 1, 2, 2],
      ['add', 1, 'failed', 0.5, 1, 2],
      ['add', 2, 'runtime_error', 0, 0, 2],
      ['add', 3, 'no_code', 0, 0, 2],
      ['add', 4, 'timeout', 0, 0, 2],
      ['mem', 0, 'memory', 0, 0, 2],
      ['cpp', 0, 'compile_error', 0, 0, 2],
      ['fn', 0, 'passed', 1, 2, 2],
      ['math', 0, 'passed', 1, 1, 1],
    ]);
    expect(d.map((x) => x.test_verdicts?.map((t: { verdict: string }) => t.verdict))).toEqual([
      ['pass', 'pass'],
      ['pass', 'wrong_answer'],
      ['runtime_error', 'runtime_error'],
      ['no_code', 'no_code'],
      ['timeout', 'timeout'],
      ['memory', 'memory'],
      ['compile_error', 'compile_error'],
      ['pass', 'pass'],
      undefined,
    ]);
    expect(d[0].test_verdicts[1]).toMatchObject({ test_index: 1 });
    expect(d[0].test_verdicts[1].time_ms).toBeGreaterThan(0);
    expect(d[4].test_verdicts[0].time_ms).toBeGreaterThanOrEqual(900);
    expect(d.map((x) => x.correct)).toEqual([true, false, false, false, false, false, false, true, true]);
    expect(d[0]).toMatchObject({ code_language: 'python', line: 1 });
    expect(typeof d[0].seconds).toBe('number');

    // The details file is itself score input (its lines carry "correct"): compare and score read it.
    const again = await cli('score', '--input', details);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).pass1).toBeCloseTo(s.pass1, 12);
  });

  test('bad code lines name file, line and field', async () => {
    const bad = async (rec: object, message: RegExp) => {
      const r = await cli('score', '--input', jsonl('bad-code.jsonl', [rec]));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
    };
    await bad(
      { problem_id: 'a', completion: 'x', tests: { inputs: ['1'] } },
      /bad-code\.jsonl:1: field "tests": tests need arrays/,
    );
    await bad({ problem_id: 'a', tests }, /bad-code\.jsonl:1: field "completion": missing/);
    await bad({ problem_id: 'a', completion: 'x', tests, correct: true }, /field "tests": .*drop "correct"/);
    await bad(
      { problem_id: 'a', completion: 'x', tests, language: 'rust' },
      /field "language": expected one of python, cpp, javascript/,
    );
  });
});
