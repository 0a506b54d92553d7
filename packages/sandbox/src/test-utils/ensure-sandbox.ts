/**
 * Tests that run programs need bubblewrap; CI runs as root on a fresh Debian machine, so install it when missing
 * (as FACTS.md's sandboxing section says) rather than skip. Also checks that a test file left nothing behind.
 */
import { execSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { findExecutable } from '../jail';
import { sandboxHost } from '../run-jailed';

export function ensureBubblewrap(): void {
  if (findExecutable('bwrap') !== null) return;
  if (process.getuid?.() !== 0)
    throw new Error('bubblewrap is missing and tests are not root: apt-get install bubblewrap');
  execSync('apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null', {
    stdio: 'inherit',
    timeout: 300_000,
  });
}

/** This process's run cgroups that still exist (must be none between tests). */
export function leftoverCgroups(): string[] {
  return sandboxHost().cgroups.leftovers();
}

/**
 * Host pids of processes running as the jail user (65534) that are ours: in one of this process's run cgroups, or
 * in no run cgroup at all (escaped). Jails of other test files (other processes) are not counted.
 */
export function strayJailProcesses(): number[] {
  const own = `r1-sbx-${process.pid}-`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!/^Uid:\s+65534\b/m.test(readFileSync(`/proc/${entry}/status`, 'utf8'))) continue;
      const cgroup = readFileSync(`/proc/${entry}/cgroup`, 'utf8');
      if (cgroup.includes(own) || !cgroup.includes('r1-sbx-')) pids.push(Number(entry));
    } catch {}
  }
  return pids;
}
