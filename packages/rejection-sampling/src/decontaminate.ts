/**
 * Decontamination by shared word n-grams (open-r1's rule): a training problem that shares any word 8-gram with a
 * benchmark problem is dropped, whatever its traces. Text is lower-cased and whitespace-normalised, then split on
 * whitespace; a text of fewer than n words has no n-grams, so it can match nothing (as in open-r1).
 *
 * The index holds the benchmark n-grams as strings; a check is linear in the problem's length.
 */
import { datasetFields, streamDataset } from '@r1/tasks';

/** Word n-grams of `text` after lower-casing and whitespace normalisation. */
export function wordNgrams(text: string, n: number): string[] {
  const words = text
    .toLowerCase()
    .split(/\s+/u)
    .filter((w) => w !== '');
  const out: string[] = [];
  for (let i = 0; i + n <= words.length; i++) out.push(words.slice(i, i + n).join(' '));
  return out;
}

export class ContaminationIndex {
  readonly #ngrams = new Set<string>();
  /** Benchmark texts indexed. */
  texts = 0;

  constructor(readonly n = 8) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`ContaminationIndex: n must be an integer ≥ 1, got ${n}`);
  }

  add(text: string): void {
    for (const g of wordNgrams(text, this.n)) this.#ngrams.add(g);
    this.texts++;
  }

  get size(): number {
    return this.#ngrams.size;
  }

  /** The first n-gram `text` shares with the benchmarks, or null. */
  match(text: string): string | null {
    if (this.#ngrams.size === 0) return null;
    for (const g of wordNgrams(text, this.n)) if (this.#ngrams.has(g)) return g;
    return null;
  }
}

/** Fields read as the problem text of a benchmark file, first present wins. */
export const BENCHMARK_TEXT_FIELDS = ['problem', 'question', 'Problem', 'Question', 'prompt'] as const;

/**
 * Adds every problem of a JSONL or Parquet benchmark file to `index` (AIME 2024, MATH-500, GSM8K and any file with
 * one of {@link BENCHMARK_TEXT_FIELDS}). A file with none of them is an error naming the fields it has.
 */
export async function indexBenchmarkFile(index: ContaminationIndex, file: string): Promise<number> {
  const fields = await datasetFields(file);
  const field = BENCHMARK_TEXT_FIELDS.find((f) => fields.includes(f));
  if (field === undefined) {
    throw new Error(
      `${file}: no problem field to decontaminate against (looked for ${BENCHMARK_TEXT_FIELDS.join(', ')}; ` +
        `the file has ${fields.join(', ') || 'no fields'})`,
    );
  }
  let count = 0;
  for await (const record of streamDataset(file, { fields: { problem: field, answer: null } })) {
    index.add(record.prompt);
    count++;
  }
  return count;
}
