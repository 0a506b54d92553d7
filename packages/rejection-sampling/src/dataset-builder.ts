/**
 * Turns problems and their traces into the output directory: filters, dedups and selects through one
 * {@link TraceFilter}, writes data.jsonl / rejected.jsonl as each problem completes, mixes in the non-reasoning rows
 * and writes manifest.json. Shared by `rejectionSample` (traces from an engine) and `filterTraces` (traces made
 * elsewhere), so both apply exactly the same rules and report the same counts.
 */
import { join } from 'node:path';
import { ContaminationIndex, indexBenchmarkFile } from './decontaminate';
import type { Reason } from './filters';
import { readNonReasoning } from './non-reasoning';
import { type FilterOptions, resolveFilterOptions } from './options';
import { OutputWriter, outputRow, type PromptView, rejectedRow, writeJsonAtomic } from './output';
import { type ProblemOutcome, type RSProblem, type Trace, TraceFilter } from './trace-filter';
import { resolveVerifier, type TraceVerifier } from './verifier';

export interface BuilderOptions {
  /** Output directory. */
  out: string;
  filters?: Partial<FilterOptions>;
  /** Default 'math'. */
  verifier?: TraceVerifier;
  /** Benchmark files (JSONL/Parquet) whose problems must not be trained on. */
  decontaminate?: readonly string[];
  /** A JSONL of chat `messages` rows without CoT, mixed in as is. */
  nonReasoning?: string | null;
  /** Write rejected.jsonl. Default false. */
  rejected?: boolean;
  /** Token counter for `maxTraceTokens` when traces carry no token count. */
  countTokens?: (text: string) => number;
  /** Written into rows' `model` and `seed`. */
  model: string;
  seed: number;
}

export interface Manifest {
  /** The resolved filter, selection and output options. */
  options: FilterOptions;
  /** What produced the traces (generation settings, or the input file). */
  source: Record<string, unknown>;
  decontaminate: { files: string[]; benchmark_problems: number };
  /** Traces seen. */
  input: number;
  /** Traces kept (reasoning rows of data.jsonl). */
  kept: number;
  /** Removed traces per reason; they add up to input − kept. */
  removed: Record<Reason, number>;
  problems: { input: number; kept: number; contaminated: number };
  non_reasoning: number;
  rows: number;
  wall_seconds: number;
}

export class DatasetBuilder {
  readonly filter: TraceFilter;
  readonly #writer: OutputWriter;
  readonly #started = performance.now();
  #rows = 0;

  private constructor(
    readonly options: BuilderOptions,
    readonly resolved: FilterOptions,
    readonly contamination: ContaminationIndex,
    readonly decontaminateFiles: string[],
    readonly nonReasoningRows: Record<string, unknown>[],
  ) {
    this.filter = new TraceFilter(
      resolved,
      resolveVerifier(options.verifier ?? 'math', resolved.format),
      contamination.size === 0 ? null : contamination,
      options.countTokens ?? null,
    );
    this.#writer = new OutputWriter(options.out, options.rejected ?? false);
  }

  /** Checks the options, reads the non-reasoning file and indexes the benchmark files before anything is written. */
  static async open(options: BuilderOptions): Promise<DatasetBuilder> {
    const resolved = resolveFilterOptions(options.filters);
    const index = new ContaminationIndex(resolved.decontaminationNgram);
    const files = [...(options.decontaminate ?? [])];
    for (const file of files) await indexBenchmarkFile(index, file);
    const nonReasoning = options.nonReasoning ? await readNonReasoning(options.nonReasoning) : [];
    return new DatasetBuilder(options, resolved, index, files, nonReasoning);
  }

  contaminatedBy(problem: RSProblem): string | null {
    return this.filter.contaminatedBy(problem);
  }

  async add(problem: RSProblem, prompt: PromptView, traces: readonly Trace[]): Promise<ProblemOutcome> {
    const outcome = await this.filter.process(problem, traces);
    const context = {
      model: this.options.model,
      seed: this.options.seed,
      format: this.resolved.format,
      outputFormat: this.resolved.outputFormat,
    };
    this.#writer.data(outcome.kept.map((t) => outputRow(problem, prompt, t, context)));
    this.#writer.rejected(outcome.rejected.map((t) => rejectedRow(problem, t)));
    this.#rows += outcome.kept.length;
    return outcome;
  }

  /** Mixes in the non-reasoning rows, closes the files and writes manifest.json. */
  async finish(source: Record<string, unknown>): Promise<Manifest> {
    this.#writer.data(this.nonReasoningRows);
    const nonReasoning = this.nonReasoningRows.length;
    this.#writer.close();
    const f = this.filter;
    const manifest: Manifest = {
      options: this.resolved,
      source,
      decontaminate: { files: this.decontaminateFiles, benchmark_problems: this.contamination.texts },
      input: f.input,
      kept: f.kept,
      removed: { ...f.removed },
      problems: { input: f.problems, kept: f.problemsKept, contaminated: f.problemsContaminated },
      non_reasoning: nonReasoning,
      rows: this.#rows + nonReasoning,
      wall_seconds: Math.round((performance.now() - this.#started) / 10) / 100,
    };
    writeJsonAtomic(join(this.options.out, 'manifest.json'), manifest);
    return manifest;
  }
}
