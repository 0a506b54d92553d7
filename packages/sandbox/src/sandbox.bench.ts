/**
 * sandbox.programs_per_s: judged programs per second — a trivial Python program with one stdin/stdout test, through
 * the default pool (one slot per core) — jail, cgroup, cleanup and comparison included.
 * sandbox.overhead_ms: what the jail and the cgroup add to one run, over a bare `python3 -I -B` of the same file.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { median, report } from '../../../scripts/bench-lib';
import { judge } from './judge';
import { defaultToolchain } from './languages';
import { runProgram } from './run-program';

const tests = { inputs: ['1 2\n'], outputs: ['3\n'] };
const code = 'a, b = map(int, input().split())\nprint(a + b)\n';

await judge(code, tests); // warm-up (finds the tools and the cgroup once)
const programs = 100;
const t0 = performance.now();
const verdicts = await Promise.all(Array.from({ length: programs }, () => judge(code, tests)));
const seconds = (performance.now() - t0) / 1000;
if (verdicts.some((v) => v.status !== 'passed')) throw new Error('a trivial program did not pass');
report({
  name: 'sandbox.programs_per_s',
  value: Math.round((programs / seconds) * 10) / 10,
  unit: 'programs/s',
  programs,
  cores: availableParallelism(),
});

const python = defaultToolchain().python;
const jailed: number[] = [];
const bare: number[] = [];
for (let i = 0; i < 30; i++) {
  let t = performance.now();
  const r = await runProgram('pass\n', 'python', null);
  jailed.push(performance.now() - t);
  if (r.termination !== 'exited' || r.exitCode !== 0) throw new Error('jailed run failed');
  t = performance.now();
  spawnSync(python, ['-I', '-B', '-c', 'pass'], { stdio: 'ignore' });
  bare.push(performance.now() - t);
}
report({
  name: 'sandbox.overhead_ms',
  value: Math.round((median(jailed) - median(bare)) * 10) / 10,
  unit: 'ms',
  jailed_median_ms: Math.round(median(jailed) * 10) / 10,
  bare_median_ms: Math.round(median(bare) * 10) / 10,
});
