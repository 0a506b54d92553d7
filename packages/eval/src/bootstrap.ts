/**
 * Confidence intervals by the percentile bootstrap over problems (problems are the independent units; the k samples of
 * one problem are not). The paper reports none; every number this project prints carries one.
 */
import { createRng } from '@r1/sampler';

export interface BootstrapOptions {
  /** Resamples. Default 10,000. */
  iterations: number;
  /** Seed of the resampling stream. Default 0. */
  seed: number;
  /** Two-sided coverage. Default 0.95. */
  level: number;
}

export const DEFAULT_BOOTSTRAP_OPTIONS: BootstrapOptions = { iterations: 10_000, seed: 0, level: 0.95 };

export interface Interval {
  mean: number;
  lo: number;
  hi: number;
}

function checkScores(name: string, scores: readonly number[]): void {
  if (scores.length === 0) throw new Error(`${name}: no problems to bootstrap over`);
  scores.forEach((s, i) => {
    if (!Number.isFinite(s)) throw new Error(`${name}: score of problem ${i} is ${s}; every score must be finite`);
  });
}

function resolve(options: Partial<BootstrapOptions>): BootstrapOptions {
  const o = { ...DEFAULT_BOOTSTRAP_OPTIONS, ...options };
  if (!Number.isInteger(o.iterations) || o.iterations < 1)
    throw new Error('bootstrap: iterations must be an integer ≥ 1');
  if (!(o.level > 0 && o.level < 1)) throw new Error('bootstrap: level must be in (0, 1), e.g. 0.95');
  return o;
}

/** Empirical quantile with linear interpolation (type 7, numpy's default) of an ascending array. */
function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

function percentileInterval(stats: Float64Array, level: number): [number, number] {
  stats.sort();
  const alpha = (1 - level) / 2;
  return [quantile(stats, alpha), quantile(stats, 1 - alpha)];
}

/** Percentile-bootstrap CI of the mean of per-problem scores (e.g. each problem's pass@1). */
export function bootstrapCI(scores: readonly number[], options: Partial<BootstrapOptions> = {}): Interval {
  checkScores('bootstrapCI', scores);
  const o = resolve(options);
  const n = scores.length;
  const uniform = createRng(o.seed);
  const stats = new Float64Array(o.iterations);
  for (let b = 0; b < o.iterations; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += scores[Math.floor(uniform() * n)]!;
    stats[b] = s / n;
  }
  const [lo, hi] = percentileInterval(stats, o.level);
  return { mean: mean(scores), lo, hi };
}

export interface PairedDifference {
  meanA: number;
  meanB: number;
  /** mean(B) − mean(A). */
  diff: number;
  /** Percentile-bootstrap CI of the difference B − A, resampling problems jointly. */
  ci: [number, number];
  /** Share of resamples where B − A ≤ 0 (a one-sided bootstrap p-value for "B is better"). */
  pNotBetter: number;
}

/**
 * Paired bootstrap of the difference B − A between two runs scored on the same problems (same order). Resampling
 * problems jointly keeps the pairing, so per-problem difficulty cancels out and the interval is much tighter than
 * comparing two independent intervals.
 */
export function pairedBootstrap(
  a: readonly number[],
  b: readonly number[],
  options: Partial<BootstrapOptions> = {},
): PairedDifference {
  checkScores('pairedBootstrap (run A)', a);
  checkScores('pairedBootstrap (run B)', b);
  if (a.length !== b.length) {
    throw new Error(`pairedBootstrap: runs have ${a.length} and ${b.length} problems; pair them on the same problems`);
  }
  const o = resolve(options);
  const n = a.length;
  const d = a.map((x, i) => b[i]! - x);
  const uniform = createRng(o.seed);
  const stats = new Float64Array(o.iterations);
  let notBetter = 0;
  for (let it = 0; it < o.iterations; it++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[Math.floor(uniform() * n)]!;
    stats[it] = s / n;
    if (s <= 0) notBetter++;
  }
  const ci = percentileInterval(stats, o.level);
  const meanA = mean(a);
  const meanB = mean(b);
  return { meanA, meanB, diff: meanB - meanA, ci, pNotBetter: notBetter / o.iterations };
}
