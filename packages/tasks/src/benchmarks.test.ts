import type { Sample } from '@r1/rewards';
import { afterAll, describe, expect, test } from 'vitest';
import { BENCHMARK_LAYOUTS, BENCHMARKS, detectBenchmarkLayout, loadBenchmark, streamBenchmark } from './benchmarks';
import { DatasetError } from './dataset-error';
import { extractBoxedAnswer, extractGsm8kAnswer } from './gold';
import { sharedBenchmark, tempDir } from './test-utils/files';

const dir = tempDir('benchmarks');
afterAll(() => dir.remove());

/** Each shared file is loaded once for all the tests that read it. */
const loaded = new Map<string, ReturnType<typeof loadBenchmark>>();
function shared(name: 'aime24' | 'math500' | 'gsm8k'): ReturnType<typeof loadBenchmark> {
  if (!loaded.has(name)) loaded.set(name, loadBenchmark(name, sharedBenchmark(name)));
  return loaded.get(name)!;
}

describe('the shared normalised benchmark files', () => {
  test.each([
    ['aime24', 30],
    ['math500', 500],
    ['gsm8k', 1319],
  ] as const)('%s loads %d records, each with problem and answer', async (name, count) => {
    const { records, stats, layout } = await shared(name);
    expect(records).toHaveLength(count);
    expect(stats.skipped).toBe(0);
    expect(layout).toBe(BENCHMARK_LAYOUTS[name][0]);
    const samples: Sample[] = records;
    for (const s of samples) {
      expect(s.prompt.trim()).not.toBe('');
      expect(s.answer?.trim()).toBeTruthy();
    }
    expect(new Set(records.map((r) => r.id)).size).toBe(count);
    expect(records.every((r) => typeof r.meta.solution === 'string')).toBe(true);
  });

  test('spot checks from the data README', async () => {
    const gsm8k = (await shared('gsm8k')).records;
    expect(gsm8k.slice(0, 3).map((r) => [r.id, r.answer])).toEqual([
      ['gsm8k-test-0000', '18'],
      ['gsm8k-test-0001', '3'],
      ['gsm8k-test-0002', '70000'],
    ]);
    expect(gsm8k.find((r) => r.id === 'gsm8k-test-0611')?.answer).toBe('1450000');
    const aime = (await shared('aime24')).records;
    expect(aime.slice(0, 3).map((r) => r.answer)).toEqual(['204', '25', '809']);
    const math = (await shared('math500')).records;
    expect(math[0]).toMatchObject({ id: 'math500-000', answer: '\\left( 3, \\frac{\\pi}{2} \\right)' });
    expect(math[0]!.meta.extra).toMatchObject({ subject: 'Precalculus', level: 2 });
  });

  test('GSM8K gold extracted from every solution equals the normalised answer', async () => {
    const { records } = await shared('gsm8k');
    for (const r of records) expect(extractGsm8kAnswer(r.meta.solution!)).toBe(r.answer);
  });

  test('MATH-500 gold extracted from every solution (last \\boxed) equals the normalised answer', async () => {
    const { records } = await shared('math500');
    for (const r of records) expect(extractBoxedAnswer(r.meta.solution!)).toBe(r.answer);
  });

  test('streamBenchmark streams the same records', async () => {
    const { stream } = await streamBenchmark('aime24', sharedBenchmark('aime24'), { limit: 3 });
    const ids = [];
    for await (const r of stream) ids.push(r.id);
    expect(ids).toEqual(['aime24-I-01', 'aime24-I-02', 'aime24-I-03']);
  });
});

describe('Hugging Face layouts', () => {
  test('openai/gsm8k JSONL: question / answer with "#### N"', async () => {
    const file = dir.write(
      'gsm8k-hf.jsonl',
      `${[
        { question: 'Q1?', answer: 'a = <<1+1=2>>2\n#### 2' },
        { question: 'Q2?', answer: 'big\n#### 1,450,000' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n')}\n`,
    );
    const { records, layout } = await loadBenchmark('gsm8k', file);
    expect(layout.source).toMatch(/openai\/gsm8k/);
    expect(records.map((r) => [r.id, r.prompt, r.answer])).toEqual([
      ['gsm8k-hf-1', 'Q1?', '2'],
      ['gsm8k-hf-2', 'Q2?', '1450000'],
    ]);
    expect(records[1]!.meta.solution).toBe('big\n#### 1,450,000');
  });

  test('openai/gsm8k Parquet', async () => {
    const file = dir.writeParquet('test-00000-of-00001.parquet', [
      { name: 'question', data: ['Janet’s ducks?', 'A robe?'], type: 'STRING' },
      { name: 'answer', data: ['16 - 3 - 4 = 9\n9 * 2 = 18\n#### 18', '2/2 = 1\n#### 3'], type: 'STRING' },
    ]);
    const { records } = await loadBenchmark('gsm8k', file);
    expect(records.map((r) => r.answer)).toEqual(['18', '3']);
    expect(records[0]!.meta.row).toBe(0);
  });

  test('Maxwell-Jia/AIME_2024 Parquet: capitalised fields, INT64 answers', async () => {
    const file = dir.writeParquet('aime.parquet', [
      { name: 'ID', data: ['2024-I-1', '2024-I-2'], type: 'STRING' },
      { name: 'Problem', data: ['Aya walks…', 'Real x, y…'], type: 'STRING' },
      { name: 'Solution', data: ['… $\\boxed{204}$', '… $\\boxed{025}$'], type: 'STRING' },
      { name: 'Answer', data: [204n, 25n], type: 'INT64' },
    ]);
    const { records, layout } = await loadBenchmark('aime24', file);
    expect(layout.source).toMatch(/Maxwell-Jia/);
    expect(records.map((r) => [r.id, r.answer])).toEqual([
      ['2024-I-1', '204'],
      ['2024-I-2', '25'],
    ]);
    expect(records[0]!.meta.solution).toBe('… $\\boxed{204}$');
  });

  test('HuggingFaceH4/MATH-500 Parquet: unique_id becomes the id', async () => {
    const file = dir.writeParquet('math500.parquet', [
      { name: 'problem', data: ['Convert (0,3).'], type: 'STRING' },
      { name: 'solution', data: ['$\\boxed{(3, \\frac{\\pi}{2})}$'], type: 'STRING' },
      { name: 'answer', data: ['(3, \\frac{\\pi}{2})'], type: 'STRING' },
      { name: 'subject', data: ['Precalculus'], type: 'STRING' },
      { name: 'level', data: [2], type: 'INT32' },
      { name: 'unique_id', data: ['test/precalculus/807.json'], type: 'STRING' },
    ]);
    const { records } = await loadBenchmark('math500', file);
    expect(records[0]).toMatchObject({ id: 'test/precalculus/807.json', answer: '(3, \\frac{\\pi}{2})' });
    expect(records[0]!.meta.extra).toEqual({ subject: 'Precalculus', level: 2 });
  });

  test('MATH without an answer field: gold from the last \\boxed of the solution', async () => {
    const file = dir.write(
      'math-hendrycks.jsonl',
      `${JSON.stringify({ problem: 'p', solution: 'x $\\boxed{1}$ or $\\boxed{2}$', level: 'Level 5', type: 'Algebra' })}\n`,
    );
    const { records, layout } = await loadBenchmark('math500', file);
    expect(layout.answerFormat).toBe('boxed');
    expect(records[0]).toMatchObject({ id: 'math-hendrycks-1', answer: '2' });
  });

  test('a file with no known layout names its fields and the layouts expected', async () => {
    const file = dir.write('other.jsonl', `${JSON.stringify({ text: 'hi', label: 1 })}\n`);
    const error = await detectBenchmarkLayout('gsm8k', file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as DatasetError).kind).toBe('unknown-layout');
    expect((error as DatasetError).message).toMatch(
      /other\.jsonl: fields text, label match no known gsm8k layout \(problem \+ answer or question \+ answer\)\. Use loadDataset/,
    );
  });

  test('an unknown benchmark name gets a hint', async () => {
    await expect(loadBenchmark('gsm8 k' as 'gsm8k', 'x.jsonl')).rejects.toThrow(
      /Unknown benchmark "gsm8 k"\. Did you mean 'gsm8k'\? Known: aime24, math500, gsm8k/,
    );
    expect(BENCHMARKS).toEqual(['aime24', 'math500', 'gsm8k']);
  });

  test('loadBenchmark options cannot override the detected mapping', async () => {
    await expect(loadBenchmark('gsm8k', sharedBenchmark('gsm8k'), { fields: {} } as never)).rejects.toThrow(
      /Unknown benchmark option 'fields'/,
    );
  });
});
