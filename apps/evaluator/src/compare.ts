/**
 * `r1-eval compare RUN_A RUN_B`: is B better than A? The paired bootstrap of pass@1 (B − A) over the problems both
 * runs share — problems are resampled jointly, so per-problem difficulty cancels and the interval is far tighter
 * than two separate intervals — with a one-line verdict.
 *
 * A run is an r1-eval output directory (its results.jsonl, restricted to the first k samples of each problem, k from
 * summary.json or run.json) or a JSONL file of r1-eval sample records or of `score` lines.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type PairedDifference, pairedBootstrap } from '@r1/eval';
import type { Io } from './io';
import { parseFlags } from './run-options';
import { readRunRecord } from './run-record';
import { parseScoreLines } from './score-input';
import { UsageError } from './usage-error';

export interface RunScores {
  path: string;
  /** Per-problem pass@1 (share of correct samples). */
  pass1: Map<string, number>;
  /** Samples per problem used (null: all there were). */
  k: number | null;
  /** Problems left out because they have fewer than k samples (an interrupted run). */
  incomplete: number;
}

interface Sample {
  problemId: string;
  sampleIndex: number;
  correct: boolean;
}

/** Reads r1-eval sample records; a torn last line (a run killed mid-write) is skipped as SampleCache would. */
function readRecords(text: string, file: string): Sample[] {
  const seen = new Set<string>();
  const out: Sample[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line) as Record<string, unknown>;
    } catch (error) {
      if (i === lines.length - 1) return; // torn last line: no newline after it
      throw new Error(`${file}:${i + 1}: not a JSON sample record (${(error as Error).message})`);
    }
    if (typeof rec.problemId !== 'string' || typeof rec.correct !== 'boolean' || typeof rec.sampleIndex !== 'number') {
      throw new Error(`${file}:${i + 1}: sample record lacks problemId, sampleIndex or correct`);
    }
    const key = typeof rec.key === 'string' ? rec.key : `${rec.problemId}#${rec.sampleIndex}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ problemId: rec.problemId, sampleIndex: rec.sampleIndex, correct: rec.correct });
  });
  return out;
}

function samplesPerProblemOf(dir: string): number | null {
  const summaryPath = join(dir, 'summary.json');
  if (existsSync(summaryPath)) {
    try {
      const k = (JSON.parse(readFileSync(summaryPath, 'utf8')) as { samplesPerProblem?: unknown }).samplesPerProblem;
      if (typeof k === 'number' && Number.isInteger(k) && k > 0) return k;
    } catch (error) {
      throw new Error(`${summaryPath}: not valid JSON (${(error as Error).message})`);
    }
  }
  return readRunRecord(dir)?.k ?? null;
}

/** Per-problem pass@1 of a run directory or JSONL file. */
export function loadRunScores(path: string): RunScores {
  if (!existsSync(path)) throw new Error(`${path}: no such run directory or file`);
  const isDir = statSync(path).isDirectory();
  const file = isDir ? join(path, 'results.jsonl') : path;
  if (!existsSync(file)) {
    throw new Error(`${path}: no results.jsonl inside — give an r1-eval run directory (its --out) or a JSONL file`);
  }
  const text = readFileSync(file, 'utf8');
  const first = text.split('\n').find((l) => l.trim() !== '');
  if (first === undefined) throw new Error(`${file}: no samples (the file is empty)`);
  let scoreFormat = false;
  try {
    scoreFormat = 'problem_id' in (JSON.parse(first) as object);
  } catch {
    // reported with its line number below
  }
  if (scoreFormat) {
    const input = parseScoreLines(text, file);
    const pass1 = new Map(input.problems.map((p) => [p.id, p.correct.filter(Boolean).length / p.correct.length]));
    return { path, pass1, k: null, incomplete: 0 };
  }
  const k = isDir ? samplesPerProblemOf(path) : null;
  const byProblem = new Map<string, Sample[]>();
  for (const s of readRecords(text, file)) {
    if (k !== null && s.sampleIndex >= k) continue;
    const list = byProblem.get(s.problemId) ?? [];
    list.push(s);
    byProblem.set(s.problemId, list);
  }
  const pass1 = new Map<string, number>();
  let incomplete = 0;
  for (const [id, samples] of byProblem) {
    if (k !== null && samples.length < k) {
      incomplete++;
      continue;
    }
    pass1.set(id, samples.filter((s) => s.correct).length / samples.length);
  }
  return { path, pass1, k, incomplete };
}

export interface Comparison {
  /** `problems`: in the run; `pass1`: on the shared problems; `incomplete`: left out for having fewer than k samples. */
  a: { path: string; problems: number; pass1: number; incomplete: number };
  b: { path: string; problems: number; pass1: number; incomplete: number };
  shared: number;
  difference: PairedDifference;
  verdict: string;
}

const pts = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(1)}`;

/** The one-line verdict of a paired difference B − A. */
export function verdictOf(d: PairedDifference, shared: number): string {
  const [lo, hi] = d.ci;
  const range = `${pts(d.diff)} points of pass@1, 95% CI ${pts(lo)} to ${pts(hi)}, paired over ${shared} problems`;
  if (lo > 0) return `B is better than A (${range})`;
  if (hi < 0) return `B is worse than A (${range})`;
  return `no significant difference: the 95% CI of B − A includes 0 (${range})`;
}

export function compareRuns(pathA: string, pathB: string): Comparison {
  const a = loadRunScores(pathA);
  const b = loadRunScores(pathB);
  const shared = [...a.pass1.keys()].filter((id) => b.pass1.has(id)).sort();
  if (shared.length === 0) {
    throw new Error(
      `the runs share no problem: ${pathA} has ${a.pass1.size} problem(s), ${pathB} has ${b.pass1.size}, ` +
        'none with the same id — compare runs on the same benchmark',
    );
  }
  const difference = pairedBootstrap(
    shared.map((id) => a.pass1.get(id)!),
    shared.map((id) => b.pass1.get(id)!),
  );
  return {
    a: { path: pathA, problems: a.pass1.size, pass1: difference.meanA, incomplete: a.incomplete },
    b: { path: pathB, problems: b.pass1.size, pass1: difference.meanB, incomplete: b.incomplete },
    shared: shared.length,
    difference,
    verdict: verdictOf(difference, shared.length),
  };
}

export interface CompareOptions {
  a: string;
  b: string;
  json: boolean;
}

export function parseCompareArgs(argv: readonly string[]): CompareOptions | 'help' {
  const { values, positionals } = parseFlags(
    argv,
    { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    'compare',
    true,
  );
  if (values.help) return 'help';
  if (positionals.length !== 2) {
    throw new UsageError(`give exactly two runs, RUN_A and RUN_B (got ${positionals.length})`, 'compare');
  }
  return { a: positionals[0]!, b: positionals[1]!, json: values.json === true };
}

export function compareCommand(options: CompareOptions, io: Io): number {
  const c = compareRuns(options.a, options.b);
  for (const [label, run] of [
    ['A', c.a],
    ['B', c.b],
  ] as const) {
    if (run.incomplete > 0) {
      io.stderr(`note: ${label} (${run.path}): ${run.incomplete} problem(s) have fewer samples than its k; left out\n`);
    }
  }
  if (options.json) {
    io.stdout(`${JSON.stringify(c, null, 2)}\n`);
    return 0;
  }
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const d = c.difference;
  io.stdout(
    [
      `A: ${c.a.path}  pass@1 ${pct(d.meanA)} on the ${c.shared} shared problems (${c.a.problems} in the run)`,
      `B: ${c.b.path}  pass@1 ${pct(d.meanB)} on the ${c.shared} shared problems (${c.b.problems} in the run)`,
      `B − A: ${pts(d.diff)} points, 95% CI [${pts(d.ci[0])}, ${pts(d.ci[1])}] (paired bootstrap over problems)`,
      `verdict: ${c.verdict}`,
      '',
    ].join('\n'),
  );
  return 0;
}
