/**
 * The file operations cgroups are made of, behind one small interface so the v2 code path can be unit-tested against
 * a fake `/sys/fs/cgroup` tree in a temp directory (this project's machines are cgroup v1). Synchronous: cgroupfs
 * reads and writes are in-memory and take microseconds.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';

export interface CgroupFs {
  read(path: string): string;
  write(path: string, data: string): void;
  exists(path: string): boolean;
  mkdir(path: string): void;
  /** Removes a cgroup directory (on cgroupfs its interface files go with it). */
  rmdir(path: string): void;
  /** Names of the subdirectories of a directory. */
  list(path: string): string[];
  /** Sends a signal to a host pid; false when the process is already gone. */
  kill(pid: number, signal: NodeJS.Signals): boolean;
}

export const REAL_CGROUP_FS: CgroupFs = {
  read: (path) => readFileSync(path, 'utf8'),
  write: (path, data) => writeFileSync(path, data),
  exists: (path) => existsSync(path),
  mkdir: (path) => mkdirSync(path),
  rmdir: (path) => rmdirSync(path),
  list: (path) =>
    readdirSync(path, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name),
  kill: (pid, signal) => {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  },
};

/** The pids listed in a `cgroup.procs` file (an absent file lists none). */
export function readPids(fs: CgroupFs, procsFile: string): number[] {
  let text: string;
  try {
    text = fs.read(procsFile);
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const line of text.split('\n')) {
    const n = Number.parseInt(line, 10);
    if (Number.isInteger(n) && n > 0) pids.push(n);
  }
  return pids;
}

/** The number after `key ` in a flat-keyed cgroup file (`oom_kill 3`, `usage_usec 1200`), or null. */
export function readKeyed(fs: CgroupFs, file: string, key: string): number | null {
  let text: string;
  try {
    text = fs.read(file);
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k === key && v !== undefined) {
      const n = Number(v);
      return Number.isFinite(n) ? n : null;
    }
  }
  return null;
}

/** A number from a one-value cgroup file, or null. */
export function readNumber(fs: CgroupFs, file: string): number | null {
  try {
    const n = Number(fs.read(file).trim());
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

let counter = 0;
/** A fresh run cgroup name, unique within this process. */
export function nextCgroupName(): string {
  counter++;
  return `r1-sbx-${process.pid}-${counter}`;
}
/** The prefix of every run cgroup name of this process. */
export const ownCgroupPrefix = (): string => `r1-sbx-${process.pid}-`;

/** Mount points by filesystem type from /proc/self/mounts: [mountpoint, options][]. */
export function mountsOfType(mounts: string, type: string): [string, string[]][] {
  const out: [string, string[]][] = [];
  for (const line of mounts.split('\n')) {
    const f = line.split(' ');
    if (f[2] === type && f[1] !== undefined) out.push([f[1].replace(/\\040/g, ' '), (f[3] ?? '').split(',')]);
  }
  return out;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
