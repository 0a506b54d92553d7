import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createTask } from '@r1/tasks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ContaminationIndex, indexBenchmarkFile, wordNgrams } from './decontaminate';

const BENCHMARKS = join(import.meta.dirname, '../../../../shared/data/benchmarks');

describe('wordNgrams', () => {
  it.each([
    ['a b c', 2, ['a b', 'b c']],
    ['A  B\nc', 2, ['a b', 'b c']],
    ['a b', 3, []],
    ['', 1, []],
  ])('%j n=%i', (text, n, grams) => {
    expect(wordNgrams(text, n)).toEqual(grams);
  });
});

describe('ContaminationIndex', () => {
  const benchmark = 'Janet has three apples and buys five more apples at the market today. How many apples now?';

  it('flags a problem sharing one 8-gram, case and spacing aside', () => {
    const index = new ContaminationIndex(8);
    index.add(benchmark);
    expect(index.match('Story: JANET has three apples and   buys five more apples at noon.')).toBe(
      'janet has three apples and buys five more',
    );
    expect(index.match('Janet has three apples and buys six more apples.')).toBeNull();
    expect(index.match('short')).toBeNull();
  });

  it('never drops a problem that shares no 8-gram', () => {
    const word = fc.constantFrom('alpha', 'beta', 'gamma', 'delta', 'eps', 'zeta', 'eta', 'theta', 'iota');
    fc.assert(
      fc.property(fc.array(word, { maxLength: 40 }), fc.array(word, { maxLength: 40 }), (a, b) => {
        const index = new ContaminationIndex(8);
        index.add(a.join(' '));
        const bench = new Set(wordNgrams(a.join(' '), 8));
        const shares = wordNgrams(b.join(' '), 8).some((g) => bench.has(g));
        expect(index.match(b.join(' ')) !== null).toBe(shares);
      }),
    );
  });

  it.runIf(existsSync(BENCHMARKS))(
    'indexes AIME 2024, MATH-500 and GSM8K; their problems match, generated arithmetic does not',
    async () => {
      const index = new ContaminationIndex(8);
      const counts = [];
      for (const name of ['aime24', 'math500', 'gsm8k'])
        counts.push(await indexBenchmarkFile(index, join(BENCHMARKS, `${name}.jsonl`)));
      expect(counts[0]).toBe(30);
      expect(counts[1]).toBe(500);
      expect(counts[2]).toBeGreaterThan(1000);
      const { readFileSync } = await import('node:fs');
      const gsm = JSON.parse(readFileSync(join(BENCHMARKS, 'gsm8k.jsonl'), 'utf8').split('\n')[0]!) as {
        problem: string;
      };
      expect(index.match(`Here is a word problem. ${gsm.problem}`)).not.toBeNull();
      const items = createTask('arithmetic').generate({ split: 'train', count: 200, seed: 1 });
      expect(items.filter((item) => index.match(item.prompt) !== null)).toEqual([]);
    },
  );

  it('a benchmark file without a problem field is an error naming its fields', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'rs-')), 'b.jsonl');
    writeFileSync(file, '{"text": "x", "label": 1}\n');
    await expect(indexBenchmarkFile(new ContaminationIndex(), file)).rejects.toThrow(/no problem field.*text, label/);
  });
});
