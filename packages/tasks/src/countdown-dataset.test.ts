import { afterAll, describe, expect, test } from 'vitest';
import { countdownPrompt } from './countdown';
import { loadCountdownDataset, streamCountdownDataset } from './countdown-dataset';
import { DatasetError } from './dataset-error';
import { OPERATORS } from './expression';
import { tempDir } from './test-utils/files';

const dir = tempDir('countdown-dataset');
afterAll(() => dir.remove());

const lines = (...records: unknown[]) => `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;

async function errorOf(file: string, options = {}): Promise<DatasetError> {
  try {
    await loadCountdownDataset(file, options);
  } catch (error) {
    expect(error).toBeInstanceOf(DatasetError);
    return error as DatasetError;
  }
  throw new Error('expected a DatasetError');
}

describe('loadCountdownDataset', () => {
  test("TinyZero's layout (target, nums): prompts as the built-in task writes them, numbers and target in meta", async () => {
    const file = dir.write(
      'tinyzero.jsonl',
      lines({ target: 24, nums: [4, 6, 1] }, { target: 98, nums: [44, 19, 35], source: 'x' }),
    );
    const { records, stats } = await loadCountdownDataset(file);
    expect(stats).toMatchObject({ records: 2, skipped: 0 });
    expect(records[0]).toMatchObject({
      id: 'tinyzero-1',
      prompt: countdownPrompt([4, 6, 1], 24, OPERATORS, 'sentence'),
      meta: { numbers: [4, 6, 1], target: 24, line: 1, extra: {} },
    });
    expect(records[0]!.prompt).toBe(
      'Using the numbers [4, 6, 1], create an equation that equals 24. You can use basic arithmetic operations ' +
        '(+, -, *, /) and each number can only be used once.',
    );
    expect(records[1]).toMatchObject({
      id: 'tinyzero-2',
      meta: { numbers: [44, 19, 35], target: 98, extra: { source: 'x' } },
    });
    expect(records[1]!.answer).toBeUndefined();
  });

  test('named fields, ids, digit strings and the compact prompt style', async () => {
    const file = dir.write('named.jsonl', lines({ key: 'p7', numbers: ['3', 5], goal: '15' }));
    const { records } = await loadCountdownDataset(file, {
      fields: { numbers: 'numbers', target: 'goal', id: 'key' },
      promptStyle: 'compact',
    });
    expect(records).toEqual([
      {
        id: 'p7',
        prompt: 'Make 15 from 3, 5.',
        meta: { file, line: 1, extra: {}, numbers: [3, 5], target: 15 },
      },
    ]);
  });

  test.each([
    [{ nums: [1, 2] }, 'missing-field', 'target', /field "target": missing; fields present: nums/],
    [{ target: 3, nums: null }, 'missing-field', 'nums', /field "nums": is null/],
    [{ target: 3, nums: '1,2' }, 'wrong-type', 'nums', /expected a list of integers, got "1,2"/],
    [{ target: 3, nums: [1] }, 'wrong-type', 'nums', /at least two numbers, got 1/],
    [{ target: 3, nums: [1, 2.5] }, 'wrong-type', 'nums', /item 1 is 2.5; expected a non-negative integer/],
    [{ target: 3, nums: [1, -2] }, 'wrong-type', 'nums', /item 1 is -2/],
    [{ target: 'ten', nums: [1, 2] }, 'wrong-type', 'target', /expected an integer .*, got "ten"/],
    [[1, 2], 'not-an-object', undefined, /expected a JSON object per record/],
  ])('bad record %j → %s naming file, line and field', async (record, kind, fieldName, message) => {
    const file = dir.write('bad.jsonl', lines({ target: 1, nums: [1, 0] }, record));
    const error = await errorOf(file);
    expect(error).toMatchObject({ kind, line: 2, field: fieldName });
    expect(error.message).toMatch(/bad\.jsonl:2:/);
    expect(error.message).toMatch(message);
  });

  test("onBadRecord 'skip' counts bad records and keeps the good ones; limit stops early", async () => {
    const file = dir.write(
      'mixed.jsonl',
      lines({ target: 1, nums: [1, 0] }, { target: 2 }, { target: 3, nums: [1, 2] }, { target: 4, nums: [2, 2] }),
    );
    const { records, stats } = await loadCountdownDataset(file, { onBadRecord: 'skip' });
    expect(records.map((r) => r.meta.target)).toEqual([1, 3, 4]);
    expect(stats.skipped).toBe(1);
    expect(stats.errors[0]!.message).toMatch(/mixed\.jsonl:2: field "nums": missing/);
    const limited = await loadCountdownDataset(file, { onBadRecord: 'skip', limit: 2 });
    expect(limited.records.map((r) => r.meta.target)).toEqual([1, 3]);
  });

  test('reads Parquet: list values become numbers; row numbers in ids and errors', async () => {
    const file = dir.writeParquet('cd.parquet', [
      { name: 'target', data: [24, 10], type: 'INT32' },
      {
        name: 'nums',
        data: [
          [4, 6, 1],
          [5, 5],
        ],
        type: 'JSON',
      },
    ]);
    const { records } = await loadCountdownDataset(file);
    expect(records.map((r) => [r.id, r.meta.numbers, r.meta.target, r.meta.row])).toEqual([
      ['cd-0', [4, 6, 1], 24, 0],
      ['cd-1', [5, 5], 10, 1],
    ]);
    const strings = dir.writeParquet('cd-strings.parquet', [
      { name: 'target', data: [24], type: 'INT32' },
      { name: 'nums', data: ['4,6,1'], type: 'STRING' },
    ]);
    const error = await errorOf(strings);
    expect(error).toMatchObject({ kind: 'wrong-type', row: 0, field: 'nums' });
    expect(error.message).toMatch(/cd-strings\.parquet row 0: field "nums": expected a list of integers/);
  });

  test('unknown options and fields are rejected with the known ones', () => {
    expect(() => streamCountdownDataset('x.jsonl', { fields: { nums: 'a' } as never })).toThrow(/countdown field/);
    expect(() => streamCountdownDataset('x.jsonl', { promptStyle: 'long' as never })).toThrow(/promptStyle/);
    expect(() => streamCountdownDataset('x.jsonl', { problem: 'q' } as never)).toThrow(/countdown dataset option/);
  });
});
