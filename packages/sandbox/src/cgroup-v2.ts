/**
 * cgroup v2: one unified hierarchy. Run cgroups are made under a delegated root — R1_SANDBOX_CGROUP, or this
 * process's own cgroup — whose `cgroup.subtree_control` must enable memory and pids (we try to enable them, which
 * the kernel refuses while the root itself holds processes: the no-internal-process rule). Limits: `memory.max`,
 * `memory.swap.max 0`, `pids.max`, `cpu.max`. Killing: `cgroup.kill` (kernel ≥ 5.14), else freeze + SIGKILL.
 *
 * Exercised here only by unit tests on a fake tree (this project's machines are cgroup v1); see the README.
 */
import type { CgroupBackend, CgroupLimits, RunCgroup } from './cgroup';
import {
  type CgroupFs,
  mountsOfType,
  nextCgroupName,
  ownCgroupPrefix,
  readKeyed,
  readNumber,
  readPids,
  sleep,
} from './cgroup-fs';

const REQUIRED = ['memory', 'pids'];

/** Finds the v2 root to make run cgroups under, and whether it can have memory + pids children. */
export function findV2Root(
  mounts: string,
  selfCgroup: string,
  fs: CgroupFs,
  root: string | undefined,
): { usable: true; dir: string } | { usable: false; reason: string } {
  let dir = root;
  if (dir === undefined) {
    const mount = mountsOfType(mounts, 'cgroup2')[0]?.[0];
    if (mount === undefined) return { usable: false, reason: 'no cgroup2 filesystem mounted' };
    const own = /^0::(.*)$/m.exec(selfCgroup)?.[1]?.trim() ?? '/';
    dir = `${mount}${own === '/' ? '' : own}`;
  }
  let controllers: string[];
  try {
    controllers = fs.read(`${dir}/cgroup.controllers`).trim().split(/\s+/);
  } catch {
    return { usable: false, reason: `${dir} is not a cgroup v2 directory (no cgroup.controllers)` };
  }
  const missing = REQUIRED.filter((c) => !controllers.includes(c));
  if (missing.length > 0) {
    return { usable: false, reason: `controllers ${missing.join(', ')} are not available in ${dir}` };
  }
  const wanted = [...REQUIRED, ...(controllers.includes('cpu') ? ['cpu'] : [])];
  const enabled = () => fs.read(`${dir}/cgroup.subtree_control`).trim().split(/\s+/);
  try {
    const now = enabled();
    const toEnable = wanted.filter((c) => !now.includes(c));
    if (toEnable.length > 0) fs.write(`${dir}/cgroup.subtree_control`, toEnable.map((c) => `+${c}`).join(' '));
    const after = enabled();
    const still = REQUIRED.filter((c) => !after.includes(c));
    if (still.length > 0) throw new Error(`${still.join(', ')} still not enabled`);
  } catch (error) {
    return {
      usable: false,
      reason:
        `cannot enable memory and pids for children of ${dir} (${error instanceof Error ? error.message : String(error)}; ` +
        'a cgroup that holds processes cannot delegate controllers)',
    };
  }
  return { usable: true, dir };
}

export class CgroupV2Backend implements CgroupBackend {
  readonly version = 2 as const;

  constructor(
    private readonly root: string,
    private readonly fs: CgroupFs,
  ) {}

  describe(): string {
    return `cgroup v2 (${this.root})`;
  }

  create(limits: CgroupLimits): RunCgroup {
    const name = nextCgroupName();
    const dir = `${this.root}/${name}`;
    this.fs.mkdir(dir);
    try {
      this.fs.write(`${dir}/memory.max`, String(Math.floor(limits.memoryBytes)));
      if (this.fs.exists(`${dir}/memory.swap.max`)) this.fs.write(`${dir}/memory.swap.max`, '0');
      this.fs.write(`${dir}/pids.max`, String(Math.floor(limits.pids)));
      if (this.fs.exists(`${dir}/cpu.max`)) {
        const period = 100_000;
        this.fs.write(`${dir}/cpu.max`, `${Math.max(1000, Math.round(limits.cpuCores * period))} ${period}`);
      }
    } catch (error) {
      try {
        this.fs.rmdir(dir);
      } catch {}
      throw error;
    }
    return new RunCgroupV2(name, dir, this.fs);
  }

  leftovers(): string[] {
    const prefix = ownCgroupPrefix();
    try {
      return this.fs
        .list(this.root)
        .filter((e) => e.startsWith(prefix))
        .map((e) => `${this.root}/${e}`);
    } catch {
      return [];
    }
  }
}

export class RunCgroupV2 implements RunCgroup {
  readonly version = 2 as const;
  readonly procsFiles: readonly string[];

  constructor(
    readonly name: string,
    private readonly dir: string,
    private readonly fs: CgroupFs,
  ) {
    this.procsFiles = [`${dir}/cgroup.procs`];
  }

  join(pid: number): void {
    for (const file of this.procsFiles) this.fs.write(file, String(pid));
  }

  pids(): number[] {
    return readPids(this.fs, `${this.dir}/cgroup.procs`);
  }

  cpuSeconds(): number | null {
    const us = readKeyed(this.fs, `${this.dir}/cpu.stat`, 'usage_usec');
    return us === null ? null : us / 1e6;
  }

  oomKills(): number {
    return readKeyed(this.fs, `${this.dir}/memory.events`, 'oom_kill') ?? 0;
  }

  peakMemoryBytes(): number | null {
    return readNumber(this.fs, `${this.dir}/memory.peak`);
  }

  terminate(spare?: number): void {
    for (const pid of this.pids()) if (pid !== spare) this.fs.kill(pid, 'SIGTERM');
  }

  async kill(spare?: number, deadline = Date.now() + 1000): Promise<void> {
    // An empty cgroup stays empty (see the v1 backend): nothing to freeze or kill.
    if (this.pids().length === 0) return;
    // cgroup.kill cannot spare one process; with a pid to spare, freeze and kill the others one by one.
    if (spare === undefined && this.fs.exists(`${this.dir}/cgroup.kill`)) {
      this.fs.write(`${this.dir}/cgroup.kill`, '1');
    } else {
      await this.setFrozen(true, deadline);
      for (const pid of this.pids()) if (pid !== spare) this.fs.kill(pid, 'SIGKILL');
      await this.setFrozen(false, deadline);
    }
  }

  async destroy(timeoutMs = 3000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    await this.kill(undefined, deadline);
    while (this.pids().length > 0 || readKeyed(this.fs, `${this.dir}/cgroup.events`, 'populated') === 1) {
      if (Date.now() > deadline) return false;
      for (const pid of this.pids()) this.fs.kill(pid, 'SIGKILL');
      await sleep(2);
    }
    for (;;) {
      try {
        this.fs.rmdir(this.dir);
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
        if (Date.now() > deadline) return false;
        await sleep(2);
      }
    }
  }

  private async setFrozen(frozen: boolean, deadline: number): Promise<void> {
    try {
      this.fs.write(`${this.dir}/cgroup.freeze`, frozen ? '1' : '0');
      while (readKeyed(this.fs, `${this.dir}/cgroup.events`, 'frozen') !== (frozen ? 1 : 0)) {
        if (Date.now() > deadline) return;
        await sleep(1);
      }
    } catch {}
  }
}
