import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetError } from '@r1/tasks';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, test } from 'vitest';
import { parsePointwiseRow, parsePreferenceRow, readPointwiseRows, readPreferenceRows } from './rows';
import { writeJsonl } from './test-utils/fixtures';

const dir = mkdtempSync(join(tmpdir(), 'r1-rm-rows-'));
const at = { file: 'prefs.jsonl', line: 7 };
const user = (content: string) => ({ role: 'user', content });
const assistant = (content: string) => ({ role: 'assistant', content });

describe('preference rows (TRL)', () => {
  test.each([
    [
      'plain text, with a margin',
      { prompt: 'Q?', chosen: ' yes', rejected: ' no', margin: 0.5, id: 'extra fields are ignored' },
      { prompt: { kind: 'text', text: 'Q?' }, chosen: ' yes', rejected: ' no', margin: 0.5 },
    ],
    [
      'conversational, explicit prompt',
      { prompt: [user('Q?')], chosen: [assistant('yes')], rejected: [assistant('no')] },
      { prompt: { kind: 'messages', messages: [user('Q?')] }, chosen: 'yes', rejected: 'no', margin: 0 },
    ],
    [
      'conversational, implicit prompt (the shared prefix)',
      { chosen: [user('Q?'), assistant('yes')], rejected: [user('Q?'), assistant('no')] },
      { prompt: { kind: 'messages', messages: [user('Q?')] }, chosen: 'yes', rejected: 'no', margin: 0 },
    ],
  ])('%s', (_name, raw, expected) => {
    expect(parsePreferenceRow(raw, at)).toEqual({ ...expected, at });
  });

  test.each([
    [{ prompt: 'Q', chosen: 'a' }, /prefs\.jsonl:7: field "rejected": missing/],
    [
      { prompt: 'Q', chosen: 'a', rejected: 'b', margin: 'big' },
      /prefs\.jsonl:7: field "margin": expected a finite number/,
    ],
    [{ chosen: 'a', rejected: 'b' }, /field "prompt": missing next to plain-text responses/],
    [
      { prompt: [user('Q')], chosen: [user('a')], rejected: [assistant('b')] },
      /field "chosen": expected one assistant message, got roles user/,
    ],
    [
      { prompt: [{ role: 'robot', content: 'x' }], chosen: 'a', rejected: 'b' },
      /field "prompt\[0\]\.role": is "robot"/,
    ],
    [{ chosen: [assistant('a')], rejected: [assistant('b')] }, /share no prompt turns/],
    [[1, 2], /expected a JSON object per row, got a list/],
  ])('bad row %j → %s', (raw, message) => {
    expect(() => parsePreferenceRow(raw, at)).toThrow(DatasetError);
    expect(() => parsePreferenceRow(raw, at)).toThrow(message);
  });

  test('JSONL: the first bad row names file, line and field', async () => {
    const file = writeJsonl(join(dir, 'p.jsonl'), [
      { prompt: 'a', chosen: 'b', rejected: 'c' },
      { prompt: 'a', chosen: 'b', rejected: 42 },
    ]);
    await expect(readPreferenceRows(file)).rejects.toThrow(`${file}:2: field "rejected": expected a list`);
    const good = writeJsonl(join(dir, 'good.jsonl'), [{ prompt: 'a', chosen: 'b', rejected: 'c' }]);
    expect(await readPreferenceRows(good)).toHaveLength(1);
  });

  test('Parquet, conversational columns as lists of structs', async () => {
    const file = join(dir, 'p.parquet');
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'prompt', data: [[user('Q?')]] as never },
        { name: 'chosen', data: [[assistant('yes')]] as never },
        { name: 'rejected', data: [[assistant('no')]] as never },
        { name: 'margin', data: [2], type: 'DOUBLE' },
      ],
    });
    writeFileSync(file, new Uint8Array(buffer));
    expect(await readPreferenceRows(file)).toEqual([
      {
        prompt: { kind: 'messages', messages: [user('Q?')] },
        chosen: 'yes',
        rejected: 'no',
        margin: 2,
        at: { file, row: 0 },
      },
    ]);
  });
});

describe('pointwise rows', () => {
  test.each([
    [{ prompt: 'Q', completion: 'fine', label: 1 }, 1],
    [{ prompt: 'Q', completion: 'bad', label: false }, 0],
    [{ prompt: [user('Q')], completion: [assistant('ok')], label: true }, 1],
  ])('%j → label %d', (raw, label) => {
    expect(parsePointwiseRow(raw, at).label).toBe(label);
  });

  test('labels other than 0/1/true/false, and missing fields, are errors naming the field', async () => {
    expect(() => parsePointwiseRow({ prompt: 'Q', completion: 'x', label: 0.7 }, at)).toThrow(
      /field "label": expected 0, 1, true or false/,
    );
    expect(() => parsePointwiseRow({ prompt: 'Q', label: 1 }, at)).toThrow(/field "completion": missing/);
    const file = writeJsonl(join(dir, 'pw.jsonl'), [
      { prompt: 'a', completion: 'b', label: 1 },
      { completion: 'b', label: 1 },
    ]);
    await expect(readPointwiseRows(file)).rejects.toThrow(`${file}:2: field "prompt": missing`);
  });
});
