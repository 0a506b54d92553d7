/**
 * `r1-eval score --input FILE.jsonl [--k 1,4,16] [--code-timeout S] [--code-memory-mb N] [--details FILE]`: the
 * summary statistics of samples produced elsewhere, printed as summary.json-shaped JSON (problems,
 * samplesPerProblem, pass1, pass1CI, passAtK, and consK when every line has a completion). Math lines are checked
 * with the math verifier; code lines (`tests`) are judged by running the program in @r1/sandbox's jail, correct
 * when every test passes. `--details` writes one JSON line per input line, in input order.
 */
import { type ScoreSummary, summarizeScores } from '@r1/eval';
import { resolveVerifyOptions } from '@r1/rewards';
import {
  type CodeJudgment,
  checkSandbox,
  createCodeJudge,
  DEFAULT_CODE_MEMORY_MB,
  DEFAULT_CODE_TIMEOUT_SECONDS,
  type DetailVerdict,
  normalizedProgram,
  testVerdicts,
} from './code-judge';
import type { Io } from './io';
import { parseFlags } from './run-options';
import { type LineScore, readScoreLines, readText, type ScoreLine, scoreInputOf, scoreMathLine } from './score-input';
import { mathEquivalence } from './scoring';
import { UsageError } from './usage-error';
import { writeFileAtomic } from './write-atomic';

export interface ScoreOptions {
  /** The JSONL file of samples. */
  input: string;
  /** k values for pass@k; null: 1, 2, 4, … up to the samples per problem. */
  ks: number[] | null;
  /** Code lines: seconds per test (wall clock and CPU). Default 6. */
  codeTimeout?: number;
  /** Code lines: memory per test in MiB. Default 1024. */
  codeMemoryMb?: number;
  /** Where to write one JSON line per input line (verdicts, per-test results of code lines). Default: none. */
  details?: string | null;
}

/** One line of `--details`. */
export interface DetailLine {
  problem_id: string;
  sample_index: number;
  /** 1-based line of the input file. */
  line: number;
  correct: boolean;
  /** Code: the pass rate over the tests; math: 1 or 0. */
  reward: number;
  /** Code: @r1/sandbox's status (passed, failed, timeout, memory, runtime_error, compile_error, output_limit,
   * no_code); math: passed or failed. */
  status: string;
  passed: number;
  total: number;
  seconds: number;
  /** Code lines: the language judged (null: no code block). */
  code_language?: string | null;
  /** Code lines: one verdict per test, in test order. */
  test_verdicts?: { test_index: number; verdict: DetailVerdict; time_ms: number }[];
}

/** `--k 1,4,16` → [1, 4, 16]. */
export function parseKList(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) {
    throw new UsageError(`--k takes comma-separated integers ≥ 1 like 1,4,16, got '${text}'`, 'score');
  }
  return [...new Set(parts.map(Number))].sort((a, b) => a - b);
}

function positiveNumber(flag: string, text: string, integer: boolean, max: number): number {
  const ok = integer ? /^\d+$/.test(text.trim()) : /^(\d+\.?\d*|\.\d+)$/.test(text.trim());
  const v = Number(text);
  if (!ok || !(v > 0) || v > max) {
    throw new UsageError(`${flag} takes ${integer ? 'an integer' : 'a number'} in (0, ${max}], got '${text}'`, 'score');
  }
  return v;
}

export function parseScoreArgs(argv: readonly string[]): ScoreOptions | 'help' {
  const { values, positionals } = parseFlags(
    argv,
    {
      input: { type: 'string' },
      k: { type: 'string' },
      'code-timeout': { type: 'string' },
      'code-memory-mb': { type: 'string' },
      details: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    'score',
    true,
  );
  if (values.help) return 'help';
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument '${positionals[0]}'; give the file with --input FILE`, 'score');
  }
  if (typeof values.input !== 'string') throw new UsageError('--input FILE.jsonl is required', 'score');
  const o: ScoreOptions = { input: values.input, ks: typeof values.k === 'string' ? parseKList(values.k) : null };
  const timeout = values['code-timeout'];
  if (typeof timeout === 'string') o.codeTimeout = positiveNumber('--code-timeout', timeout, false, 600);
  const memory = values['code-memory-mb'];
  if (typeof memory === 'string') {
    o.codeMemoryMb = positiveNumber('--code-memory-mb', memory, true, 65_536);
    if (o.codeMemoryMb < 16) throw new UsageError(`--code-memory-mb must be at least 16, got ${memory}`, 'score');
  }
  if (typeof values.details === 'string') {
    if (values.details === values.input) {
      throw new UsageError('--details must be another file than --input (it would overwrite the samples)', 'score');
    }
    o.details = values.details;
  }
  return o;
}

export interface ScoreResult {
  summary: ScoreSummary;
  details: DetailLine[];
}

/** Scores every line (code lines in the sandbox, at most one sample per core at a time), in input order. */
async function scoreLines(
  lines: readonly ScoreLine[],
  options: ScoreOptions,
  io: Io | null,
): Promise<{ scores: LineScore[]; details: DetailLine[] }> {
  const codeLines = lines.filter((l) => l.code !== null).length;
  let judgeCode: ((completion: string, line: ScoreLine) => Promise<CodeJudgment>) | null = null;
  if (codeLines > 0) {
    await checkSandbox();
    const timeoutSeconds = options.codeTimeout ?? DEFAULT_CODE_TIMEOUT_SECONDS;
    const memoryMb = options.codeMemoryMb ?? DEFAULT_CODE_MEMORY_MB;
    const judge = createCodeJudge({ timeoutSeconds, memoryMb });
    judgeCode = (completion, line) => judge(completion, { tests: line.code!.tests }, line.code!.language);
    io?.stderr(
      `r1-eval score: judging ${codeLines} code sample(s) in the sandbox (${timeoutSeconds} s, ${memoryMb} MiB per test)\n`,
    );
  }
  const verify = resolveVerifyOptions({});
  const results = await Promise.all(
    lines.map(async (l): Promise<{ score: LineScore; detail: DetailLine }> => {
      const base = { problem_id: l.problemId, sample_index: l.sampleIndex, line: l.line };
      if (l.code === null) {
        const started = performance.now();
        const score = scoreMathLine(l, verify);
        const seconds = Math.round(performance.now() - started) / 1000;
        const passed = score.correct ? 1 : 0;
        return {
          score,
          detail: {
            ...base,
            correct: score.correct,
            reward: passed,
            status: score.correct ? 'passed' : 'failed',
            passed,
            total: 1,
            seconds,
          },
        };
      }
      const j = await judgeCode!(l.completion!, l);
      return {
        score: { correct: j.correct, extracted: j.code },
        detail: {
          ...base,
          correct: j.correct,
          reward: j.verdict.reward,
          status: j.verdict.status,
          passed: j.verdict.passed,
          total: j.verdict.total,
          seconds: Math.round(j.verdict.seconds * 1000) / 1000,
          code_language: j.language,
          test_verdicts: testVerdicts(j.verdict),
        },
      };
    }),
  );
  return { scores: results.map((r) => r.score), details: results.map((r) => r.detail) };
}

export async function scoreFile(options: ScoreOptions, io: Io | null = null): Promise<ScoreResult> {
  const lines = readScoreLines(readText(options.input), options.input);
  const { scores, details } = await scoreLines(lines, options, io);
  const input = scoreInputOf(lines, scores);
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
  // Programs vote with programs (same text up to line-end whitespace), answers with the verifier's equivalence.
  const programs = new Set(
    lines.flatMap((l, i) => (l.code !== null && scores[i]!.extracted !== null ? [scores[i]!.extracted!] : [])),
  );
  const math = mathEquivalence();
  const equivalent = (a: string, b: string) =>
    programs.has(a) || programs.has(b) ? normalizedProgram(a) === normalizedProgram(b) : math(a, b);
  const summary = summarizeScores(input.problems, {
    ...(options.ks === null ? {} : { ks: options.ks }),
    ...(input.allCompletions ? { equivalent } : {}),
  });
  return { summary, details };
}

export async function scoreCommand(options: ScoreOptions, io: Io): Promise<number> {
  const { summary, details } = await scoreFile(options, io);
  if (options.details) {
    writeFileAtomic(options.details, details.map((d) => `${JSON.stringify(d)}\n`).join(''));
    io.stderr(`r1-eval score: wrote ${details.length} verdict line(s) to ${options.details}\n`);
  }
  io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
  return 0;
}
