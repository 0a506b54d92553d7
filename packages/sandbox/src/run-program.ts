/**
 * Programs in a language, in the jail: `compileProgram` (C++ only; interpreted languages pass through),
 * `runPrepared` (one run of a prepared program), and `runProgram`, the two together for one input.
 *
 * Deliberately not here: test cases and verdicts (judge.ts).
 */
import {
  compileSpec,
  defaultToolchain,
  type Invocation,
  type Language,
  type Prepared,
  runSpec,
  type Toolchain,
} from './languages';
import { DEFAULT_COMPILE_LIMITS, type RunLimits, resolveRunLimits } from './limits';
import {
  type HostOptions,
  type JailedResult,
  runJailed,
  type SandboxHost,
  sandboxHost,
  type Termination,
} from './run-jailed';

export interface SandboxOptions {
  /** Host paths of python3, g++ and node (defaults: found under /usr/bin). */
  toolchain?: Partial<Toolchain>;
  /** Extra host directories bound read-only into the jail (an interpreter outside /usr needs its prefix here). */
  extraBinds?: readonly string[];
  /** Limits of the C++ compile jail. Default: 30 s, 2 GiB, 64 MiB output (the binary). */
  compileLimits?: Partial<RunLimits>;
  /** Cgroup choice (version, v2 root); default: detected once. */
  host?: HostOptions;
}

export interface ProgramResult {
  /** How it ended; 'compile_error' when a C++ program did not compile (or its compiler hit a limit). */
  termination: Termination | 'compile_error';
  exitCode: number | null;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  wallSeconds: number;
  cpuSeconds: number | null;
  peakMemoryBytes: number | null;
}

export type CompileOutcome =
  | { ok: true; program: Prepared; seconds: number }
  | { ok: false; stderr: string; seconds: number; termination: Termination | 'exited' };

interface Resolved {
  toolchain: Toolchain;
  extraBinds: readonly string[];
  host: SandboxHost;
}

function resolveOptions(options: SandboxOptions): Resolved {
  return {
    toolchain: { ...defaultToolchain(), ...options.toolchain },
    extraBinds: options.extraBinds ?? [],
    host: sandboxHost(options.host),
  };
}

const MiB = 1024 * 1024;

function withSizes(spec: ReturnType<typeof runSpec>, limits: RunLimits) {
  return { ...spec, tmpBytes: limits.tmpMb * MiB, workBytes: limits.tmpMb * MiB };
}

/** Compiles C++ in its own jail; other languages are ready as they are. */
export async function compileProgram(
  source: string,
  language: Language,
  options: SandboxOptions = {},
): Promise<CompileOutcome> {
  if (language !== 'cpp') return { ok: true, program: { language, source }, seconds: 0 };
  const o = resolveOptions(options);
  const limits = resolveRunLimits(options.compileLimits, DEFAULT_COMPILE_LIMITS);
  const r = await runJailed(withSizes(compileSpec(source, o.toolchain, o.extraBinds), limits), null, limits, o.host);
  if (r.termination === 'exited' && r.exitCode === 0 && r.stdout.length > 0) {
    return { ok: true, program: { language, source, binary: r.stdout }, seconds: r.wallSeconds };
  }
  return { ok: false, stderr: r.stderr.toString('utf8'), seconds: r.wallSeconds, termination: r.termination };
}

/** Runs a prepared program once, on `input` (null: stdin is /dev/null). */
export async function runPrepared(
  program: Prepared,
  invocation: Invocation,
  input: string | null,
  limits: Partial<RunLimits> = {},
  options: SandboxOptions = {},
): Promise<JailedResult> {
  const o = resolveOptions(options);
  const l = resolveRunLimits(limits);
  return runJailed(withSizes(runSpec(program, invocation, o.toolchain, o.extraBinds), l), input, l, o.host);
}

/**
 * Runs one program on one input in the jail (compiling it first for C++). Throws SandboxUnavailableError when the
 * sandbox cannot be set up or cleaned up; never runs anything unsandboxed.
 *
 * @example
 * const r = await runProgram('print(int(input()) * 2)', 'python', '21\n', { wallSeconds: 2 });
 * r.termination // 'exited'; r.stdout // '42\n'
 */
export async function runProgram(
  source: string,
  language: Language,
  input: string | null,
  limits: Partial<RunLimits> = {},
  options: SandboxOptions = {},
): Promise<ProgramResult> {
  const compiled = await compileProgram(source, language, options);
  if (!compiled.ok) {
    return {
      termination: 'compile_error',
      exitCode: null,
      stdout: '',
      stderr: compiled.stderr,
      stdoutTruncated: false,
      stderrTruncated: false,
      wallSeconds: compiled.seconds,
      cpuSeconds: null,
      peakMemoryBytes: null,
    };
  }
  const r = await runPrepared(compiled.program, { kind: 'stdio' }, input, limits, options);
  return {
    ...r,
    stdout: r.stdout.toString('utf8'),
    stderr: r.stderr.toString('utf8'),
    wallSeconds: r.wallSeconds + compiled.seconds,
  };
}
