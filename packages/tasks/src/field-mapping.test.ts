import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DatasetError } from './dataset-error';
import { DEFAULT_FIELD_MAPPING, type FieldMapping, mapRecord, resolveFieldMapping } from './field-mapping';

const at = { file: 'data/x.jsonl', line: 3 };

describe('resolveFieldMapping', () => {
  test('defaults', () => {
    expect(resolveFieldMapping()).toEqual(DEFAULT_FIELD_MAPPING);
    expect(resolveFieldMapping({ problem: 'question', id: 'qid' })).toMatchObject({ problem: 'question', id: 'qid' });
  });

  test.each<[unknown, RegExp]>([
    [{ problm: 'q' }, /Unknown field mapping key 'problm'\. Did you mean 'problem'\?/],
    [
      { prompt: 'q' },
      /Unknown field mapping key 'prompt'\. Known field mapping keys: problem, answer, answerFormat, id, solution/,
    ],
    [{ problem: null }, /field mapping problem must be a field name \(got null\), e\.g\. \{ problem: 'problem' \}/],
    [{ answer: 3 }, /field mapping answer must be a field name or null \(got 3\)/],
    [{ answerFormat: 'gsm' }, /answerFormat must be one of 'plain', 'gsm8k', 'boxed' \(got "gsm"\)/],
  ])('rejects %j', (partial, message) => {
    expect(() => resolveFieldMapping(partial as Partial<FieldMapping>)).toThrow(message);
  });
});

describe('mapRecord', () => {
  const mapping = resolveFieldMapping({ id: 'id', solution: 'solution' });

  test.each<[string, unknown, Record<string, unknown>]>([
    [
      'all fields',
      { id: 'p1', problem: 'P', answer: '5', solution: 'S', source: 'x' },
      { id: 'p1', prompt: 'P', answer: '5', meta: { file: at.file, line: 3, solution: 'S', extra: { source: 'x' } } },
    ],
    [
      'numeric id and answer',
      { id: 7, problem: 'P', answer: 2.5, solution: 'S' },
      { id: '7', prompt: 'P', answer: '2.5', meta: { file: at.file, line: 3, solution: 'S', extra: {} } },
    ],
    [
      'bigint answer (Parquet INT64)',
      { id: 'a', problem: 'P', answer: 12n, solution: 'S' },
      { id: 'a', prompt: 'P', answer: '12', meta: { file: at.file, line: 3, solution: 'S', extra: {} } },
    ],
  ])('%s', (_, value, expected) => {
    expect(mapRecord(value, mapping, at)).toEqual(expected);
  });

  test.each<[unknown, string, RegExp]>([
    [
      { problem: 'P', answer: '1', solution: 'S' },
      'id',
      /x\.jsonl:3: field "id": missing; fields present: problem, answer, solution/,
    ],
    [
      { id: 'a', problem: 'P', answer: true, solution: 'S' },
      'answer',
      /field "answer": expected a string or a number, got true/,
    ],
    [{ id: 'a', problem: 'P', answer: Number.NaN, solution: 'S' }, 'answer', /expected a string or a number, got NaN/],
    [{ id: 'a', problem: 'P', answer: '1', solution: 3 }, 'solution', /field "solution": expected a string, got 3/],
    [{ id: 'a', problem: ['P'], answer: '1', solution: 'S' }, 'problem', /expected a string, got an array of 1/],
  ])('%j fails on %s', (value, field, message) => {
    let error: unknown;
    try {
      mapRecord(value, mapping, at);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as DatasetError).field).toBe(field);
    expect((error as DatasetError).message).toMatch(message);
  });

  test('an empty record lists "(none)" as its fields', () => {
    expect(() => mapRecord({}, mapping, at)).toThrow(/fields present: \(none\)/);
  });

  test('property: any JSON value either maps or raises a DatasetError — never anything else', () => {
    const formats = ['plain', 'gsm8k', 'boxed'] as const;
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(...formats), (value, answerFormat) => {
        const m = resolveFieldMapping({ answerFormat, id: 'id' });
        try {
          const record = mapRecord(value, m, { file: 'f.parquet', row: 0 });
          expect(typeof record.prompt).toBe('string');
        } catch (error) {
          expect(error).toBeInstanceOf(DatasetError);
          expect((error as DatasetError).message).toMatch(/^f\.parquet row 0: /);
        }
      }),
    );
  });
});
