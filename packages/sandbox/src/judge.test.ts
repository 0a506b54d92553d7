import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { type CgroupFs, REAL_CGROUP_FS } from './cgroup-fs';
import { type CodeTests, judge, resolveJudgeOptions, testsProblem } from './judge';
import { resolveRunLimits } from './limits';
import { Pool } from './pool';
import { runJailed, sandboxHost } from './run-jailed';
import { runProgram } from './run-program';
import { ensureBubblewrap, leftoverCgroups, strayJailProcesses } from './test-utils/ensure-sandbox';

ensureBubblewrap();
const pool = new Pool(2);
const O = { timeoutSeconds: 4, memoryMb: 256, pool };

afterEach(() => {
  expect(leftoverCgroups()).toEqual([]);
  expect(strayJailProcesses()).toEqual([]);
});

const echo = (text: string) => `import sys\nsys.stdout.write(${JSON.stringify(text)})\n`;

describe('stdin/stdout judging', () => {
  test.each([
    ['exact', '1\n2\n', 'passed'],
    ['trailing whitespace', '1   \n2\t\n', 'passed'],
    ['trailing blank lines', '1\n2\n\n\n', 'passed'],
    ['decimals', '1.0\n2.00\n', 'passed'],
    ['a missing line', '1\n', 'failed'],
    ['an extra line', '1\n2\n3\n', 'failed'],
    ['a wrong line', '1\n3\n', 'failed'],
    ['nothing', '', 'failed'],
  ])('%s', async (_, printed, status) => {
    const v = await judge(echo(printed), { inputs: [''], outputs: ['1\n2\n'] }, O);
    expect(v.status).toBe(status);
    expect(v.reward).toBe(status === 'passed' ? 1 : 0);
  });

  test('stdin reaches the program; the pass rate counts tests', async () => {
    const code = 'n = int(input())\nprint(n * n if n != 3 else 0)\n';
    const tests = { inputs: ['1\n', '2\n', '3\n', '4\n'], outputs: ['1', '4', '9', '16'] };
    const v = await judge(code, tests, O);
    expect(v).toMatchObject({ status: 'failed', passed: 3, total: 4, reward: 0.75 });
    expect(v.tests.map((t) => t.status)).toEqual(['passed', 'passed', 'failed', 'passed']);
    expect((await judge(code, tests, { ...O, reward: 'binary' })).reward).toBe(0);
  });

  test('floatTolerance', async () => {
    const tests = { inputs: [''], outputs: ['0.3333333\n'] };
    expect((await judge('print(1/3)', tests, O)).status).toBe('failed');
    expect((await judge('print(1/3)', tests, { ...O, floatTolerance: 1e-6 })).status).toBe('passed');
  });

  test('early stop runs no test after the first failure is known', async () => {
    const tests = { inputs: ['', '', '', ''], outputs: ['1', '1', '1', '1'] };
    const v = await judge('print(2)', tests, { ...O, earlyStop: true, pool: new Pool(1) });
    expect(v.status).toBe('failed');
    expect(v.tests).toHaveLength(1);
    expect(v.total).toBe(4);
    expect(v.reward).toBe(0);
  });

  test('the sample budget times out the tests it cannot fit', async () => {
    const tests = { inputs: ['', '', ''], outputs: ['1', '1', '1'] };
    const v = await judge('import time\ntime.sleep(0.6)\nprint(1)', tests, {
      ...O,
      budgetSeconds: 1,
      pool: new Pool(1),
    });
    expect(v.status).toBe('timeout');
    expect(v.passed).toBeLessThan(3);
  });
});

describe('call-based judging (APPS fn_name)', () => {
  test.each([
    ['lists', 'def f(x):\n    return [x, x + 1]', [[1]], [[1, 2]], 'passed'],
    ['dicts', 'def f(x):\n    return {"a": x, "b": [x]}', [[1]], [{ a: 1, b: [1] }], 'passed'],
    ['tuples become lists', 'def f(x):\n    return (x, (x,))', [[1]], [[1, [1]]], 'passed'],
    ['an APPS one-element wrapper', 'def f(x):\n    return x * 2', [[2]], [[4]], 'passed'],
    ['a Solution method', 'class Solution:\n    def f(self, x):\n        return x', [[5]], [5], 'passed'],
    ['several arguments', 'def f(a, b, c):\n    return a + b + c', [[1, 2, 3]], [6], 'passed'],
    ['a wrong value', 'def f(x):\n    return x', [[1]], [2], 'failed'],
    ['prints do not count', 'def f(x):\n    print(2)\n    return 1', [[1]], [2], 'failed'],
    ['a set is not JSON', 'def f(x):\n    return {x}', [[1]], [[1]], 'runtime_error'],
    ['NaN is not JSON', 'def f(x):\n    return float("nan")', [[1]], [0], 'runtime_error'],
    ['a missing function', 'def g(x):\n    return x', [[1]], [1], 'runtime_error'],
    ['an exception', 'def f(x):\n    raise ValueError', [[1]], [1], 'runtime_error'],
  ])('%s', async (_, code, inputs, outputs, status) => {
    const v = await judge(code, { fn_name: 'f', inputs: inputs as unknown[][], outputs }, O);
    expect(v.status, JSON.stringify(v)).toBe(status);
  });

  test('javascript functions', async () => {
    const tests: CodeTests = {
      fn_name: 'f',
      inputs: [[1], [2]],
      outputs: [
        [1, { a: 1 }],
        [2, { a: 2 }],
      ],
    };
    const v = await judge('function f(x) { console.log("noise"); return [x, { a: x }]; }', tests, {
      ...O,
      language: 'javascript',
    });
    expect(v.status).toBe('passed');
  });
});

describe('statuses', () => {
  const SUM = { inputs: ['1 2\n'], outputs: ['3\n'] };

  test('no code', async () => {
    expect(await judge(null, SUM, O)).toMatchObject({ status: 'no_code', reward: 0, passed: 0, total: 1 });
    expect((await judge('  \n', SUM, O)).status).toBe('no_code');
  });

  test('runtime error, with the traceback in message', async () => {
    const v = await judge('raise SystemError("boom")', SUM, O);
    expect(v.status).toBe('runtime_error');
    expect(v.message).toContain('boom');
  });

  test('MemoryError counts as memory', async () => {
    expect((await judge('raise MemoryError', SUM, O)).status).toBe('memory');
  });

  test('C++: compiled once, run per test; compile errors are compile_error', async () => {
    const code = '#include <cstdio>\nint main(){ long a, b; scanf("%ld %ld", &a, &b); printf("%ld\\n", a + b); }';
    const tests = { inputs: ['1 2\n', '20 22\n'], outputs: ['3\n', '42\n'] };
    expect(await judge(code, tests, { ...O, language: 'cpp' })).toMatchObject({ status: 'passed', reward: 1 });
    const broken = await judge('int main() { return x; }', tests, { ...O, language: 'cpp' });
    expect(broken.status).toBe('compile_error');
    expect(broken.message).toContain('was not declared');
    expect((await judge(code, { fn_name: 'f', inputs: [[1]], outputs: [1] }, { ...O, language: 'cpp' })).status).toBe(
      'sandbox_error',
    );
  });

  test('javascript on stdin/stdout', async () => {
    const code = 'const [a, b] = require("fs").readFileSync(0, "utf8").split(" ").map(Number); console.log(a + b);';
    expect((await judge(code, SUM, { ...O, language: 'javascript' })).status).toBe('passed');
  });

  test('fail closed: no usable cgroup gives sandbox_error with the fix, and nothing runs', async () => {
    const v = await judge('print(3)', SUM, { ...O, sandbox: { host: { version: 2, root: '/nonexistent-cgroup' } } });
    expect(v.status).toBe('sandbox_error');
    expect(v.reward).toBe(0);
    expect(v.message).toMatch(/R1_SANDBOX_CGROUP/);
    await expect(
      runProgram('print(3)', 'python', null, {}, { host: { version: 2, root: '/nonexistent-cgroup' } }),
    ).rejects.toThrow(/sandbox unavailable/);
  });
});

describe('runProgram', () => {
  test('a scrubbed environment, an unprivileged user, an empty working directory', async () => {
    const r = await runProgram(
      'import os, json\nprint(json.dumps([os.getuid(), sorted(os.environ), os.getcwd(), sorted(os.listdir("."))]))',
      'python',
      null,
    );
    expect(JSON.parse(r.stdout)).toEqual([
      65534,
      ['HOME', 'LANG', 'LC_ALL', 'PATH', 'PWD', 'TMPDIR'],
      '/work',
      ['main.py'],
    ]);
    expect(r).toMatchObject({ termination: 'exited', exitCode: 0, stdoutTruncated: false });
    expect(r.cpuSeconds).toBeGreaterThan(0);
  });

  test.runIf(process.getuid?.() === 0)(
    'outside the jail too: every process of a run started by root is 65534, no groups, no capabilities, no-new-privs',
    async () => {
      const run = runProgram('import time\ntime.sleep(2)\n', 'python', null);
      const own = `r1-sbx-${process.pid}-`;
      let seen: { cmd: string; status: string }[] = [];
      for (let i = 0; i < 100 && seen.length < 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        seen = [];
        for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
          try {
            if (!readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(own)) continue;
            const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]!;
            seen.push({ cmd, status: readFileSync(`/proc/${pid}/status`, 'utf8') });
          } catch {}
        }
        // The launcher is bash only until it execs bwrap; wait for bwrap and the program.
        if (seen.some((p) => p.cmd.endsWith('bash'))) seen = [];
      }
      expect(seen.map((p) => p.cmd.split('/').pop())).toEqual(['bwrap', expect.stringMatching(/^python3/)]);
      for (const { status } of seen) {
        expect(status).toMatch(/^Uid:\s+65534\s+65534\s+65534\s+65534$/m);
        expect(status).toMatch(/^Gid:\s+65534\s+65534\s+65534\s+65534$/m);
        expect(status).toMatch(/^Groups:\s*$/m);
        for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapAmb'])
          expect(status).toMatch(new RegExp(`^${set}:\\s+0+$`, 'm'));
        expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
      }
      expect((await run).termination).toBe('exited');
    },
  );

  test('a launcher this process cannot move into its cgroup is killed before bwrap, and the run says why', async () => {
    // Every cgroup write works but the move into cgroup.procs, which fails as a missing file would.
    const fs: CgroupFs = {
      ...REAL_CGROUP_FS,
      write: (path, data) =>
        REAL_CGROUP_FS.write(path.endsWith('/cgroup.procs') ? '/nonexistent-r1-cgroup/cgroup.procs' : path, data),
    };
    await expect(
      runJailed(
        { argv: ['/usr/bin/true'], files: [], tmpBytes: 1 << 20, workBytes: 1 << 20 },
        null,
        resolveRunLimits(),
        sandboxHost({ fs }),
      ),
    ).rejects.toThrow(/could not move the launcher into cgroup .*ENOENT/);
    expect(strayJailProcesses()).toEqual([]);
  });

  test('output over the cap is truncated and reported', async () => {
    const r = await runProgram('print("x" * 5000)', 'python', null, { outputBytes: 1000 });
    expect(r.termination).toBe('output_limit');
    expect(r.stdoutTruncated).toBe(true);
    expect(r.stdout).toHaveLength(1000);
  });

  test('the exit code comes through', async () => {
    expect((await runProgram('import sys\nsys.exit(7)', 'python', null)).exitCode).toBe(7);
  });
});

describe('options', () => {
  test('unknown options and bad values are rejected up front', () => {
    expect(() => resolveJudgeOptions({ timeout: 3 } as never)).toThrow(/unknown judge option "timeout"/);
    expect(() => resolveJudgeOptions({ reward: 'mean' as never })).toThrow(/pass_rate/);
    expect(() => resolveJudgeOptions({ timeoutSeconds: 0 })).toThrow(/positive/);
    expect(() => resolveRunLimits({ wall: 1 } as never)).toThrow(/unknown run limit/);
    expect(resolveRunLimits({ wallSeconds: 2 }).cpuSeconds).toBe(2);
  });

  test.each([
    [{ inputs: ['1'], outputs: [] }, /1 inputs but 0 outputs/],
    [{ inputs: [], outputs: [] }, /empty/],
    [{ fn_name: 'a b', inputs: [[1]], outputs: [1] }, /identifier/],
    [{ fn_name: 'f', inputs: [1], outputs: [1] }, /argument list/],
    [{ inputs: [1], outputs: ['1'] }, /string inputs/],
  ])('bad tests: %j', (tests, message) => {
    expect(testsProblem(tests)).toMatch(message);
  });
});
