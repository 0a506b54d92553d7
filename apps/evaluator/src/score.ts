/**
 * `r1-eval score --input FILE.jsonl [--k 1,4,16]`: the summary statistics of samples produced elsewhere, printed as
 * summary.json-shaped JSON (problems, samplesPerProblem, pass1, pass1CI, passAtK, and consK when every line has a
 * completion). Math only: completions are checked with the math verifier.
 */
import { type ScoreSummary, summarizeScores } from '@r1/eval';
import type { Io } from './io';
import { parseFlags } from './run-options';
import { readScoreFile } from './score-input';
import { mathEquivalence } from './scoring';
import { UsageError } from './usage-error';

export interface ScoreOptions {
  /** The JSONL file of samples. */
  input: string;
  /** k values for pass@k; null: 1, 2, 4, … up to the samples per problem. */
  ks: number[] | null;
}

/** `--k 1,4,16` → [1, 4, 16]. */
export function parseKList(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) {
    throw new UsageError(`--k takes comma-separated integers ≥ 1 like 1,4,16, got '${text}'`, 'score');
  }
  return [...new Set(parts.map(Number))].sort((a, b) => a - b);
}

export function parseScoreArgs(argv: readonly string[]): ScoreOptions | 'help' {
  const { values, positionals } = parseFlags(
    argv,
    { input: { type: 'string' }, k: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    'score',
    true,
  );
  if (values.help) return 'help';
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument '${positionals[0]}'; give the file with --input FILE`, 'score');
  }
  if (typeof values.input !== 'string') throw new UsageError('--input FILE.jsonl is required', 'score');
  return { input: values.input, ks: typeof values.k === 'string' ? parseKList(values.k) : null };
}

export function scoreFile(options: ScoreOptions): ScoreSummary {
  const input = readScoreFile(options.input);
  if (options.ks !== null) {
    const fewest = input.problems.reduce((a, b) => (b.correct.length < a.correct.length ? b : a));
    const k = Math.max(...options.ks);
    if (k > fewest.correct.length) {
      throw new UsageError(
        `--k ${k}: problem ${JSON.stringify(fewest.id)} has only ${fewest.correct.length} sample(s) in ` +
          `${options.input}; pass@k needs k ≤ the samples of every problem — lower --k or add samples`,
        'score',
      );
    }
  }
  return summarizeScores(input.problems, {
    ...(options.ks === null ? {} : { ks: options.ks }),
    ...(input.allCompletions ? { equivalent: mathEquivalence() } : {}),
  });
}

export function scoreCommand(options: ScoreOptions, io: Io): number {
  io.stdout(`${JSON.stringify(scoreFile(options), null, 2)}\n`);
  return 0;
}
