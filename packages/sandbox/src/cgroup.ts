/**
 * One cgroup per jailed run, on cgroup v2 or v1, behind one interface: create it with limits (memory without swap,
 * pids, CPU bandwidth), read what the run used, and destroy it — kill everything in it and verify it is empty.
 * `detectCgroups` picks the version this machine has and fails closed (SandboxUnavailableError with the fix) when
 * neither is usable.
 *
 * Deliberately not here: starting processes (run-program.ts puts the launcher into the cgroup itself).
 */
import { readFileSync } from 'node:fs';
import { type CgroupFs, REAL_CGROUP_FS } from './cgroup-fs';
import { CgroupV1Backend, findV1Hierarchies } from './cgroup-v1';

export { mountsOfType, nextCgroupName, ownCgroupPrefix } from './cgroup-fs';

import { CgroupV2Backend, findV2Root } from './cgroup-v2';
import { SandboxUnavailableError } from './errors';

export type CgroupVersion = 1 | 2;

export interface CgroupLimits {
  /** Memory limit in bytes, swap included (no swap is allowed). */
  memoryBytes: number;
  /** Maximum number of processes and threads. */
  pids: number;
  /** CPU bandwidth in cores (1 = one full core). */
  cpuCores: number;
}

/** The cgroup of one run. */
export interface RunCgroup {
  readonly version: CgroupVersion;
  /** Directory name, `r1-sbx-<pid of this process>-<n>`, the same in every hierarchy. */
  readonly name: string;
  /** Its `cgroup.procs` files (one per v1 hierarchy; one on v2). */
  readonly procsFiles: readonly string[];
  /** Moves process `pid` into it, in every hierarchy (throws with the errno when a write fails). */
  join(pid: number): void;
  /** Host pids now in the cgroup. */
  pids(): number[];
  /** CPU time used by everything that ran in it, in seconds (null if the machine does not account it). */
  cpuSeconds(): number | null;
  /** How many times the OOM killer fired in it. */
  oomKills(): number;
  /** Peak memory use in bytes, when the kernel reports it. */
  peakMemoryBytes(): number | null;
  /** SIGTERM to everything in it (the grace before `kill`). */
  terminate(spare?: number): void;
  /**
   * SIGKILL to everything in it but `spare`, now (the cgroup stays, so what it used can still be read). Sparing the
   * outer bwrap lets it reap its child; killed together, the child outlives it as a zombie of the host's init.
   */
  kill(spare?: number): Promise<void>;
  /**
   * SIGKILLs everything in it, waits until it is empty in every hierarchy and removes it. Resolves to true when it
   * emptied and was removed within `timeoutMs`; false means processes may have survived (a sandbox error).
   */
  destroy(timeoutMs?: number): Promise<boolean>;
}

export interface CgroupBackend {
  readonly version: CgroupVersion;
  /** Where run cgroups are made, for messages. */
  describe(): string;
  create(limits: CgroupLimits): RunCgroup;
  /** Names of this process's run cgroups that still exist (tests assert there are none). */
  leftovers(): string[];
}

export interface DetectOptions {
  /** Force a version instead of detecting it. */
  version?: CgroupVersion;
  /** cgroup v2: the delegated cgroup to create run cgroups under (default: env R1_SANDBOX_CGROUP, else our own). */
  root?: string;
  /** File operations (tests pass a fake tree). */
  fs?: CgroupFs;
  /** Contents of /proc/self/mounts and /proc/self/cgroup (tests pass their own). */
  mounts?: string;
  selfCgroup?: string;
}

export const V2_FIX =
  'On cgroup v2, run under a delegated cgroup whose cgroup.subtree_control lists memory and pids — e.g. ' +
  '`systemd-run --user --scope -p Delegate=yes -- bash`, then create a child (`mkdir $CG/r1`), move the shell into ' +
  'a sibling leaf, `echo "+memory +pids +cpu" > $CG/r1/cgroup.subtree_control` — and set R1_SANDBOX_CGROUP=$CG/r1';

/** The cgroup backend of this machine; throws SandboxUnavailableError (with the fix) when there is none. */
export function detectCgroups(options: DetectOptions = {}): CgroupBackend {
  const fs = options.fs ?? REAL_CGROUP_FS;
  const mounts = options.mounts ?? readFileSync('/proc/self/mounts', 'utf8');
  const selfCgroup = options.selfCgroup ?? readFileSync('/proc/self/cgroup', 'utf8');
  const root = options.root ?? process.env.R1_SANDBOX_CGROUP;
  const v2 = options.version === 1 ? null : findV2Root(mounts, selfCgroup, fs, root);
  if (v2 !== null && (options.version === 2 || v2.usable || root !== undefined)) {
    if (!v2.usable) throw new SandboxUnavailableError(v2.reason, V2_FIX);
    return new CgroupV2Backend(v2.dir, fs);
  }
  const v1 = findV1Hierarchies(mounts, selfCgroup, fs);
  if (v1.usable) return new CgroupV1Backend(v1.dirs, fs);
  if (options.version === 1) {
    throw new SandboxUnavailableError(v1.reason, 'Mount the cgroup v1 memory and pids hierarchies, or use cgroup v2');
  }
  const why2 = v2 !== null && !v2.usable ? v2.reason : 'not tried';
  throw new SandboxUnavailableError(`no usable cgroup (v2: ${why2}; v1: ${v1.reason})`, V2_FIX);
}
