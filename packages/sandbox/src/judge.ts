/**
 * `judge(code, tests, options)`: a program against its test cases, each test one jailed run through the pool, the
 * verdict made here by comparing outputs. Expected outputs never enter the jail and nothing the program prints is
 * read as a verdict. Statuses, per test and per sample (the sample takes the status of its first failing test, in
 * test order):
 *
 * passed · failed (wrong output) · timeout (wall or CPU) · memory · runtime_error (non-zero exit, a signal, or a
 * call-based run that ended without returning) · compile_error · output_limit · no_code (nothing to run) ·
 * sandbox_error (the sandbox failed; the program is not to blame — the trainer's reward is null for it).
 *
 * Deliberately not here: extracting the code from a completion (extract.ts), datasets (@r1/tasks).
 */
import { callResultMatches, stdoutMismatch } from './compare';
import { SandboxUnavailableError } from './errors';
import { isLanguage, type Language, type Prepared } from './languages';
import { type RunLimits, resolveRunLimits } from './limits';
import { defaultPool, type Pool } from './pool';
import type { JailedResult } from './run-jailed';
import { compileProgram, runPrepared, type SandboxOptions } from './run-program';

export const STATUSES = [
  'passed',
  'failed',
  'timeout',
  'memory',
  'runtime_error',
  'compile_error',
  'output_limit',
  'no_code',
  'sandbox_error',
] as const;
export type Status = (typeof STATUSES)[number];

/** stdin/stdout tests: test i feeds `inputs[i]` and expects `outputs[i]`. */
export interface StdioTests {
  inputs: string[];
  outputs: string[];
}

/** Call-based tests (APPS layout): test i calls `fn_name(...inputs[i])` and expects `outputs[i]`. */
export interface CallTests {
  fn_name: string;
  inputs: unknown[][];
  outputs: unknown[];
}

export type CodeTests = StdioTests | CallTests;

export type RewardMode = 'pass_rate' | 'binary';

export interface JudgeOptions {
  /** Default 'python'. */
  language: Language;
  /** Wall-clock seconds per test. Default 6. */
  timeoutSeconds: number;
  /** Memory per test in MiB. Default 1024. */
  memoryMb: number;
  /** Every other per-test limit (CPU seconds default to `timeoutSeconds`). */
  limits: Partial<RunLimits>;
  /** Wall-clock budget of the whole sample, compile included; tests not finished by then time out. Default 60. */
  budgetSeconds: number;
  /** Stop at the first failing test (the rest count as not passed, with its status). Default false. */
  earlyStop: boolean;
  /** 'pass_rate' (default): passed / total. 'binary': 1 when every test passes, else 0. */
  reward: RewardMode;
  /** Tolerance for numbers in outputs; null (default) compares decimals exactly. */
  floatTolerance: number | null;
  /** Where runs wait for a slot. Default: the process-wide pool (one slot per core). */
  pool: Pool;
  /** Toolchain, binds, compile limits, cgroup choice. */
  sandbox: SandboxOptions;
}

export interface TestVerdict {
  index: number;
  status: Status;
  seconds: number;
  /** Why it did not pass, in a few words (never the expected output). */
  detail?: string;
}

export interface Verdict {
  status: Status;
  passed: number;
  total: number;
  reward: number;
  tests: TestVerdict[];
  seconds: number;
  /** For compile_error, runtime errors and sandbox errors: the first 2,000 characters of what explains it. */
  message?: string;
}

const OPTION_KEYS = [
  'language',
  'timeoutSeconds',
  'memoryMb',
  'limits',
  'budgetSeconds',
  'earlyStop',
  'reward',
  'floatTolerance',
  'pool',
  'sandbox',
];

export function resolveJudgeOptions(partial: Partial<JudgeOptions> = {}): JudgeOptions {
  for (const k of Object.keys(partial)) {
    if (!OPTION_KEYS.includes(k)) throw new TypeError(`unknown judge option "${k}"; known: ${OPTION_KEYS.join(', ')}`);
  }
  const o: JudgeOptions = {
    language: 'python',
    timeoutSeconds: 6,
    memoryMb: 1024,
    limits: {},
    budgetSeconds: 60,
    earlyStop: false,
    reward: 'pass_rate',
    floatTolerance: null,
    pool: partial.pool ?? defaultPool(),
    sandbox: {},
    ...partial,
  };
  if (!isLanguage(o.language))
    throw new TypeError(`judge: language must be python, cpp or javascript, got ${String(o.language)}`);
  if (o.reward !== 'pass_rate' && o.reward !== 'binary') {
    throw new TypeError(`judge: reward must be 'pass_rate' or 'binary', got ${String(o.reward)}`);
  }
  for (const k of ['timeoutSeconds', 'memoryMb', 'budgetSeconds'] as const) {
    if (!(typeof o[k] === 'number' && o[k] > 0))
      throw new TypeError(`judge: ${k} must be a positive number, got ${String(o[k])}`);
  }
  if (o.floatTolerance !== null && !(typeof o.floatTolerance === 'number' && o.floatTolerance >= 0)) {
    throw new TypeError(`judge: floatTolerance must be a number ≥ 0 or null, got ${String(o.floatTolerance)}`);
  }
  resolveRunLimits({ ...o.limits, wallSeconds: o.timeoutSeconds, memoryMb: o.memoryMb });
  return o;
}

/** Checks a test set's shape; returns what is wrong, or null. */
export function testsProblem(tests: unknown): string | null {
  if (tests === null || typeof tests !== 'object') return 'tests must be an object {inputs, outputs[, fn_name]}';
  const t = tests as Record<string, unknown>;
  if (!Array.isArray(t.inputs) || !Array.isArray(t.outputs)) return 'tests need arrays inputs and outputs';
  if (t.inputs.length !== t.outputs.length) {
    return `tests have ${t.inputs.length} inputs but ${t.outputs.length} outputs`;
  }
  if (t.inputs.length === 0) return 'tests are empty';
  if (t.fn_name !== undefined && t.fn_name !== null) {
    if (typeof t.fn_name !== 'string' || !/^[A-Za-z_$][\w$]*$/.test(t.fn_name)) {
      return `fn_name must be an identifier, got ${JSON.stringify(t.fn_name)}`;
    }
    if (!t.inputs.every(Array.isArray)) return 'call-based tests need each input to be an argument list';
  } else if (!t.inputs.every((x) => typeof x === 'string') || !t.outputs.every((x) => typeof x === 'string')) {
    return 'stdin/stdout tests need string inputs and outputs';
  }
  return null;
}

const isCall = (t: CodeTests): t is CallTests => typeof (t as CallTests).fn_name === 'string';

function rewardOf(passed: number, total: number, mode: RewardMode): number {
  if (total === 0) return 0;
  return mode === 'binary' ? (passed === total ? 1 : 0) : passed / total;
}

function verdictOf(tests: TestVerdict[], total: number, mode: RewardMode, seconds: number, message?: string): Verdict {
  const passed = tests.filter((t) => t.status === 'passed').length;
  const first = tests.find((t) => t.status !== 'passed');
  const v: Verdict = {
    status: first?.status ?? (tests.length === total ? 'passed' : 'failed'),
    passed,
    total,
    reward: rewardOf(passed, total, mode),
    tests,
    seconds,
  };
  if (message !== undefined) v.message = message.slice(0, 2000);
  return v;
}

/** The status of one finished run, before its output is compared. */
function runStatus(r: JailedResult): { status: Status; detail: string } | null {
  switch (r.termination) {
    case 'wall_timeout':
      return { status: 'timeout', detail: 'wall-clock limit' };
    case 'cpu_timeout':
      return { status: 'timeout', detail: 'CPU-time limit' };
    case 'memory':
      return { status: 'memory', detail: 'memory limit (OOM kill)' };
    case 'output_limit':
      return { status: 'output_limit', detail: 'output cap (truncated)' };
    case 'exited':
      break;
    default: {
      const never: never = r.termination;
      throw new TypeError(`unknown termination ${String(never)}`);
    }
  }
  if (r.exitCode === 0) return null;
  const stderr = r.stderr.toString('utf8');
  if (/\bMemoryError\b|std::bad_alloc|JavaScript heap out of memory/.test(stderr)) {
    return { status: 'memory', detail: 'allocation failed' };
  }
  return { status: 'runtime_error', detail: `exit code ${r.exitCode}` };
}

/** Compares one finished run with the expected output of test `i`. */
function testStatus(
  r: JailedResult,
  tests: CodeTests,
  i: number,
  tolerance: number | null,
): { status: Status; detail?: string } {
  const early = runStatus(r);
  if (early) return early;
  const stdout = r.stdout.toString('utf8');
  if (!isCall(tests)) {
    const why = stdoutMismatch(stdout, tests.outputs[i]!, { floatTolerance: tolerance });
    return why === null ? { status: 'passed' } : { status: 'failed', detail: why };
  }
  let result: unknown;
  try {
    const parsed = JSON.parse(stdout.trim()) as unknown;
    if (parsed === null || typeof parsed !== 'object' || !Object.hasOwn(parsed, 'r1_result')) throw new Error();
    result = (parsed as { r1_result: unknown }).r1_result;
  } catch {
    return { status: 'runtime_error', detail: 'exited without returning a JSON-serialisable value' };
  }
  return callResultMatches(result, tests.outputs[i], tolerance)
    ? { status: 'passed' }
    : { status: 'failed', detail: 'wrong return value' };
}

/**
 * Judges `code` against `tests`. Never throws for anything the program does; a broken sandbox gives
 * `sandbox_error` (with `message` saying the fix) and bad options or tests throw a TypeError up front.
 *
 * @example
 * await judge('a, b = map(int, input().split())\nprint(a + b)', { inputs: ['1 2\n'], outputs: ['3\n'] })
 * // { status: 'passed', passed: 1, total: 1, reward: 1, tests: [{ index: 0, status: 'passed', seconds: 0.05 }], … }
 */
export async function judge(
  code: string | null,
  tests: CodeTests,
  options: Partial<JudgeOptions> = {},
): Promise<Verdict> {
  const o = resolveJudgeOptions(options);
  const problem = testsProblem(tests);
  if (problem !== null) throw new TypeError(`judge: ${problem}`);
  const total = tests.inputs.length;
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  if (code === null || code.trim() === '') {
    const v = verdictOf([], total, o.reward, 0, 'no code block found');
    v.status = 'no_code';
    return v;
  }

  let program: Prepared;
  try {
    const compiled = await o.pool.run(() => compileProgram(code, o.language, o.sandbox));
    if (!compiled.ok) {
      const v = verdictOf([], total, o.reward, elapsed(), compiled.stderr);
      v.status = 'compile_error';
      return v;
    }
    program = compiled.program;
  } catch (error) {
    return sandboxVerdict(error, total, o.reward, elapsed());
  }

  const deadline = started + o.budgetSeconds * 1000;
  const results: (TestVerdict | undefined)[] = new Array(total);
  let stopped: TestVerdict | null = null;
  let sandboxFailure: unknown = null;
  let message: string | undefined;
  const invocation = isCall(tests) ? ({ kind: 'call', fnName: tests.fn_name } as const) : ({ kind: 'stdio' } as const);

  await Promise.all(
    tests.inputs.map((input, i) =>
      o.pool.run(async () => {
        if (sandboxFailure !== null || (stopped !== null && o.earlyStop)) return;
        const left = (deadline - performance.now()) / 1000;
        if (left <= 0.05) {
          results[i] = { index: i, status: 'timeout', seconds: 0, detail: 'sample budget spent' };
          return;
        }
        const wall = Math.min(o.timeoutSeconds, left);
        const stdin = isCall(tests) ? JSON.stringify(input) : (input as string);
        let r: JailedResult;
        try {
          r = await runPrepared(
            program,
            invocation,
            stdin,
            { ...o.limits, wallSeconds: wall, cpuSeconds: o.limits.cpuSeconds ?? wall, memoryMb: o.memoryMb },
            o.sandbox,
          );
        } catch (error) {
          sandboxFailure ??= error;
          return;
        }
        const s = testStatus(r, tests, i, o.floatTolerance);
        const verdict: TestVerdict = { index: i, status: s.status, seconds: Math.round(r.wallSeconds * 1000) / 1000 };
        if (s.detail !== undefined) verdict.detail = s.detail;
        if (s.status === 'runtime_error' && message === undefined) message = r.stderr.toString('utf8').slice(-2000);
        results[i] = verdict;
        if (s.status !== 'passed' && (stopped === null || i < stopped.index)) stopped = verdict;
      }),
    ),
  );
  if (sandboxFailure !== null) return sandboxVerdict(sandboxFailure, total, o.reward, elapsed());
  const done = results.filter((r): r is TestVerdict => r !== undefined);
  return verdictOf(done, total, o.reward, elapsed(), message);
}

function sandboxVerdict(error: unknown, total: number, mode: RewardMode, seconds: number): Verdict {
  const v = verdictOf([], total, mode, seconds, error instanceof Error ? error.message : String(error));
  v.status = 'sandbox_error';
  v.reward = 0;
  if (!(error instanceof SandboxUnavailableError) && v.message !== undefined)
    v.message = `internal error: ${v.message}`;
  return v;
}
