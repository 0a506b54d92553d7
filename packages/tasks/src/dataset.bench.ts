/**
 * tasks.load_jsonl: records per second streaming a generated GSM8K-like JSONL file (200k records, ~45 MB) through
 * streamDataset with GSM8K gold extraction — JSON parsing, validation and extraction included.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, report, timeIt } from '../../../scripts/bench-lib';
import { streamDataset } from './dataset';

const RECORDS = 200_000;
const dir = mkdtempSync(join(tmpdir(), 'r1-bench-jsonl-'));
const file = join(dir, 'gsm8k-like.jsonl');
const lines: string[] = [];
for (let i = 0; i < RECORDS; i++) {
  lines.push(
    JSON.stringify({
      id: `gsm8k-${i}`,
      question: `Janet has ${i} ducks that lay 16 eggs per day. She eats three and bakes with four. She sells the rest for $2 each. How much does she make?`,
      answer: `She sells 16 - 3 - 4 = <<16-3-4=9>>9 eggs.\nShe makes 9 * 2 = $<<9*2=18>>18.\n#### ${(i * 1000).toLocaleString('en-US')}`,
    }),
  );
}
writeFileSync(file, `${lines.join('\n')}\n`);
const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);

let count = 0;
const times = await timeIt(
  async () => {
    count = 0;
    const stream = streamDataset(file, {
      fields: { problem: 'question', answer: 'answer', answerFormat: 'gsm8k', id: 'id', solution: 'answer' },
    });
    for await (const _ of stream) count++;
  },
  { warmup: 1, iterations: 5 },
);
rmSync(dir, { recursive: true, force: true });
if (count !== RECORDS) throw new Error(`expected ${RECORDS} records, streamed ${count}`);

const ms = median(times);
report({
  name: 'tasks.load_jsonl',
  value: Math.round(RECORDS / (ms / 1000)),
  unit: 'records/s',
  records: RECORDS,
  mb: Math.round(bytes / 1e5) / 10,
  mb_per_s: Math.round(bytes / 1e3 / ms) / 1,
  median_ms: Math.round(ms),
});
