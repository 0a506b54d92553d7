import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filterTraces } from './filter-traces';

const tmp = () => mkdtempSync(join(tmpdir(), 'rs-filter-'));
const good = (a: string) => `<think> add the two numbers carefully here </think> <answer> ${a} </answer>`;
const write = (dir: string, rows: unknown[]) => {
  const file = join(dir, 'traces.jsonl');
  writeFileSync(file, `${rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n')}\n`);
  return file;
};

describe('filterTraces', () => {
  it('reads one trace per line (problems interleaved, sample_index defaulted) and filters them', async () => {
    const dir = tmp();
    const file = write(dir, [
      { problem_id: 'a', problem: 'What is 1 + 1?', gold: '2', completion: good('2') },
      { problem_id: 'b', problem: 'What is 2 + 2?', gold: 4, completion: good('5') },
      { problem_id: 'a', problem: 'What is 1 + 1?', gold: '2', completion: good('2') },
      { problem_id: 'c', problem: 'No gold here', completion: good('1') },
      { problem_id: 'b', problem: 'What is 2 + 2?', gold: '4', completion: good('4'), finish_reason: 'length' },
    ]);
    const out = join(dir, 'out');
    const m = await filterTraces(file, { out, rejected: true });
    expect(m.input).toBe(5);
    expect(m.kept).toBe(1);
    expect(m.removed).toMatchObject({ incorrect: 1, duplicate: 1, unscorable: 1, truncated: 1 });
    const rows = readFileSync(join(out, 'data.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows[0]).toMatchObject({ problem_id: 'a', sample_index: 0, gold: '2' });
    const rejected = readFileSync(join(out, 'rejected.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejected.find((r) => r.reason === 'duplicate')).toMatchObject({ problem_id: 'a', sample_index: 1 });
  });

  it("reads open-r1's layout (generations[] and finish_reasons[] per problem)", async () => {
    const dir = tmp();
    const file = write(dir, [
      {
        uuid: 'u1',
        problem: 'What is 3 + 4?',
        answer: '7',
        generations: [good('7'), good('8')],
        finish_reasons: ['stop', 'stop'],
      },
      { uuid: 'u2', problem: 'What is 1 + 4?', answer: '5', generations: [good('5')] },
    ]);
    const m = await filterTraces(file, { out: join(dir, 'out') });
    expect([m.input, m.kept, m.removed.incorrect]).toEqual([3, 2, 1]);
  });

  it.each([
    [['not json'], /traces\.jsonl:1/],
    [[{ problem_id: 'a', problem: 'x', completion: 3 }], /traces\.jsonl:1: field 'completion' must be a string/],
    [[{ problem_id: 'a', completion: 'x' }], /traces\.jsonl:1: field 'problem' is missing/],
    [
      [
        { problem_id: 'a', problem: 'x', completion: 'y' },
        { problem_id: 'a', problem: 'x', completion: 'z', finish_reason: 'eos' },
      ],
      /traces\.jsonl:2: field 'finish_reason' must be "stop" or "length"/,
    ],
    [
      [
        { problem_id: 'a', problem: 'x', completion: 'y', sample_index: 0 },
        { problem_id: 'a', problem: 'x', completion: 'z', sample_index: 0 },
      ],
      /traces\.jsonl:2: field 'sample_index' 0 repeats/,
    ],
    [[{ problem: 'x', generations: ['a'], finish_reasons: [] }], /field 'finish_reasons' must be a list as long/],
  ])('bad input %j is an error naming file, line and field', async (rows, message) => {
    const dir = tmp();
    await expect(filterTraces(write(dir, rows), { out: join(dir, 'out') })).rejects.toThrow(message);
  });

  it('needs a token counter for maxTraceTokens when traces carry no token count', async () => {
    const dir = tmp();
    const file = write(dir, [{ problem_id: 'a', problem: 'What is 1 + 1?', gold: '2', completion: good('2') }]);
    await expect(filterTraces(file, { out: join(dir, 'o1'), filters: { maxTraceTokens: 5 } })).rejects.toThrow(
      /tokenizer/,
    );
    const m = await filterTraces(file, {
      out: join(dir, 'o2'),
      filters: { maxTraceTokens: 5 },
      countTokens: (t) => t.split(' ').length,
    });
    expect(m.removed.too_long).toBe(1);
  });
});
