import { afterAll, describe, expect, test } from 'vitest';
import { loadCodeDataset, streamCodeDataset } from './code-datasets';
import { DatasetError } from './dataset-error';
import { tempDir } from './test-utils/files';

const dir = tempDir('code-datasets');
afterAll(() => dir.remove());
const lines = (...records: unknown[]) => `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;

async function errorOf(file: string, codeFormat: 'apps' | 'code_contests' | 'codeforces' | 'livecodebench') {
  try {
    await loadCodeDataset(file, { codeFormat });
  } catch (error) {
    expect(error).toBeInstanceOf(DatasetError);
    return error as DatasetError;
  }
  throw new Error('expected a DatasetError');
}

describe('APPS / TACO', () => {
  test('stdin/stdout and call-based problems; input_output is a JSON string', async () => {
    const file = dir.write(
      'apps.jsonl',
      lines(
        {
          problem_id: 7,
          question: 'Add two numbers.',
          input_output: JSON.stringify({ inputs: ['1 2\n', ['3 4', '']], outputs: ['3\n', ['7']] }),
          starter_code: '',
          difficulty: 'introductory',
        },
        {
          problem_id: 'taco-9',
          question: 'Return the sum.',
          input_output: JSON.stringify({ fn_name: 'add', inputs: [[1, 2]], outputs: [[3]] }),
          starter_code: 'def add(a, b):\n    ',
        },
      ),
    );
    const { records } = await loadCodeDataset(file, { codeFormat: 'apps' });
    expect(records[0]).toMatchObject({
      id: '7',
      prompt: 'Add two numbers.',
      meta: {
        codeFormat: 'apps',
        tests: { inputs: ['1 2\n', '3 4\n'], outputs: ['3\n', '7'] },
        extra: { difficulty: 'introductory' },
      },
    });
    expect(records[1]!.meta.tests).toEqual({ fn_name: 'add', inputs: [[1, 2]], outputs: [[3]] });
    expect(records[1]!.meta.starterCode).toBe('def add(a, b):\n    ');
    expect(records[1]!.prompt).toContain('```python\ndef add(a, b):\n```');
  });

  test('bad records name the file, line and field', async () => {
    const bad = dir.write('apps-bad.jsonl', lines({ question: 'q', input_output: '{not json' }));
    expect((await errorOf(bad, 'apps')).message).toMatch(/apps-bad\.jsonl:1: field "input_output": is not valid JSON/);
    const empty = dir.write(
      'apps-empty.jsonl',
      lines({ question: 'q', input_output: '{"inputs": [], "outputs": []}' }),
    );
    expect((await errorOf(empty, 'apps')).message).toMatch(/has no test cases/);
    const missing = dir.write('apps-missing.jsonl', lines({ prompt: 'q' }));
    expect((await errorOf(missing, 'apps')).kind).toBe('missing-field');
    const stream = streamCodeDataset(bad, { codeFormat: 'apps', onBadRecord: 'skip' });
    for await (const _ of stream) throw new Error('no record expected');
    expect(stream.stats.skipped).toBe(1);
  });

  test('Parquet: the same mapping', async () => {
    const file = dir.writeParquet('apps.parquet', [
      { name: 'problem_id', data: [1], type: 'INT32' },
      { name: 'question', data: ['Echo.'], type: 'STRING' },
      { name: 'input_output', data: [JSON.stringify({ inputs: ['a\n'], outputs: ['a\n'] })], type: 'STRING' },
    ]);
    const { records } = await loadCodeDataset(file, { codeFormat: 'apps' });
    expect(records[0]!.meta.tests).toEqual({ inputs: ['a\n'], outputs: ['a\n'] });
    expect(records[0]!.meta.row).toBe(0);
  });
});

describe('code_contests', () => {
  test('public, private and generated tests together; limits', async () => {
    const file = dir.write(
      'cc.jsonl',
      lines({
        name: '1000_A. Sum',
        description: 'Print a+b.',
        public_tests: { input: ['1 2\n'], output: ['3\n'] },
        private_tests: { input: ['5 5\n'], output: ['10\n'] },
        generated_tests: { input: ['0 0\n'], output: ['0\n'] },
        time_limit: { seconds: 2, nanos: 500000000 },
        memory_limit_bytes: 268435456,
      }),
    );
    const { records } = await loadCodeDataset(file, { codeFormat: 'code_contests' });
    expect(records[0]).toMatchObject({
      id: '1000_A. Sum',
      prompt: 'Print a+b.',
      meta: {
        tests: { inputs: ['1 2\n', '5 5\n', '0 0\n'], outputs: ['3\n', '10\n', '0\n'] },
        publicTests: { inputs: ['1 2\n'], outputs: ['3\n'] },
        timeLimitSeconds: 2.5,
        memoryLimitMb: 256,
      },
    });
  });

  test('no tests at all is a bad record', async () => {
    const file = dir.write('cc-none.jsonl', lines({ description: 'x', public_tests: { input: [], output: [] } }));
    expect((await errorOf(file, 'code_contests')).kind).toBe('empty-field');
  });
});

describe('open-r1 codeforces', () => {
  test('official tests, examples as public tests, limits, the statement from its parts', async () => {
    const file = dir.write(
      'cf.jsonl',
      lines({
        id: '1A',
        title: 'Theatre Square',
        description: 'Cover the square.',
        input_format: 'n m a',
        output_format: 'One number.',
        examples: [{ input: '6 6 4\n', output: '4\n' }],
        official_tests: [
          { input: '6 6 4\n', output: '4\n' },
          { input: '1 1 1\n', output: '1\n' },
        ],
        time_limit: 1,
        memory_limit: 256,
      }),
    );
    const { records } = await loadCodeDataset(file, { codeFormat: 'codeforces' });
    expect(records[0]).toMatchObject({
      id: '1A',
      meta: {
        tests: { inputs: ['6 6 4\n', '1 1 1\n'], outputs: ['4\n', '1\n'] },
        publicTests: { inputs: ['6 6 4\n'], outputs: ['4\n'] },
        timeLimitSeconds: 1,
        memoryLimitMb: 256,
      },
    });
    expect(records[0]!.prompt).toBe('Theatre Square\n\nCover the square.\n\nInput\nn m a\n\nOutput\nOne number.');
  });

  test('a prompt field is used as it is; empty official tests are a bad record', async () => {
    const file = dir.write(
      'cf2.jsonl',
      lines(
        { id: 'x', prompt: 'Solve it.', official_tests: [{ input: '1\n', output: '1\n' }] },
        { id: 'y', description: 'd', official_tests: [] },
      ),
    );
    const stream = streamCodeDataset(file, { codeFormat: 'codeforces', onBadRecord: 'skip' });
    const got = [];
    for await (const r of stream) got.push(r);
    expect(got.map((r) => r.prompt)).toEqual(['Solve it.']);
    expect(stream.stats.errors[0]!.message).toMatch(/cf2\.jsonl:2: field "official_tests": has no test cases/);
  });
});

describe('LiveCodeBench', () => {
  test('stdin tests; plain-JSON private tests are added, compressed ones are skipped and counted', async () => {
    const file = dir.write(
      'lcb.jsonl',
      lines(
        {
          question_id: 'abc300_a',
          question_content: 'Print N+1.',
          public_test_cases: JSON.stringify([{ input: '1\n', output: '2\n', testtype: 'stdin' }]),
          private_test_cases: JSON.stringify([{ input: '5\n', output: '6\n', testtype: 'stdin' }]),
          metadata: '{}',
        },
        {
          question_id: 'abc301_a',
          question_content: 'Print N+2.',
          public_test_cases: JSON.stringify([{ input: '1\n', output: '3\n', testtype: 'stdin' }]),
          private_test_cases: 'eJy1kMEKgjAQRH9l2bMHk0Kzv4hA...',
          metadata: '{}',
        },
      ),
    );
    const { records } = await loadCodeDataset(file, { codeFormat: 'livecodebench' });
    expect(records[0]!.meta.tests).toEqual({ inputs: ['1\n', '5\n'], outputs: ['2\n', '6\n'] });
    expect(records[0]!.meta.publicTests).toEqual({ inputs: ['1\n'], outputs: ['2\n'] });
    expect(records[1]!.meta.tests).toEqual({ inputs: ['1\n'], outputs: ['3\n'] });
    expect(records[1]!.meta.privateTestsSkipped).toBe(true);
  });

  test('functional tests: one JSON argument per line, fn_name from metadata', async () => {
    const file = dir.write(
      'lcb-fn.jsonl',
      lines({
        question_id: '2777',
        question_content: 'Return the distinct difference array.',
        starter_code: 'class Solution:\n    def distinctDifferenceArray(self, nums: List[int]) -> List[int]:\n        ',
        public_test_cases: JSON.stringify([{ input: '[1, 2]\n3', output: '[4]', testtype: 'functional' }]),
        private_test_cases: '',
        metadata: JSON.stringify({ func_name: 'distinctDifferenceArray' }),
      }),
    );
    const { records } = await loadCodeDataset(file, { codeFormat: 'livecodebench' });
    expect(records[0]!.meta.tests).toEqual({
      fn_name: 'distinctDifferenceArray',
      inputs: [[[1, 2], 3]],
      outputs: [[4]],
    });
    expect(records[0]!.prompt).toContain('class Solution:');
  });

  test('functional tests without func_name are a bad record', async () => {
    const file = dir.write(
      'lcb-nofn.jsonl',
      lines({
        question_content: 'q',
        public_test_cases: JSON.stringify([{ input: '1', output: '1', testtype: 'functional' }]),
      }),
    );
    expect((await errorOf(file, 'livecodebench')).message).toMatch(/func_name/);
  });
});

test('options are checked', () => {
  expect(() => streamCodeDataset('x.jsonl', { codeFormat: 'mbpp' as never })).toThrow(/codeFormat/);
  expect(() => streamCodeDataset('x.jsonl', { codeFormat: 'apps', fields: {} } as never)).toThrow(/fields/);
});
