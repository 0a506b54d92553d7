/**
 * sandbox.programs_per_s: judged programs per second — a trivial Python program with one stdin/stdout test, through
 * the default pool (one slot per core) — jail, cgroup, cleanup and comparison included.
 * sandbox.overhead_ms: what the jail and the cgroup add to one run, over a bare `python3 -I -B` of the same file.
 *
 * Beside programs_per_s, two ceilings measured the same way (one process per core in flight): bare `python3 -c pass`
 * spawns, and the least jail there is (`bwrap --unshare-all --ro-bind / /` around it, no cgroup, no launcher). What
 * the judge gets is bounded by the second.
 */
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { median, report } from '../../../scripts/bench-lib';
import { judge } from './judge';
import { defaultToolchain } from './languages';
import { sandboxHost } from './run-jailed';
import { runProgram } from './run-program';

const tests = { inputs: ['1 2\n'], outputs: ['3\n'] };
const code = 'a, b = map(int, input().split())\nprint(a + b)\n';

await judge(code, tests); // warm-up (finds the tools and the cgroup once)
const programs = 100;
const t0 = performance.now();
const verdicts = await Promise.all(Array.from({ length: programs }, () => judge(code, tests)));
const seconds = (performance.now() - t0) / 1000;
if (verdicts.some((v) => v.status !== 'passed')) throw new Error('a trivial program did not pass');
const python = defaultToolchain().python;
const spawnRate = async (argv: string[], uid?: number, inFlight = availableParallelism()) => {
  const exit = () =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), {
        stdio: 'ignore',
        ...(uid === undefined ? {} : { uid, gid: uid }),
      });
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${argv[0]} exited with ${code}`))));
    });
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < programs) await exit();
    }),
  );
  return Math.round((programs / ((performance.now() - t) / 1000)) * 10) / 10;
};
const bare = [python, '-I', '-B', '-c', 'pass'];
report({
  name: 'sandbox.programs_per_s',
  value: Math.round((programs / seconds) * 10) / 10,
  unit: 'programs/s',
  programs,
  cores: availableParallelism(),
  bare_python_per_s: await spawnRate(bare),
  bare_python_one_at_a_time_per_s: await spawnRate(bare, undefined, 1),
  least_jail_python_per_s: await spawnRate(
    [sandboxHost().tools.bwrap, '--unshare-all', '--unshare-user', '--ro-bind', '/', '/', '--', ...bare],
    65534,
  ),
});

const jailed: number[] = [];
const bareMs: number[] = [];
for (let i = 0; i < 30; i++) {
  let t = performance.now();
  const r = await runProgram('pass\n', 'python', null);
  jailed.push(performance.now() - t);
  if (r.termination !== 'exited' || r.exitCode !== 0) throw new Error('jailed run failed');
  t = performance.now();
  spawnSync(python, ['-I', '-B', '-c', 'pass'], { stdio: 'ignore' });
  bareMs.push(performance.now() - t);
}
report({
  name: 'sandbox.overhead_ms',
  value: Math.round((median(jailed) - median(bareMs)) * 10) / 10,
  unit: 'ms',
  jailed_median_ms: Math.round(median(jailed) * 10) / 10,
  bare_median_ms: Math.round(median(bareMs) * 10) / 10,
});
