/**
 * The bubblewrap command line of one jailed run, and finding the tools it needs on the host. The jail: every
 * namespace unshared (network included — not even loopback), an unprivileged user outside (65534 when started by
 * root) and inside, no capabilities, no nested user namespaces, `--die-with-parent` with its own PID namespace,
 * `--new-session`, a read-only root made of `/usr` and its `/bin` `/lib*` `/sbin` links, a fresh `/proc` and `/dev`,
 * size-capped tmpfs `/tmp` and working directory `/work`, no `/etc` (but the linker cache), no host home, and a
 * fixed environment. Files reach the jail through pipes (`--ro-bind-data FD`), so nothing is written to host disk.
 *
 * Deliberately not here: limits (cgroup.ts) and process handling (run-program.ts).
 */
import { accessSync, constants, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { SandboxUnavailableError } from './errors';

/** Where the program runs inside the jail. */
export const WORK_DIR = '/work';

/** The whole environment of a jailed program. */
export const JAIL_ENV: Readonly<Record<string, string>> = Object.freeze({
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HOME: WORK_DIR,
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  TMPDIR: '/tmp',
});

/** The unprivileged user the jail runs as, outside and inside. */
export const JAIL_UID = 65534;

/** A file placed in the jail, read-only, from a pipe. */
export interface JailFile {
  /** Absolute path inside the jail (under /work or /tmp). */
  path: string;
  data: string | Buffer;
  /** File mode, default 0o444 (0o555 for binaries). */
  mode?: number;
}

export interface JailSpec {
  /** The command inside the jail; argv[0] an absolute path under a read-only bind. */
  argv: string[];
  files: JailFile[];
  /** Size caps of the two tmpfs mounts, in bytes. */
  tmpBytes: number;
  workBytes: number;
  /** Extra host directories bound read-only at the same path (e.g. an interpreter outside /usr). */
  extraBinds?: readonly string[];
}

/** The top-level host paths the read-only root is made of (a symlink stays a symlink). */
const ROOT_PATHS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

function rootArgs(extra: readonly string[]): string[] {
  const args: string[] = [];
  for (const path of ROOT_PATHS) {
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(path);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) args.push('--symlink', readlinkSync(path), path);
    else if (st.isDirectory()) args.push('--ro-bind', path, path);
  }
  for (const path of extra) args.push('--ro-bind', path, path);
  // The dynamic linker's cache: not a secret, and it saves each exec a directory search.
  args.push('--ro-bind-try', '/etc/ld.so.cache', '/etc/ld.so.cache');
  return args;
}

/**
 * The bwrap arguments for `spec`; file i is read from fd `firstFd + i`. The result is `[bwrap, ...args]` ready to be
 * exec'd after the launcher has joined the cgroup.
 */
export function bwrapCommand(bwrap: string, spec: JailSpec, firstFd: number): string[] {
  const args = [
    bwrap,
    '--unshare-all',
    '--unshare-user',
    '--uid',
    String(JAIL_UID),
    '--gid',
    String(JAIL_UID),
    '--disable-userns',
    '--hostname',
    'sandbox',
    '--die-with-parent',
    '--new-session',
    // No reaper: the program is pid 1 and bwrap's own child, so bwrap reaps it (an intermediate reaper outlived bwrap
    // as a zombie here). Orphans a program leaves die with it: the kernel kills a PID namespace whose init exits.
    '--as-pid-1',
    '--cap-drop',
    'ALL',
    ...rootArgs(spec.extraBinds ?? []),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--perms',
    '1777',
    '--size',
    String(Math.floor(spec.tmpBytes)),
    '--tmpfs',
    '/tmp',
    '--perms',
    '0755',
    '--size',
    String(Math.floor(spec.workBytes)),
    '--tmpfs',
    WORK_DIR,
  ];
  spec.files.forEach((file, i) => {
    args.push('--perms', (file.mode ?? 0o444).toString(8).padStart(4, '0'), '--ro-bind-data', String(firstFd + i));
    args.push(file.path);
  });
  args.push('--remount-ro', '/', '--chdir', WORK_DIR, '--clearenv');
  for (const [k, v] of Object.entries(JAIL_ENV)) args.push('--setenv', k, v);
  args.push('--', ...spec.argv);
  return args;
}

/** The first executable named `name` on PATH (or at the usual system places), or null. */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | null {
  const dirs = [...path.split(delimiter).filter(Boolean), '/usr/bin', '/bin', '/usr/sbin', '/usr/local/bin'];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return null;
}

/** The tools the launcher needs on the host: bwrap and bash. */
export interface HostTools {
  bwrap: string;
  bash: string;
}

export function findHostTools(): HostTools {
  const bwrap = findExecutable('bwrap');
  if (bwrap === null) {
    throw new SandboxUnavailableError(
      'bubblewrap (bwrap) is not installed',
      'Install it: `apt-get install bubblewrap` (Debian/Ubuntu), `dnf install bubblewrap` (Fedora)',
    );
  }
  // bash, not sh: the launcher closes every inherited descriptor above its own (dash cannot name fds above 9).
  const bash = findExecutable('bash');
  if (bash === null) throw new SandboxUnavailableError('bash is not installed', 'Install it: `apt-get install bash`');
  return { bwrap, bash };
}

/** An interpreter or compiler as a real path the read-only root contains, or a SandboxUnavailableError. */
export function jailExecutable(path: string, what: string, extraBinds: readonly string[] = []): string {
  let real: string;
  try {
    real = realpathSync(path);
    accessSync(real, constants.X_OK);
  } catch {
    throw new SandboxUnavailableError(`${what} (${path}) is not installed`, `Install it, or pass its path in options`);
  }
  const roots = ['/usr/', ...extraBinds.map((b) => `${b.replace(/\/$/, '')}/`)];
  if (!roots.some((r) => real.startsWith(r))) {
    throw new SandboxUnavailableError(
      `${what} resolves to ${real}, outside the jail's read-only root (/usr)`,
      `Pass its install directory in extraBinds, or use a system ${what} under /usr`,
    );
  }
  return real;
}
