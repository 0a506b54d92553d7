/**
 * `summarizeScores`: the numbers of an evaluation from per-sample verdicts alone — pass@1 (mean over each problem's
 * samples) with its percentile-bootstrap CI over problems, unbiased pass@k for the requested k, and cons@k when the
 * extracted answers are known. It is what `r1-eval score` prints for samples produced elsewhere, and the core of
 * {@link aggregate} for runs of our own.
 *
 * It does not extract or verify answers: verdicts come in already decided, and cons@k needs the caller's equivalence
 * of answers (e.g. the math verifier's).
 */
import { type BootstrapOptions, bootstrapCI } from './bootstrap';
import { consOfScored } from './cons-at-k';
import { meanAtK, passAtK, passAtKGrid } from './pass-at-k';

/** One problem's samples, scored. */
export interface ScoredProblem {
  id: string;
  /** One verdict per sample. */
  correct: readonly boolean[];
  /** The answer extracted from each sample (null: none). Needed for cons@k; same length as `correct`. */
  extracted?: readonly (string | null)[];
}

export interface ScoreSummaryOptions {
  /** k values to report pass@k for. Default: 1, 2, 4, … up to the fewest samples any problem has, and that count. */
  ks?: readonly number[];
  /** Are two extracted answers one vote? When given and every problem has `extracted`, cons@k is reported. */
  equivalent?: (a: string, b: string) => boolean;
  /** Bootstrap of the pass@1 interval. Default 10,000 resamples, seed 0, 95%. */
  bootstrap?: Partial<BootstrapOptions>;
}

/** The `summary.json` core: every field `r1-eval score` prints. */
export interface ScoreSummary {
  problems: number;
  /** The fewest samples any problem has (they usually all have the same number). */
  samplesPerProblem: number;
  /** Mean over problems of each problem's share of correct samples. */
  pass1: number;
  /** 95% percentile-bootstrap interval of pass1, resampling problems. */
  pass1CI: [number, number];
  /** Unbiased pass@k (Chen et al. 2021) averaged over problems, keyed by k. */
  passAtK: Record<string, number>;
  /** Share of problems whose majority answer (over verifier equivalence classes) is correct; absent without answers. */
  consK?: number;
}

export function summarizeScores(problems: readonly ScoredProblem[], options: ScoreSummaryOptions = {}): ScoreSummary {
  if (problems.length === 0) throw new Error('summarizeScores: no problems to summarize; give at least one');
  const seen = new Set<string>();
  let fewest = problems[0]!;
  for (const p of problems) {
    if (seen.has(p.id)) throw new Error(`summarizeScores: problem id "${p.id}" appears twice; ids must be unique`);
    seen.add(p.id);
    if (p.correct.length === 0) throw new Error(`summarizeScores: problem "${p.id}" has no samples`);
    if (p.extracted !== undefined && p.extracted.length !== p.correct.length) {
      throw new Error(
        `summarizeScores: problem "${p.id}" has ${p.correct.length} verdicts but ${p.extracted.length} answers`,
      );
    }
    if (p.correct.length < fewest.correct.length) fewest = p;
  }
  const n = fewest.correct.length;
  const ks = options.ks ?? passAtKGrid(n);
  for (const k of ks) {
    if (!Number.isInteger(k) || k < 1) throw new Error(`pass@k: k must be an integer ≥ 1, got ${k}`);
    if (k > n) {
      throw new Error(
        `pass@${k} needs at least ${k} samples of every problem, but problem "${fewest.id}" has only ${n}; ` +
          `ask for k ≤ ${n} or draw more samples`,
      );
    }
  }
  const ci = bootstrapCI(
    problems.map((p) => meanAtK(p.correct)),
    options.bootstrap,
  );
  const passK: Record<string, number> = {};
  for (const k of [...new Set(ks)].sort((a, b) => a - b)) {
    let sum = 0;
    for (const p of problems) sum += passAtK(p.correct.length, p.correct.filter(Boolean).length, k);
    passK[String(k)] = sum / problems.length;
  }
  const summary: ScoreSummary = {
    problems: problems.length,
    samplesPerProblem: n,
    pass1: ci.mean,
    pass1CI: [ci.lo, ci.hi],
    passAtK: passK,
  };
  const { equivalent } = options;
  if (equivalent !== undefined && problems.every((p) => p.extracted !== undefined)) {
    const wins = problems.filter(
      (p) =>
        consOfScored(
          p.correct.map((correct, i) => ({ correct, extracted: p.extracted![i] ?? null })),
          equivalent,
        ).correct,
    ).length;
    summary.consK = wins / problems.length;
  }
  return summary;
}
