/**
 * The three evaluation benchmarks of the R1 paper that we ship loaders for — AIME 2024, MATH-500 and GSM8K — with
 * the field layouts they come in: the normalised JSONL files of this project (fields id, problem, answer, solution,
 * source) and the layouts they have on the Hugging Face hub. `loadBenchmark` reads the file's field names (the
 * Parquet schema or the first JSONL record) and picks the first layout whose fields are all there.
 *
 * Deliberately not here: downloading (pass a local path), answer normalisation (the verifier's job), or benchmarks
 * beyond these three (use loadDataset with your own field mapping).
 */

import {
  type DatasetOptions,
  type DatasetStats,
  type DatasetStream,
  datasetFields,
  loadDataset,
  streamDataset,
} from './dataset';
import { DatasetError } from './dataset-error';
import type { AnswerFormat, DatasetRecord, FieldMapping } from './field-mapping';
import { closestName, rejectUnknownKeys } from './resolve';

export const BENCHMARKS = ['aime24', 'math500', 'gsm8k'] as const;

export type BenchmarkName = (typeof BENCHMARKS)[number];

/** One way a benchmark's records can be laid out. */
export interface BenchmarkLayout {
  /** Where this layout is found, e.g. "openai/gsm8k (Hugging Face)". */
  source: string;
  /** Field with the problem text. */
  problem: string;
  /** Field the gold answer is read from, and how. */
  answer: string;
  answerFormat: AnswerFormat;
  /** Candidate id fields, first present wins; records are numbered when none is present. */
  id: readonly string[];
  /** Candidate solution fields, first present wins. */
  solution: readonly string[];
}

/** Known layouts per benchmark, in detection order. */
export const BENCHMARK_LAYOUTS: Readonly<Record<BenchmarkName, readonly BenchmarkLayout[]>> = {
  aime24: [
    {
      source: 'normalised JSONL (shared/data/benchmarks), HuggingFaceH4/aime_2024, AI-MO/aimo-validation-aime',
      problem: 'problem',
      answer: 'answer',
      answerFormat: 'plain',
      id: ['id'],
      solution: ['solution'],
    },
    {
      source: 'Maxwell-Jia/AIME_2024 (capitalised fields, integer Answer)',
      problem: 'Problem',
      answer: 'Answer',
      answerFormat: 'plain',
      id: ['ID', 'id'],
      solution: ['Solution', 'solution'],
    },
  ],
  math500: [
    {
      source: 'normalised JSONL (shared/data/benchmarks), HuggingFaceH4/MATH-500, PRM800K test split',
      problem: 'problem',
      answer: 'answer',
      answerFormat: 'plain',
      id: ['id', 'unique_id'],
      solution: ['solution'],
    },
    {
      source: 'MATH (Hendrycks) layout without an answer field: gold is the last \\boxed{} of the solution',
      problem: 'problem',
      answer: 'solution',
      answerFormat: 'boxed',
      id: ['id', 'unique_id'],
      solution: ['solution'],
    },
  ],
  gsm8k: [
    {
      source: 'normalised JSONL (shared/data/benchmarks)',
      problem: 'problem',
      answer: 'answer',
      answerFormat: 'plain',
      id: ['id'],
      solution: ['solution'],
    },
    {
      source: 'openai/gsm8k (Hugging Face) and grade-school-math JSONL: question, answer with "#### N"',
      problem: 'question',
      answer: 'answer',
      answerFormat: 'gsm8k',
      id: ['id'],
      solution: ['answer'],
    },
  ],
};

function checkBenchmarkName(name: unknown): BenchmarkName {
  if (typeof name === 'string' && (BENCHMARKS as readonly string[]).includes(name)) return name as BenchmarkName;
  const hint = typeof name === 'string' ? closestName(name, BENCHMARKS) : undefined;
  throw new TypeError(
    `Unknown benchmark ${JSON.stringify(name)}.${hint ? ` Did you mean '${hint}'?` : ''} ` +
      `Known: ${BENCHMARKS.join(', ')}; for other data use loadDataset(path, { fields }).`,
  );
}

/** The field mapping for a layout, given the fields a file actually has. */
export function layoutMapping(layout: BenchmarkLayout, fields: readonly string[]): FieldMapping {
  return {
    problem: layout.problem,
    answer: layout.answer,
    answerFormat: layout.answerFormat,
    id: layout.id.find((f) => fields.includes(f)) ?? null,
    solution: layout.solution.find((f) => fields.includes(f)) ?? null,
  };
}

/** Which known layout a benchmark file has, and the mapping for it; throws a DatasetError when none fits. */
export async function detectBenchmarkLayout(
  name: BenchmarkName,
  file: string,
  format?: DatasetOptions['format'],
): Promise<{ layout: BenchmarkLayout; fields: FieldMapping }> {
  const benchmark = checkBenchmarkName(name);
  const present = await datasetFields(file, format);
  for (const layout of BENCHMARK_LAYOUTS[benchmark]) {
    if (present.includes(layout.problem) && present.includes(layout.answer)) {
      return { layout, fields: layoutMapping(layout, present) };
    }
  }
  throw new DatasetError({
    kind: 'unknown-layout',
    file,
    detail:
      `fields ${present.length === 0 ? '(none)' : present.join(', ')} match no known ${benchmark} layout ` +
      `(${BENCHMARK_LAYOUTS[benchmark].map((l) => `${l.problem} + ${l.answer}`).join(' or ')})`,
    fix: 'Use loadDataset(path, { fields: { problem: …, answer: … } }) with this file’s field names',
  });
}

/** Options of loadBenchmark: everything of DatasetOptions except the mapping, which is detected. */
export type BenchmarkOptions = Omit<DatasetOptions, 'fields'>;

const BENCHMARK_OPTION_KEYS = ['format', 'onBadRecord', 'limit', 'compressors'] as const;

/**
 * Loads a benchmark file, detecting its layout.
 *
 * @example
 * const { records, layout } = await loadBenchmark('gsm8k', 'data/gsm8k/test-00000-of-00001.parquet');
 * // The HF file has no id field, so records are numbered by file stem and row:
 * records[0]; // { id: 'test-00000-of-00001-0', prompt: 'Janet’s ducks lay…', answer: '18', meta: { solution: '…#### 18', … } }
 */
export async function loadBenchmark(
  name: BenchmarkName,
  file: string,
  options: BenchmarkOptions = {},
): Promise<{ records: DatasetRecord[]; stats: DatasetStats; layout: BenchmarkLayout }> {
  rejectUnknownKeys(options, BENCHMARK_OPTION_KEYS, 'benchmark option');
  const { layout, fields } = await detectBenchmarkLayout(name, file, options.format);
  const { records, stats } = await loadDataset(file, { ...options, fields });
  return { records, stats, layout };
}

/** Like loadBenchmark, streaming. */
export async function streamBenchmark(
  name: BenchmarkName,
  file: string,
  options: BenchmarkOptions = {},
): Promise<{ stream: DatasetStream; layout: BenchmarkLayout }> {
  rejectUnknownKeys(options, BENCHMARK_OPTION_KEYS, 'benchmark option');
  const { layout, fields } = await detectBenchmarkLayout(name, file, options.format);
  return { stream: streamDataset(file, { ...options, fields }), layout };
}
