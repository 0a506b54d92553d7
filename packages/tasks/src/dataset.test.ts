import { statSync } from 'node:fs';
import type { Sample } from '@r1/rewards';
import { afterAll, describe, expect, test } from 'vitest';
import { datasetFields, formatOf, loadDataset, MAX_KEPT_ERRORS, streamDataset } from './dataset';
import { DatasetError } from './dataset-error';
import { tempDir } from './test-utils/files';

const dir = tempDir('dataset');
afterAll(() => dir.remove());

const jsonl = (...records: unknown[]) =>
  `${records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n')}\n`;

/** The DatasetError a load throws (fails the test if it does not throw one). */
async function loadError(file: string, options: Parameters<typeof loadDataset>[1] = {}): Promise<DatasetError> {
  try {
    await loadDataset(file, options);
  } catch (error) {
    expect(error).toBeInstanceOf(DatasetError);
    return error as DatasetError;
  }
  throw new Error('expected loadDataset to throw');
}

describe('loadDataset from JSONL', () => {
  test('maps fields, keeps the rest in meta.extra, numbers records without an id field', async () => {
    const file = dir.write(
      'basic.jsonl',
      jsonl({ problem: 'What is 2 + 2?', answer: ' 4 ', level: 1 }, { problem: 'Name 7', answer: 7, tags: ['x'] }),
    );
    const { records, stats } = await loadDataset(file);
    const samples: Sample[] = records;
    expect(samples).toHaveLength(2);
    expect(records[0]).toEqual({
      id: 'basic-1',
      prompt: 'What is 2 + 2?',
      answer: '4',
      meta: { file, line: 1, extra: { level: 1 } },
    });
    expect(records[1]).toMatchObject({ id: 'basic-2', answer: '7', meta: { extra: { tags: ['x'] } } });
    expect(stats).toMatchObject({ records: 2, skipped: 0, errors: [] });
  });

  test('custom mapping with id, solution and GSM8K gold', async () => {
    const file = dir.write(
      'gsm.jsonl',
      jsonl({
        qid: 12,
        question: 'How much?',
        answer: 'It is 1,000 + 450,000 = <<1000+450000=451000>>451,000\n#### 451,000',
      }),
    );
    const { records } = await loadDataset(file, {
      fields: { problem: 'question', answer: 'answer', answerFormat: 'gsm8k', id: 'qid', solution: 'answer' },
    });
    expect(records[0]).toMatchObject({ id: '12', prompt: 'How much?', answer: '451000' });
    expect(records[0]!.meta.solution).toContain('#### 451,000');
    expect(records[0]!.meta.extra).toEqual({});
  });

  test('boxed gold from a solution field', async () => {
    const file = dir.write('math.jsonl', jsonl({ problem: 'p', solution: 'So $\\boxed{\\frac{1}{2}}$.' }));
    const { records } = await loadDataset(file, { fields: { answer: 'solution', answerFormat: 'boxed' } });
    expect(records[0]!.answer).toBe('\\frac{1}{2}');
  });

  test('no gold: answer null', async () => {
    const file = dir.write('nogold.jsonl', jsonl({ problem: 'p' }));
    const { records } = await loadDataset(file, { fields: { answer: null } });
    expect(records[0]).not.toHaveProperty('answer');
  });

  test('BOM, CRLF, blank lines and a missing final newline; line numbers count every line', async () => {
    const file = dir.write(
      'messy.jsonl',
      '\uFEFF{"problem":"a","answer":"1"}\r\n\r\n   \n{"problem":"b","answer":"2"}',
    );
    const { records } = await loadDataset(file);
    expect(records.map((r) => [r.prompt, r.meta.line])).toEqual([
      ['a', 1],
      ['b', 4],
    ]);
  });

  test('multi-byte characters split across read chunks survive', async () => {
    const long = 'é€😀'.repeat(40_000); // > 64 KiB, so chunk boundaries fall inside characters
    const file = dir.write('utf8.jsonl', jsonl({ problem: long, answer: '1' }, { problem: 'next', answer: '2' }));
    const { records } = await loadDataset(file);
    expect(records[0]!.prompt).toBe(long);
    expect(records[1]!.meta.line).toBe(2);
  });

  test('gzip-compressed JSONL', async () => {
    const file = dir.writeGzip('z.jsonl.gz', jsonl({ problem: 'a', answer: '1' }, { problem: 'b', answer: '2' }));
    const { records } = await loadDataset(file);
    expect(records.map((r) => r.prompt)).toEqual(['a', 'b']);
    expect(records[0]!.id).toBe('z-1');
  });

  test('limit stops early', async () => {
    const file = dir.write('five.jsonl', jsonl(...[1, 2, 3, 4, 5].map((n) => ({ problem: `p${n}`, answer: `${n}` }))));
    expect((await loadDataset(file, { limit: 2 })).records.map((r) => r.answer)).toEqual(['1', '2']);
    expect((await loadDataset(file, { limit: 0 })).records).toEqual([]);
  });
});

describe('bad records', () => {
  const file = dir.write(
    'bad.jsonl',
    jsonl(
      { id: 'a', problem: 'fine', answer: '1' },
      '{"id": "b", "problem": "broken",',
      { id: 'c', problem: 'no answer' },
      { id: 'd', problem: 5, answer: '1' },
      { id: 'e', problem: '   ', answer: '1' },
      [1, 2],
      { id: 'g', problem: 'null answer', answer: null },
      { id: 'h', problem: 'fine again', answer: '2' },
    ),
  );

  test.each<[number, DatasetError['kind'], string | undefined, RegExp]>([
    [2, 'malformed-json', undefined, /bad\.jsonl:2: malformed JSON \(.+\)\. Fix the line or pass onBadRecord: 'skip'/],
    [
      3,
      'missing-field',
      'answer',
      /bad\.jsonl:3: field "answer": missing; fields present: id, problem\. Map the right field/,
    ],
    [4, 'wrong-type', 'problem', /bad\.jsonl:4: field "problem": expected a string, got 5/],
    [5, 'empty-field', 'problem', /bad\.jsonl:5: field "problem": is an empty string/],
    [6, 'not-an-object', undefined, /bad\.jsonl:6: expected a JSON object per record, got an array of 2/],
    [7, 'missing-field', 'answer', /bad\.jsonl:7: field "answer": is null; fields present: id, problem, answer/],
  ])('line %d: %s on field %s', async (line, kind, field, message) => {
    // Every bad line is reported in the skip report with the same error the throwing mode raises.
    const { stats } = await loadDataset(file, { onBadRecord: 'skip' });
    const found = stats.errors.find((e) => e.line === line);
    expect(found).toBeInstanceOf(DatasetError);
    expect(found).toMatchObject({ kind, line, field, file });
    expect(found!.message).toMatch(message);
  });

  test("onBadRecord 'throw' (the default) stops at the first bad line", async () => {
    const error = await loadError(file);
    expect(error).toMatchObject({ kind: 'malformed-json', line: 2 });
  });

  test("onBadRecord 'skip' counts bad records and keeps going", async () => {
    const { records, stats } = await loadDataset(file, { onBadRecord: 'skip', fields: { id: 'id' } });
    expect(records.map((r) => r.id)).toEqual(['a', 'h']);
    expect(stats.skipped).toBe(6);
    expect(stats.records).toBe(2);
  });

  test('a GSM8K answer without #### and a solution without a box', async () => {
    const f = dir.write('nogold2.jsonl', jsonl({ problem: 'p', answer: 'forty two' }));
    const gsm = await loadError(f, { fields: { answerFormat: 'gsm8k' } });
    expect(gsm).toMatchObject({ kind: 'no-gold', line: 1, field: 'answer' });
    expect(gsm.message).toMatch(/field "answer": no "#### <answer>" line in "forty two"/);
    const boxed = await loadError(f, { fields: { answerFormat: 'boxed' } });
    expect(boxed.message).toMatch(/no complete \\boxed\{…\} in "forty two"/);
  });

  test('an id field of the wrong type', async () => {
    const f = dir.write('badid.jsonl', jsonl({ id: { x: 1 }, problem: 'p', answer: '1' }));
    const error = await loadError(f, { fields: { id: 'id' } });
    expect(error.message).toMatch(/badid\.jsonl:1: field "id": expected a string or a number, got an object/);
  });

  test('skip keeps at most MAX_KEPT_ERRORS errors but counts all', async () => {
    const f = dir.write('many-bad.jsonl', jsonl(...Array.from({ length: 50 }, () => '{oops')));
    const { stats } = await loadDataset(f, { onBadRecord: 'skip' });
    expect(stats.skipped).toBe(50);
    expect(stats.errors).toHaveLength(MAX_KEPT_ERRORS);
  });

  test('a missing file is unreadable, with the path', async () => {
    const error = await loadError(dir.path('nope.jsonl'));
    expect(error.kind).toBe('unreadable');
    expect(error.message).toMatch(/nope\.jsonl: cannot read the file \(ENOENT.*\)\. Check the path/);
  });
});

describe('options', () => {
  test.each<[unknown, RegExp]>([
    [{ feilds: {} }, /Unknown dataset option 'feilds'\. Did you mean 'fields'\?/],
    [{ fields: { question: 'q' } }, /Unknown field mapping key 'question'/],
    [{ fields: { problem: '' } }, /field mapping problem must be a field name/],
    [{ fields: { answerFormat: 'latex' } }, /answerFormat must be one of 'plain', 'gsm8k', 'boxed'/],
    [{ onBadRecord: 'ignore' }, /onBadRecord must be one of 'throw', 'skip'/],
    [{ format: 'csv' }, /format must be one of 'jsonl', 'parquet'/],
    [{ limit: -1 }, /limit must be an integer/],
  ])('rejects %j', (options, message) => {
    expect(() => streamDataset('x.jsonl', options as never)).toThrow(message);
  });

  test.each([
    ['a.jsonl', 'jsonl'],
    ['a.NDJSON', 'jsonl'],
    ['a.jsonl.gz', 'jsonl'],
    ['dir/train-00000-of-00001.parquet', 'parquet'],
  ])('format of %s is %s', (path, format) => {
    expect(formatOf(path)).toBe(format);
  });

  test('an unknown extension asks for a format', () => {
    expect(() => formatOf('data.csv')).toThrow(/data\.csv: cannot tell the format .* Pass format: 'jsonl'/);
  });

  test('format overrides the extension', async () => {
    const file = dir.write('records.txt', jsonl({ problem: 'p', answer: '1' }));
    expect((await loadDataset(file, { format: 'jsonl' })).records).toHaveLength(1);
  });
});

describe('streaming large files', () => {
  const lines = 100_000;
  const file = dir.write(
    'big.jsonl',
    Array.from({ length: lines }, (_, i) =>
      JSON.stringify({ id: `r${i}`, problem: `What is ${i} + 1?`, answer: `${i + 1}` }),
    ).join('\n'),
  );

  test('streams all 100k records, counting without keeping them', async () => {
    const stream = streamDataset(file, { fields: { id: 'id' } });
    let count = 0;
    let last = '';
    for await (const record of stream) {
      count++;
      last = record.answer!;
    }
    expect(count).toBe(lines);
    expect(last).toBe(String(lines));
    expect(stream.stats.records).toBe(lines);
    expect(stream.stats.bytesRead).toBe(statSync(file).size);
  });

  test('reads only what it needs: the first record comes after one chunk, not the whole file', async () => {
    const stream = streamDataset(file);
    for await (const record of stream) {
      expect(record.prompt).toBe('What is 0 + 1?');
      break;
    }
    expect(stream.stats.bytesRead).toBeGreaterThan(0);
    expect(stream.stats.bytesRead).toBeLessThan(statSync(file).size / 10);
  });

  test('records before a bad last line are delivered before the error', async () => {
    const bad = dir.write(
      'big-bad-end.jsonl',
      `${Array.from({ length: 5000 }, () => '{"problem":"p","answer":"1"}').join('\n')}\n{`,
    );
    let seen = 0;
    await expect(
      (async () => {
        for await (const _ of streamDataset(bad)) seen++;
      })(),
    ).rejects.toThrow(/big-bad-end\.jsonl:5001: malformed JSON/);
    expect(seen).toBe(5000);
  });
});

describe('loadDataset from Parquet', () => {
  const rows = 10;
  const file = dir.writeParquet(
    'train-00000-of-00001.parquet',
    [
      { name: 'question', data: Array.from({ length: rows }, (_, i) => `Q${i}: what is ${i} * 1000?`), type: 'STRING' },
      {
        name: 'answer',
        data: Array.from(
          { length: rows },
          (_, i) => `${i} * 1000 = ${i * 1000}\n#### ${(i * 1000).toLocaleString('en-US')}`,
        ),
        type: 'STRING',
      },
      { name: 'n', data: Array.from({ length: rows }, (_, i) => BigInt(i)), type: 'INT64' },
    ],
    4, // three row groups: 4 + 4 + 2
  );

  test('reads every row group in order, with 0-based rows and extracted gold', async () => {
    const { records } = await loadDataset(file, {
      fields: { problem: 'question', answerFormat: 'gsm8k', solution: 'answer' },
    });
    expect(records).toHaveLength(rows);
    expect(records.map((r) => r.meta.row)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(records[9]).toMatchObject({ id: 'train-00000-of-00001-9', prompt: 'Q9: what is 9 * 1000?', answer: '9000' });
    expect(records[9]!.meta.extra).toEqual({ n: 9n });
    expect(records[9]!.meta.solution).toContain('#### 9,000');
  });

  test('field names come from the schema', async () => {
    expect(await datasetFields(file)).toEqual(['question', 'answer', 'n']);
  });

  test('integer columns can be ids and answers', async () => {
    const { records } = await loadDataset(file, { fields: { problem: 'question', answer: 'n', id: 'n' } });
    expect(records[3]).toMatchObject({ id: '3', answer: '3' });
  });

  test('a null field names the row and the field', async () => {
    const f = dir.writeParquet('nulls.parquet', [
      { name: 'problem', data: ['a', null, 'c'], type: 'STRING' },
      { name: 'answer', data: ['1', '2', '3'], type: 'STRING' },
    ]);
    const error = await loadError(f);
    expect(error).toMatchObject({ kind: 'missing-field', row: 1, field: 'problem' });
    expect(error.message).toMatch(/nulls\.parquet row 1: field "problem": is null; fields present: problem, answer/);
    const { records, stats } = await loadDataset(f, { onBadRecord: 'skip' });
    expect(records.map((r) => r.prompt)).toEqual(['a', 'c']);
    expect(stats.skipped).toBe(1);
  });

  test('a file that is not Parquet is unreadable', async () => {
    const f = dir.write('fake.parquet', 'this is not parquet at all');
    const error = await loadError(f);
    expect(error.kind).toBe('unreadable');
    expect(error.message).toMatch(/fake\.parquet: cannot read the Parquet file \(.+\)/);
  });
});
