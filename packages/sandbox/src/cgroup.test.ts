/**
 * The cgroup code paths by their file operations, against fake trees in a temp directory: all of cgroup v2 (this
 * machine is v1, so v2 never runs a program here — see the README) and v1 detection. The real v1 path is exercised
 * by every test that runs a program (adversarial.test.ts, judge.test.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { detectCgroups } from './cgroup';
import { type CgroupFs, REAL_CGROUP_FS } from './cgroup-fs';
import { findV1Hierarchies } from './cgroup-v1';
import { SandboxUnavailableError } from './errors';

const base = mkdtempSync(join(tmpdir(), 'r1-sandbox-cgroup-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;

/**
 * A fake cgroupfs: mkdir makes the interface files the kernel would; writing `cgroup.kill` empties `cgroup.procs`
 * (as the kernel does once the processes are gone); `cgroup.freeze` updates `cgroup.events`; rmdir takes the files.
 */
function fakeV2(options: { controllers?: string; subtree?: string; killFile?: boolean; refuseEnable?: boolean } = {}) {
  const root = join(base, `v2-${++n}`);
  const group = join(root, 'user.slice', 'r1');
  mkdirSync(group, { recursive: true });
  writeFileSync(join(group, 'cgroup.controllers'), options.controllers ?? 'cpuset cpu io memory pids');
  writeFileSync(join(group, 'cgroup.subtree_control'), options.subtree ?? '');
  writeFileSync(join(group, 'cgroup.procs'), '');
  const killed: [number, string][] = [];
  const written: [string, string][] = [];
  const fs: CgroupFs = {
    ...REAL_CGROUP_FS,
    mkdir(path) {
      REAL_CGROUP_FS.mkdir(path);
      const files: Record<string, string> = {
        'cgroup.procs': '',
        'cgroup.events': 'populated 0\nfrozen 0\n',
        'cgroup.freeze': '0',
        'memory.max': 'max',
        'memory.swap.max': 'max',
        'memory.events': 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n',
        'memory.peak': '0',
        'pids.max': 'max',
        'cpu.max': 'max 100000',
        'cpu.stat': 'usage_usec 0\nuser_usec 0\nsystem_usec 0\n',
      };
      if (options.killFile !== false) files['cgroup.kill'] = '';
      for (const [name, text] of Object.entries(files)) writeFileSync(join(path, name), text);
    },
    write(path, data) {
      if (path.endsWith('cgroup.subtree_control')) {
        if (options.refuseEnable) throw Object.assign(new Error('EBUSY: device or resource busy'), { code: 'EBUSY' });
        const now = readFileSync(path, 'utf8').split(/\s+/).filter(Boolean);
        for (const c of data.split(/\s+/)) if (c.startsWith('+')) now.push(c.slice(1));
        return writeFileSync(path, now.join(' '));
      }
      writeFileSync(path, data);
      written.push([path.slice(path.lastIndexOf('/') + 1), data]);
      const dir = path.slice(0, path.lastIndexOf('/'));
      if (path.endsWith('cgroup.kill') && data === '1') writeFileSync(join(dir, 'cgroup.procs'), '');
      if (path.endsWith('cgroup.freeze')) writeFileSync(join(dir, 'cgroup.events'), `populated 1\nfrozen ${data}\n`);
    },
    rmdir: (path) => rmSync(path, { recursive: true }),
    kill(pid, signal) {
      killed.push([pid, signal]);
      return true;
    },
  };
  const mounts = `cgroup2 ${root} cgroup2 rw,nosuid,nodev,noexec,relatime 0 0\n`;
  const selfCgroup = '0::/user.slice/r1\n';
  return { root, group, fs, mounts, selfCgroup, killed, written };
}

const LIMITS = { memoryBytes: 256 * 1024 * 1024, pids: 32, cpuCores: 1.5 };

describe('cgroup v2 (fake tree)', () => {
  test('detection enables memory, pids and cpu for children of our own cgroup', () => {
    const t = fakeV2();
    const backend = detectCgroups({ fs: t.fs, mounts: t.mounts, selfCgroup: t.selfCgroup });
    expect(backend.version).toBe(2);
    expect(backend.describe()).toContain(t.group);
    expect(readFileSync(join(t.group, 'cgroup.subtree_control'), 'utf8').split(' ').sort()).toEqual([
      'cpu',
      'memory',
      'pids',
    ]);
  });

  test('a run cgroup gets memory.max, memory.swap.max 0, pids.max and cpu.max', () => {
    const t = fakeV2({ subtree: 'memory pids cpu' });
    const cg = detectCgroups({ fs: t.fs, mounts: t.mounts, selfCgroup: t.selfCgroup }).create(LIMITS);
    const dir = join(t.group, cg.name);
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    expect(cg.name).toMatch(new RegExp(`^r1-sbx-${process.pid}-\\d+$`));
    expect(read('memory.max')).toBe(String(256 * 1024 * 1024));
    expect(read('memory.swap.max')).toBe('0');
    expect(read('pids.max')).toBe('32');
    expect(read('cpu.max')).toBe('150000 100000');
    expect(cg.procsFiles).toEqual([join(dir, 'cgroup.procs')]);
  });

  test("join writes the pid into the run cgroup's cgroup.procs", () => {
    const t = fakeV2({ subtree: 'memory pids' });
    const cg = detectCgroups({ fs: t.fs, mounts: t.mounts, selfCgroup: t.selfCgroup }).create(LIMITS);
    cg.join(4242);
    expect(readFileSync(join(t.group, cg.name, 'cgroup.procs'), 'utf8')).toBe('4242');
  });

  test('usage: CPU seconds from cpu.stat, OOM kills from memory.events, the peak from memory.peak', () => {
    const t = fakeV2({ subtree: 'memory pids' });
    const cg = detectCgroups({ fs: t.fs, mounts: t.mounts, selfCgroup: t.selfCgroup }).create(LIMITS);
    const dir = join(t.group, cg.name);
    writeFileSync(join(dir, 'cpu.stat'), 'usage_usec 2500000\nuser_usec 2000000\n');
    writeFileSync(join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n');
    writeFileSync(join(dir, 'memory.peak'), '1048576\n');
    expect(cg.cpuSeconds()).toBe(2.5);
    expect(cg.oomKills()).toBe(1);
    expect(cg.peakMemoryBytes()).toBe(1048576);
  });

  test('destroy writes cgroup.kill, waits for cgroup.procs to empty, and removes the directory', async () => {
    const t = fakeV2({ subtree: 'memory pids' });
    const backend = detectCgroups({ fs: t.fs, mounts: t.mounts, selfCgroup: t.selfCgroup });
    const cg = backend.create(LIMITS);
    const dir = join(t.group, cg.name);
    writeFileSync(join(dir, 'cgroup.procs'), '101\n102\n');
    expect(cg.pids()).toEqual([101, 102]);
    expect(backend.leftovers()).toEqual([dir]);
    expect(await cg.destroy(1000)).toBe(true);
    expect(t.written).toContainEqual(['cgroup.kill', '1']);
    expect(t.killed).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    expect(backend.leftovers()).toEqual([]);
  });

  test('without cgroup.kill (kernel < 5.14): freeze, SIGKILL each pid, thaw', async () => {
    const t = fakeV2({ subtree: 'memory pids', killFile: false });
    const cg = detectCgroups({ fs: t.fs, mounts: t.mounts, selfCgroup: t.selfCgroup }).create(LIMITS);
    const dir = join(t.group, cg.name);
    writeFileSync(join(dir, 'cgroup.procs'), '201\n202\n');
    await cg.kill(202);
    expect(t.killed).toEqual([[201, 'SIGKILL']]);
    expect(readFileSync(join(dir, 'cgroup.freeze'), 'utf8')).toBe('0');
    cg.terminate();
    expect(t.killed.slice(1)).toEqual([
      [201, 'SIGTERM'],
      [202, 'SIGTERM'],
    ]);
  });

  test('a cgroup that will not empty is reported, not removed', async () => {
    const t = fakeV2({ subtree: 'memory pids' });
    const stubborn: CgroupFs = { ...t.fs, write: (p, d) => (p.endsWith('cgroup.kill') ? undefined : t.fs.write(p, d)) };
    const cg = detectCgroups({ fs: stubborn, mounts: t.mounts, selfCgroup: t.selfCgroup }).create(LIMITS);
    writeFileSync(join(t.group, cg.name, 'cgroup.procs'), '301\n');
    expect(await cg.destroy(50)).toBe(false);
    expect(existsSync(join(t.group, cg.name))).toBe(true);
  });

  test('fails closed with the fix when controllers cannot be delegated', () => {
    const busy = fakeV2({ refuseEnable: true });
    expect(() => detectCgroups({ fs: busy.fs, mounts: busy.mounts, selfCgroup: busy.selfCgroup })).toThrow(
      SandboxUnavailableError,
    );
    expect(() => detectCgroups({ fs: busy.fs, mounts: busy.mounts, selfCgroup: busy.selfCgroup })).toThrow(
      /R1_SANDBOX_CGROUP/,
    );
    const noMemory = fakeV2({ controllers: 'cpu io' });
    expect(() =>
      detectCgroups({ fs: noMemory.fs, mounts: noMemory.mounts, selfCgroup: noMemory.selfCgroup, version: 2 }),
    ).toThrow(/memory, pids are not available/);
  });

  test('an explicit root (R1_SANDBOX_CGROUP) is used as given', () => {
    const t = fakeV2({ subtree: 'memory pids' });
    const backend = detectCgroups({ fs: t.fs, mounts: '', selfCgroup: '', root: t.group });
    expect(backend.describe()).toBe(`cgroup v2 (${t.group})`);
  });
});

describe('cgroup v1 detection (fake tree)', () => {
  function fakeV1(controllers: string[]) {
    const root = join(base, `v1-${++n}`);
    const mounts: string[] = [];
    for (const c of controllers) {
      mkdirSync(join(root, c, 'job'), { recursive: true });
      writeFileSync(join(root, c, 'job', 'cgroup.procs'), '');
      mounts.push(`cgroup ${join(root, c)} cgroup rw,nosuid,nodev,noexec,relatime,${c} 0 0`);
    }
    const self = controllers.map((c, i) => `${i + 1}:${c}:/job`).join('\n');
    return { root, mounts: mounts.join('\n'), self };
  }

  test("each controller's directory is this process's own cgroup in that hierarchy", () => {
    const t = fakeV1(['memory', 'pids', 'cpu', 'cpuacct', 'freezer']);
    const found = findV1Hierarchies(t.mounts, t.self, REAL_CGROUP_FS);
    expect(found).toEqual({
      usable: true,
      dirs: Object.fromEntries(['memory', 'pids', 'cpu', 'cpuacct', 'freezer'].map((c) => [c, join(t.root, c, 'job')])),
    });
  });

  test('memory and pids are required; the rest are optional', () => {
    const t = fakeV1(['memory', 'cpu']);
    expect(findV1Hierarchies(t.mounts, t.self, REAL_CGROUP_FS)).toEqual({
      usable: false,
      reason: 'no cgroup v1 pids hierarchy mounted',
    });
    expect(() => detectCgroups({ mounts: t.mounts, selfCgroup: t.self, version: 1 })).toThrow(SandboxUnavailableError);
    const minimal = fakeV1(['memory', 'pids']);
    expect(findV1Hierarchies(minimal.mounts, minimal.self, REAL_CGROUP_FS).usable).toBe(true);
  });
});
