/**
 * One jailed process, start to verified end. A fresh cgroup with the limits; a bash launcher, started as user 65534
 * when this process is root (Node drops the groups, then the gid and uid, before the exec; bwrap adds no-new-privs),
 * waits on fd 3 until this process has written its pid into the cgroup, then closes every descriptor it inherited
 * beyond its own (Node passes on whatever its parent leaked), sets the per-process CPU rlimit and `exec`s `bwrap`.
 * So nothing of the run is ever outside the cgroup, and outside the jail it is user 65534, not root. bwrap reports
 * the child's pid and exit code on the same fd (`--json-status-fd`). Files arrive through pipes on fds 4…, stdin is
 * the input or /dev/null.
 *
 * Ends: the program exits; the wall clock runs out (SIGTERM, a short grace, then SIGKILL to the whole cgroup); an
 * output stream passes its cap (SIGKILL). Every time, afterwards: the cgroup is killed and must be empty and removed,
 * or the run throws — a daemon that survived is a sandbox failure, never a verdict.
 *
 * Deliberately not here: languages (run-program.ts) and verdicts (judge.ts).
 */
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { type CgroupBackend, type DetectOptions, detectCgroups, type RunCgroup } from './cgroup';
import { SandboxUnavailableError } from './errors';
import { bwrapCommand, findHostTools, type HostTools, JAIL_UID, type JailSpec } from './jail';
import type { RunLimits } from './limits';

/** How a jailed run ended. */
export type Termination =
  /** It exited by itself (any exit code) or was killed by a signal it caused. */
  | 'exited'
  /** The wall-clock limit ran out. */
  | 'wall_timeout'
  /** The CPU-time limit ran out. */
  | 'cpu_timeout'
  /** The OOM killer fired in its cgroup. */
  | 'memory'
  /** stdout or stderr passed the output cap. */
  | 'output_limit';

export interface JailedResult {
  termination: Termination;
  /** Exit code of the program (128 + signal when a signal killed it), null when we killed it. */
  exitCode: number | null;
  stdout: Buffer;
  stderr: Buffer;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  wallSeconds: number;
  /** CPU time of every process of the run, from the cgroup (null when not accounted). */
  cpuSeconds: number | null;
  peakMemoryBytes: number | null;
}

/** The host side of the sandbox: the tools and the cgroup backend, found once. */
export interface SandboxHost {
  tools: HostTools;
  cgroups: CgroupBackend;
}

export type HostOptions = DetectOptions;

let cached: SandboxHost | null = null;

/**
 * The sandbox host, found once per process (options other than the defaults make a fresh one each call). Throws a
 * SandboxUnavailableError with the fix when bwrap, bash or a usable cgroup is missing: there is no fallback.
 */
export function sandboxHost(options: HostOptions = {}): SandboxHost {
  const custom = Object.keys(options).length > 0;
  if (!custom && cached !== null) return cached;
  const host = { tools: findHostTools(), cgroups: detectCgroups(options) };
  if (!custom) cached = host;
  return host;
}

const FIRST_FILE_FD = 4;
const STATUS_FD = 3;
/** The byte that lets the launcher go on, once it is in the cgroup. */
const GO = 'g';
/** The launcher's exit code when its fd 3 closed before the go byte (this process failed to move it). */
const NOT_JOINED_EXIT = 125;

class Capped {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(
    private readonly cap: number,
    private readonly onOverflow: () => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.truncated) return;
    const room = this.cap - this.size;
    if (chunk.length > room) {
      this.chunks.push(chunk.subarray(0, room));
      this.size = this.cap;
      this.truncated = true;
      this.onOverflow();
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  value(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function writeAll(stream: Writable | null | undefined, data: string | Buffer | null): void {
  if (!stream) return;
  // A program that never reads its stdin (or exits first) closes the pipe: EPIPE is expected, not an error.
  stream.on('error', () => {});
  if (data !== null && data.length > 0) stream.end(data);
  else stream.end();
}

function closed(stream: Readable | null | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!stream || stream.destroyed) return resolve();
    stream.once('close', () => resolve());
  });
}

/**
 * Runs `spec` in the jail with `limits`, feeding `stdin` (null: /dev/null).
 *
 * @example
 * const r = await runJailed({ argv: ['/usr/bin/python3', '-c', 'print(1)'], files: [], tmpBytes: 1 << 26, workBytes: 1 << 26 }, null, resolveRunLimits());
 * r.stdout.toString() // '1\n'
 */
export async function runJailed(
  spec: JailSpec,
  stdin: string | Buffer | null,
  limits: RunLimits,
  host: SandboxHost = sandboxHost(),
): Promise<JailedResult> {
  const cg: RunCgroup = host.cgroups.create({
    memoryBytes: limits.memoryMb * 1024 * 1024,
    pids: limits.pids,
    cpuCores: limits.cpuCores,
  });
  try {
    return await runIn(cg, spec, stdin, limits, host);
  } finally {
    const empty = await cg.destroy();
    if (!empty) {
      // biome-ignore lint/correctness/noUnsafeFinally: a cgroup that will not empty must fail the run, whatever it gave.
      throw new SandboxUnavailableError(
        `cgroup ${cg.name} still holds processes (${cg.pids().join(', ')}) after SIGKILL`,
        'This is a bug or a kernel problem; the run is not trusted. Report it with the program that did it',
      );
    }
  }
}

async function runIn(
  cg: RunCgroup,
  spec: JailSpec,
  stdin: string | Buffer | null,
  limits: RunLimits,
  host: SandboxHost,
): Promise<JailedResult> {
  const { tools } = host;
  const bwrap = bwrapCommand(tools.bwrap, spec, FIRST_FILE_FD);
  bwrap.splice(1, 0, '--json-status-fd', String(STATUS_FD));
  const cpu = Math.max(1, Math.ceil(limits.cpuSeconds));
  const lastFd = FIRST_FILE_FD + spec.files.length - 1;
  const closeInherited = `for f in /proc/$$/fd/*; do n=\${f##*/}; if [ "$n" -gt ${lastFd} ]; then { exec {n}>&-; } 2>/dev/null; fi; done`;
  // Nothing runs before the go byte: by then this process has put the launcher's pid into every hierarchy.
  const script =
    `IFS= read -r -n 1 go <&${STATUS_FD} && [ "$go" = ${GO} ] || exit ${NOT_JOINED_EXIT}; ` +
    `${closeInherited}; ulimit -t ${cpu} && exec "$@"`;
  const started = performance.now();
  const child = spawn(tools.bash, ['-c', script, 'r1-sandbox', ...bwrap], {
    stdio: [stdin === null ? 'ignore' : 'pipe', 'pipe', 'pipe', 'pipe', ...spec.files.map(() => 'pipe' as const)],
    env: { PATH: '/usr/bin:/bin' },
    // Root drops to the jail's user outside the jail too (otherwise the jail's 65534 maps to host root); anyone
    // else is already unprivileged and cannot change uid.
    ...(process.getuid?.() === 0 ? { uid: JAIL_UID, gid: JAIL_UID } : {}),
  });
  const statusPipe = child.stdio[STATUS_FD] as Readable & Writable;
  let joinError: string | null = null;
  if (child.pid !== undefined) {
    try {
      cg.join(child.pid);
      statusPipe.write(GO);
    } catch (e) {
      joinError = (e as Error).message;
      child.kill('SIGKILL');
    }
  }

  let termination: Termination = 'exited';
  let killing: Promise<void> | null = null;
  const killAll = (why: Termination) => {
    if (termination === 'exited') termination = why;
    killing ??= cg.kill(child.pid);
  };
  const stdout = new Capped(limits.outputBytes, () => killAll('output_limit'));
  const stderr = new Capped(limits.outputBytes, () => killAll('output_limit'));
  child.stdout!.on('data', (c: Buffer) => stdout.push(c));
  child.stderr!.on('data', (c: Buffer) => stderr.push(c));
  let status = '';
  statusPipe.on('error', () => {});
  statusPipe.on('data', (c: Buffer) => {
    if (status.length < 4096) status += c.toString('utf8');
  });
  for (const [i, file] of spec.files.entries()) writeAll(child.stdio[FIRST_FILE_FD + i] as Writable, file.data);
  if (stdin !== null) writeAll(child.stdin, stdin);

  let graceTimer: NodeJS.Timeout | undefined;
  const wallTimer = setTimeout(() => {
    if (termination !== 'exited') return;
    termination = 'wall_timeout';
    cg.terminate(child.pid);
    graceTimer = setTimeout(() => {
      killing ??= cg.kill(child.pid);
    }, limits.graceMs);
  }, limits.wallSeconds * 1000);

  const exit = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, error }));
    child.once('exit', (code) => resolve({ code }));
  });
  clearTimeout(wallTimer);
  clearTimeout(graceTimer);
  const wallSeconds = (performance.now() - started) / 1000;
  // What the run used, read before the cgroup goes; then anything left (a daemon holding the pipes) is killed.
  const cpuSeconds = cg.cpuSeconds();
  const oomKills = cg.oomKills();
  const peakMemoryBytes = cg.peakMemoryBytes();
  await killing;
  await cg.kill();
  await Promise.race([
    Promise.all([closed(child.stdout), closed(child.stderr), closed(statusPipe)]),
    new Promise((resolve) => setTimeout(resolve, 2000)),
  ]);
  if (exit.error) throw new SandboxUnavailableError(`cannot start ${tools.bash}: ${exit.error.message}`, 'Check bash');

  if (joinError !== null) {
    throw new SandboxUnavailableError(
      `could not move the launcher into cgroup ${cg.name}: ${joinError}`,
      `Check that ${host.cgroups.describe()} is writable by this process`,
    );
  }
  const reports = parseStatus(status);
  if (reports.childPid === null && termination === 'exited') {
    throw new SandboxUnavailableError(
      `bubblewrap could not set up the jail: ${stderr.value().toString('utf8').slice(0, 500)}`,
      'Check that unprivileged user namespaces are enabled (sysctl user.max_user_namespaces > 0; on Ubuntu ≥ 23.10 ' +
        'also kernel.apparmor_restrict_unprivileged_userns=0) and that bwrap ≥ 0.5 is installed',
    );
  }
  if (termination === 'exited' && oomKills > 0) termination = 'memory';
  if (termination === 'exited' && cpuSeconds !== null && cpuSeconds > limits.cpuSeconds) termination = 'cpu_timeout';
  return {
    termination,
    exitCode: termination === 'exited' || termination === 'memory' ? (reports.exitCode ?? exit.code) : null,
    stdout: stdout.value(),
    stderr: stderr.value(),
    stdoutTruncated: stdout.truncated,
    stderrTruncated: stderr.truncated,
    wallSeconds,
    cpuSeconds,
    peakMemoryBytes,
  };
}

/** The JSON objects bwrap writes on the status fd: `child-pid`, then `exit-code`. */
function parseStatus(text: string): { childPid: number | null; exitCode: number | null } {
  const out = { childPid: null as number | null, exitCode: null as number | null };
  for (const part of text.split('\n')) {
    for (const m of part.matchAll(/\{[^{}]*\}/g)) {
      try {
        const o = JSON.parse(m[0]) as Record<string, unknown>;
        if (typeof o['child-pid'] === 'number') out.childPid = o['child-pid'];
        if (typeof o['exit-code'] === 'number') out.exitCode = o['exit-code'];
      } catch {}
    }
  }
  return out;
}
