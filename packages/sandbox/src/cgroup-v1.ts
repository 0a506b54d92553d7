/**
 * cgroup v1: one directory per controller hierarchy (`/sys/fs/cgroup/memory/…`, `/sys/fs/cgroup/pids/…`, …), each
 * made beside this process's own cgroup in that hierarchy. Memory and pids are required; cpu (bandwidth), cpuacct
 * (CPU time) and freezer (race-free killing) are used when mounted. This is the version this project's machines run
 * and the one the adversarial suite exercised.
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

const REQUIRED = ['memory', 'pids'] as const;
const OPTIONAL = ['cpu', 'cpuacct', 'freezer'] as const;
type Controller = (typeof REQUIRED)[number] | (typeof OPTIONAL)[number];

/** Controller → the directory of this process's cgroup in that controller's hierarchy. */
export type V1Dirs = Partial<Record<Controller, string>>;

export function findV1Hierarchies(
  mounts: string,
  selfCgroup: string,
  fs: CgroupFs,
): { usable: true; dirs: V1Dirs } | { usable: false; reason: string } {
  const ownPath = new Map<string, string>();
  for (const line of selfCgroup.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line.trim());
    if (m) for (const c of m[1]!.split(',')) ownPath.set(c, m[2]!);
  }
  const dirs: V1Dirs = {};
  for (const [mountpoint, options] of mountsOfType(mounts, 'cgroup')) {
    for (const c of [...REQUIRED, ...OPTIONAL]) {
      if (!options.includes(c) || dirs[c] !== undefined) continue;
      const own = ownPath.get(c) ?? '/';
      const dir = `${mountpoint}${own === '/' ? '' : own}`;
      if (fs.exists(`${dir}/cgroup.procs`)) dirs[c] = dir;
    }
  }
  const missing = REQUIRED.filter((c) => dirs[c] === undefined);
  if (missing.length > 0) return { usable: false, reason: `no cgroup v1 ${missing.join(' or ')} hierarchy mounted` };
  return { usable: true, dirs };
}

export class CgroupV1Backend implements CgroupBackend {
  readonly version = 1 as const;

  constructor(
    private readonly dirs: V1Dirs,
    private readonly fs: CgroupFs,
  ) {}

  describe(): string {
    return `cgroup v1 (${Object.entries(this.dirs)
      .map(([c, d]) => `${c} ${d}`)
      .join(', ')})`;
  }

  create(limits: CgroupLimits): RunCgroup {
    const name = nextCgroupName();
    const made: string[] = [];
    const at = (c: Controller) => (this.dirs[c] === undefined ? undefined : `${this.dirs[c]}/${name}`);
    try {
      // One directory per distinct hierarchy (cpu and cpuacct are often one mount).
      const unique = [...new Set(Object.values(this.dirs))];
      for (const dir of unique) {
        this.fs.mkdir(`${dir}/${name}`);
        made.push(`${dir}/${name}`);
      }
      const memory = at('memory')!;
      const bytes = String(Math.floor(limits.memoryBytes));
      this.fs.write(`${memory}/memory.limit_in_bytes`, bytes);
      // No swap: memsw (memory + swap) equal to memory. Without swap accounting, swappiness 0 is the best we can do.
      if (this.fs.exists(`${memory}/memory.memsw.limit_in_bytes`)) {
        this.fs.write(`${memory}/memory.memsw.limit_in_bytes`, bytes);
      } else {
        this.fs.write(`${memory}/memory.swappiness`, '0');
      }
      this.fs.write(`${at('pids')!}/pids.max`, String(Math.floor(limits.pids)));
      const cpu = at('cpu');
      if (cpu !== undefined) {
        const period = 100_000;
        this.fs.write(`${cpu}/cpu.cfs_period_us`, String(period));
        this.fs.write(`${cpu}/cpu.cfs_quota_us`, String(Math.max(1000, Math.round(limits.cpuCores * period))));
      }
    } catch (error) {
      for (const dir of made.reverse()) {
        try {
          this.fs.rmdir(dir);
        } catch {}
      }
      throw error;
    }
    return new RunCgroupV1(name, made, at('memory')!, at('cpuacct'), at('freezer'), this.fs);
  }

  leftovers(): string[] {
    const prefix = ownCgroupPrefix();
    const out: string[] = [];
    for (const dir of new Set(Object.values(this.dirs))) {
      for (const entry of listDirs(this.fs, dir)) if (entry.startsWith(prefix)) out.push(`${dir}/${entry}`);
    }
    return out;
  }
}

function listDirs(fs: CgroupFs, dir: string): string[] {
  try {
    return fs.list(dir);
  } catch {
    return [];
  }
}

class RunCgroupV1 implements RunCgroup {
  readonly version = 1 as const;
  readonly procsFiles: readonly string[];

  constructor(
    readonly name: string,
    private readonly dirs: readonly string[],
    private readonly memory: string,
    private readonly cpuacct: string | undefined,
    private readonly freezer: string | undefined,
    private readonly fs: CgroupFs,
  ) {
    this.procsFiles = dirs.map((d) => `${d}/cgroup.procs`);
  }

  join(pid: number): void {
    for (const file of this.procsFiles) this.fs.write(file, String(pid));
  }

  pids(): number[] {
    return [...new Set(this.procsFiles.flatMap((f) => readPids(this.fs, f)))];
  }

  cpuSeconds(): number | null {
    if (this.cpuacct === undefined) return null;
    const ns = readNumber(this.fs, `${this.cpuacct}/cpuacct.usage`);
    return ns === null ? null : ns / 1e9;
  }

  oomKills(): number {
    // `oom_kill` in memory.oom_control (kernel ≥ 4.13); older kernels only count failed charges.
    const kills = readKeyed(this.fs, `${this.memory}/memory.oom_control`, 'oom_kill');
    if (kills !== null) return kills;
    return (readNumber(this.fs, `${this.memory}/memory.failcnt`) ?? 0) > 0 ? 1 : 0;
  }

  peakMemoryBytes(): number | null {
    return readNumber(this.fs, `${this.memory}/memory.max_usage_in_bytes`);
  }

  terminate(spare?: number): void {
    for (const pid of this.pids()) if (pid !== spare) this.fs.kill(pid, 'SIGTERM');
  }

  async kill(spare?: number, deadline = Date.now() + 1000): Promise<void> {
    // An empty cgroup stays empty: only a member can fork into it and only our launcher ever joins it, at its start.
    // Skipping the freeze there takes two freezer round trips off every run that ended by itself.
    if (this.pids().length === 0) return;
    // Freeze first so nothing forks or exits (and frees its pid for reuse) between reading the list and killing.
    const frozen = this.freezer !== undefined && (await this.setFrozen(true, deadline));
    for (const pid of this.pids()) if (pid !== spare) this.fs.kill(pid, 'SIGKILL');
    if (frozen) await this.setFrozen(false, deadline);
  }

  async destroy(timeoutMs = 3000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    await this.kill(undefined, deadline);
    while (this.pids().length > 0) {
      if (Date.now() > deadline) return false;
      for (const pid of this.pids()) this.fs.kill(pid, 'SIGKILL');
      await sleep(2);
    }
    // rmdir can fail with EBUSY for a moment after the last task left (it is still being reaped).
    for (const dir of this.dirs) {
      for (;;) {
        try {
          this.fs.rmdir(dir);
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') break;
          if (Date.now() > deadline) return false;
          await sleep(2);
        }
      }
    }
    return true;
  }

  private async setFrozen(frozen: boolean, deadline: number): Promise<boolean> {
    const state = `${this.freezer!}/freezer.state`;
    const want = frozen ? 'FROZEN' : 'THAWED';
    try {
      this.fs.write(state, want);
      while (this.fs.read(state).trim() !== want) {
        if (Date.now() > deadline) return false;
        await sleep(1);
      }
      return true;
    } catch {
      return false;
    }
  }
}
