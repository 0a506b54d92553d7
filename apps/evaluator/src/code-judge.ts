/**
 * Judging model-written programs for r1-eval (`run --benchmark code` and code lines of `score`): the last fenced
 * block of the answer part (```python, ```cpp, ```js …; untagged is python) runs against the problem's tests in
 * @r1/sandbox's jail, and the sample is correct when every test passes.
 *
 * - Limits: `--code-timeout` / `--code-memory-mb` when given, else the problem's own (codeforces, code_contests),
 *   else 6 s and 1024 MiB per test. The sample budget is never what cuts a program short (it is set above the sum
 *   of the per-test limits), so a verdict does not depend on how busy the machine is.
 * - Fail closed: `checkSandbox()` runs a trivial program first and turns a missing bwrap or cgroup into an error
 *   that says the fix; a `sandbox_error` verdict later (the judge failed, not the program) also stops the command,
 *   so no sample is ever recorded as wrong because the sandbox broke.
 * - At most one sample per core is judged at a time (each sample's tests share @r1/sandbox's process-wide pool).
 *
 * It does not load problems (@r1/tasks' code loaders do) nor aggregate scores (@r1/eval does).
 */
import { availableParallelism } from 'node:os';
import {
  type CodeTests,
  extractCode,
  extractProgram,
  judge,
  type Language,
  Pool,
  SandboxUnavailableError,
  type Status,
  sandboxHost,
  type Verdict,
} from '@r1/sandbox';

export const DEFAULT_CODE_TIMEOUT_SECONDS = 6;
export const DEFAULT_CODE_MEMORY_MB = 1024;

export interface CodeLimits {
  /** Wall-clock (and CPU) seconds per test; null: the problem's own, else 6. */
  timeoutSeconds: number | null;
  /** Memory per test in MiB; null: the problem's own, else 1024. */
  memoryMb: number | null;
  /**
   * Stop at the first failing test. `run` sets it (only "all pass" is recorded, so it changes no result and saves
   * the rest of a failing sample's tests); `score` does not, since `--details` reports every test. Default false.
   */
  earlyStop?: boolean;
}

/** What a code problem carries for the judge (`EvalProblem.meta` of a code benchmark). */
export interface CodeProblemMeta {
  tests: CodeTests;
  timeLimitSeconds?: number;
  memoryLimitMb?: number;
}

/** A test's verdict as `--details` writes it. */
export type DetailVerdict =
  | 'pass'
  | 'wrong_answer'
  | 'timeout'
  | 'memory'
  | 'runtime_error'
  | 'compile_error'
  | 'output_limit'
  | 'no_code';

const DETAIL_OF: Record<Exclude<Status, 'sandbox_error'>, DetailVerdict> = {
  passed: 'pass',
  failed: 'wrong_answer',
  timeout: 'timeout',
  memory: 'memory',
  runtime_error: 'runtime_error',
  compile_error: 'compile_error',
  output_limit: 'output_limit',
  no_code: 'no_code',
};

export interface CodeJudgment {
  verdict: Verdict;
  /** The program judged (null: no code block). */
  code: string | null;
  language: Language | null;
  correct: boolean;
}

/** The sandbox broke while judging (not the program's fault): the command stops and says why. */
export class SandboxFailure extends Error {
  override readonly name = 'SandboxFailure';
}

const unavailable = (message: string) =>
  new SandboxFailure(
    `the code sandbox is unavailable, so nothing was judged (it never runs code unsandboxed): ${message}`,
  );

/**
 * Throws a SandboxFailure that says the fix when programs cannot be judged here (no bwrap, no usable cgroup, or a
 * trivial program does not pass). Call it before anything is sampled or written.
 */
export async function checkSandbox(): Promise<void> {
  try {
    sandboxHost();
  } catch (error) {
    if (error instanceof SandboxUnavailableError) throw unavailable(error.message);
    throw error;
  }
  const v = await judge('print(int(input()) + 1)', { inputs: ['41\n'], outputs: ['42\n'] }, { timeoutSeconds: 20 });
  if (v.status !== 'passed') {
    throw unavailable(
      `a trivial Python program did not pass (${v.status}${v.message === undefined ? '' : `: ${v.message}`})`,
    );
  }
}

const isCall = (t: CodeTests) => typeof (t as { fn_name?: unknown }).fn_name === 'string';

/**
 * The program to judge: the last block of `language` when given; else the last block of any language, and for
 * call-based tests (which need a function: python or javascript) the last python, else javascript, one.
 */
export function programOf(
  completion: string,
  tests: CodeTests,
  language: Language | null = null,
): { code: string; language: Language } | null {
  if (language !== null) {
    const code = extractCode(completion, language);
    return code === null ? null : { code, language };
  }
  const found = extractProgram(completion);
  if (found === null || !isCall(tests) || found.language !== 'cpp') return found;
  for (const language of ['python', 'javascript'] as const) {
    const code = extractCode(completion, language);
    if (code !== null) return { code, language };
  }
  return null;
}

export type CodeJudge = (
  completion: string,
  problem: CodeProblemMeta,
  language?: Language | null,
) => Promise<CodeJudgment>;

/**
 * Judges completions, one sample per core at a time; throws SandboxFailure on a sandbox error. `language` (a score
 * line's) picks the block to judge; without it the fence's tag says (see programOf).
 */
export function createCodeJudge(limits: CodeLimits): CodeJudge {
  const samples = new Pool(availableParallelism());
  return (completion, problem, language = null) =>
    samples.run(async () => {
      const program = programOf(completion, problem.tests, language);
      const timeoutSeconds = limits.timeoutSeconds ?? problem.timeLimitSeconds ?? DEFAULT_CODE_TIMEOUT_SECONDS;
      const memoryMb = limits.memoryMb ?? problem.memoryLimitMb ?? DEFAULT_CODE_MEMORY_MB;
      const verdict = await judge(program?.code ?? null, problem.tests, {
        language: program?.language ?? 'python',
        timeoutSeconds,
        memoryMb,
        budgetSeconds: timeoutSeconds * (problem.tests.inputs.length + 1) + 30,
        earlyStop: limits.earlyStop ?? false,
      });
      if (verdict.status === 'sandbox_error') {
        throw new SandboxFailure(`the sandbox failed while judging: ${verdict.message ?? 'no detail'}`);
      }
      return {
        verdict,
        code: program?.code ?? null,
        language: program?.language ?? null,
        correct: verdict.status === 'passed',
      };
    });
}

/** Per-test verdicts of a judged sample, one per test; tests that never ran take the sample's status. */
export function testVerdicts(verdict: Verdict): { test_index: number; verdict: DetailVerdict; time_ms: number }[] {
  const ran = new Map(verdict.tests.map((t) => [t.index, t]));
  const sample = DETAIL_OF[verdict.status as Exclude<Status, 'sandbox_error'>];
  return Array.from({ length: verdict.total }, (_, i) => {
    const t = ran.get(i);
    return t === undefined
      ? { test_index: i, verdict: sample, time_ms: 0 }
      : {
          test_index: i,
          verdict: DETAIL_OF[t.status as Exclude<Status, 'sandbox_error'>],
          time_ms: Math.round(t.seconds * 1000),
        };
  });
}

/** The text two programs are compared by for cons@k: lines without trailing whitespace, blank lines dropped. */
export function normalizedProgram(code: string): string {
  return code
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '')
    .join('\n');
}

/** cons@k for code: two samples are one vote when they are the same program (up to whitespace at line ends). */
export function codeEquivalence(): (a: string, b: string) => boolean {
  return (a, b) => normalizedProgram(a) === normalizedProgram(b);
}
