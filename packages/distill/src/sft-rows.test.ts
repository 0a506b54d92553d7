import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetError } from '@r1/tasks';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, test } from 'vitest';
import { parseSftRow, readSftRows } from './sft-rows';

const dir = mkdtempSync(join(tmpdir(), 'r1-sft-rows-'));
const at = { file: 'd.jsonl', line: 3 };

describe('SFT rows (TRL formats)', () => {
  test("r1-train sample's data.jsonl rows work as they are (extra fields ignored), in both layouts", async () => {
    const file = join(dir, 'data.jsonl');
    writeFileSync(
      file,
      [
        {
          messages: [
            { role: 'user', content: '2+2?' },
            { role: 'assistant', content: '<think>x</think> 4' },
          ],
          problem_id: 'a',
          sample_index: 0,
          gold: '4',
          reward: 1,
          finish_reason: 'stop',
          completion_tokens: 9,
          model: 'm',
          seed: 1,
        },
        { prompt: 'P', completion: ' C', problem_id: 'b', sample_index: 2, gold: '1', reward: 1 },
        { text: 'plain text' },
        { prompt: [{ role: 'user', content: 'q' }], completion: [{ role: 'assistant', content: 'a' }] },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const rows = await readSftRows(file);
    expect(rows.map((r) => r.format)).toEqual(['messages', 'prompt-completion', 'text', 'messages']);
    expect(rows[0]).toEqual({
      format: 'messages',
      messages: [
        { role: 'user', content: '2+2?' },
        { role: 'assistant', content: '<think>x</think> 4' },
      ],
      trainFrom: 0,
      at: { file, line: 1 },
    });
    expect(rows[3]).toMatchObject({ format: 'messages', trainFrom: 1 });
  });

  test('Parquet, with messages as a list of structs', async () => {
    const file = join(dir, 'data.parquet');
    const buffer = parquetWriteBuffer({
      columnData: [
        {
          name: 'messages',
          data: [
            [
              { role: 'user', content: 'a' },
              { role: 'assistant', content: 'b' },
            ],
          ] as never,
        },
        { name: 'problem_id', data: ['p1'], type: 'STRING' },
      ],
    });
    writeFileSync(file, new Uint8Array(buffer));
    const rows = await readSftRows(file);
    expect(rows).toEqual([
      {
        format: 'messages',
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: 'b' },
        ],
        trainFrom: 0,
        at: { file, row: 0 },
      },
    ]);
  });

  test.each<[unknown, string]>([
    [{ messages: 'hi' }, 'd.jsonl:3: field "messages": expected a list of {role, content}, got string'],
    [{ messages: [] }, 'd.jsonl:3: field "messages": is an empty conversation'],
    [
      { messages: [{ role: 'bot', content: 'x' }] },
      'd.jsonl:3: field "messages[0].role": is "bot". Use one of system, user, assistant, tool',
    ],
    [{ messages: [{ role: 'user', content: 3 }] }, 'field "messages[0].content": expected a string, got number'],
    [
      { messages: [{ role: 'assistant', content: 'x', reasoning_content: 1 }] },
      'field "messages[0].reasoning_content"',
    ],
    [{ prompt: 'p' }, 'field "completion": missing next to "prompt"'],
    [{ completion: 'c' }, 'field "prompt": missing'],
    [{ prompt: 'p', completion: 7 }, 'field "completion": expected a string, got number'],
    [{ prompt: 'p', completion: '' }, 'field "completion": is empty'],
    [{ text: 5 }, 'field "text": expected a string'],
    [
      { problem: 'x', answer: '1' },
      'no "messages", "prompt"/"completion" or "text" field; fields present: problem, answer',
    ],
    [[1, 2], 'expected a JSON object per row, got a list'],
  ])('bad row %j → %s', (value, message) => {
    expect(() => parseSftRow(value, at)).toThrow(DatasetError);
    expect(() => parseSftRow(value, at)).toThrow(message);
  });

  test('the first bad line of a file stops reading with its line number; dataset_text_field is honoured', async () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, '{"content": "a"}\n\n{"content": "b"}\n{not json\n');
    await expect(readSftRows(file, { textField: 'content' })).rejects.toThrow(/bad\.jsonl:4: malformed JSON/);
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '\n');
    await expect(readSftRows(empty)).rejects.toThrow('no rows');
  });
});
