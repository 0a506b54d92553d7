/**
 * The adversarial suite (bigcode's evil programs, and the reward hacks of FACTS.md): every program gets reward 0, in
 * bounded time, and leaves its cgroup empty and removed with no process of the jail user left — and the same honest
 * program passes before and after, so the judge stays healthy. Run on cgroup v1 here (see the README).
 *
 * Attacks that try to learn something (a secret, the expected output) are written to print it: they pass only if
 * the jail leaks it. Attacks that try to do something (write a host file) print the right answer only if it worked.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type CodeTests, type JudgeOptions, judge, type Status } from './judge';
import { Pool } from './pool';
import { ensureBubblewrap, leftoverCgroups, strayJailProcesses } from './test-utils/ensure-sandbox';

ensureBubblewrap();

const SUM: CodeTests = { inputs: ['1 2\n', '20 22\n'], outputs: ['3\n', '42\n'] };
const HONEST = 'a, b = map(int, input().split())\nprint(a + b)\n';
const OPTIONS: Partial<JudgeOptions> = { timeoutSeconds: 2, memoryMb: 256, pool: new Pool(2) };
/** Bounded time: the per-test limit, the kill and the cleanup, with room for a loaded 2-core machine. */
const BOUND_SECONDS = 15;

const secret = `r1-secret-${randomBytes(8).toString('hex')}`;
const SECRET: CodeTests = { inputs: ['\n'], outputs: [`${secret}\n`] };
const hostDir = mkdtempSync(join(tmpdir(), 'r1-sandbox-adv-'));
const secretFile = join(hostDir, 'secret.txt');
const hostTarget = join(hostDir, 'written-from-jail');
let server: Server;
let port = 0;
let sleeper: ChildProcess;

beforeAll(async () => {
  writeFileSync(secretFile, `${secret}\n`);
  // If the jail inherited our environment, /proc/1/environ inside would show it.
  process.env.R1_SANDBOX_TEST_SECRET = secret;
  // A host process whose /proc/<pid>/environ holds the secret.
  sleeper = spawn('sleep', ['120'], { env: { R1_SANDBOX_TEST_SECRET: secret }, stdio: 'ignore' });
  server = createServer((socket) => socket.end(`${secret}\n`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  delete process.env.R1_SANDBOX_TEST_SECRET;
  if (sleeper.pid !== undefined) process.kill(sleeper.pid, 'SIGKILL');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(hostDir, { recursive: true, force: true });
});

afterEach(() => {
  expect(leftoverCgroups()).toEqual([]);
  expect(strayJailProcesses()).toEqual([]);
});

async function expectZero(code: string, tests: CodeTests, statuses: Status[], options: Partial<JudgeOptions> = {}) {
  const started = performance.now();
  const verdict = await judge(code, tests, { ...OPTIONS, ...options });
  const seconds = (performance.now() - started) / 1000;
  expect(verdict.reward, JSON.stringify(verdict)).toBe(0);
  expect(statuses, JSON.stringify(verdict)).toContain(verdict.status);
  expect(seconds).toBeLessThan(BOUND_SECONDS);
  return verdict;
}

const py = (lines: string[]) => `${lines.join('\n')}\n`;

describe('before the suite', () => {
  test('the honest program passes before the suite', async () => {
    expect(await judge(HONEST, SUM, OPTIONS)).toMatchObject({ status: 'passed', reward: 1, passed: 2 });
  });
});

describe('adversarial programs get reward 0 and leave nothing behind', () => {
  test('a busy loop', async () => {
    await expectZero('while True:\n    pass\n', SUM, ['timeout']);
  });

  test('sleep', async () => {
    await expectZero('import time\ntime.sleep(1000)\n', SUM, ['timeout']);
  });

  test('a trapped SIGTERM', async () => {
    const code = py(['import signal', 'signal.signal(signal.SIGTERM, signal.SIG_IGN)', 'while True:', '    pass']);
    await expectZero(code, SUM, ['timeout']);
  });

  test('spinning threads', async () => {
    const code = py([
      'import threading',
      'def spin():',
      '    while True:',
      '        pass',
      'for _ in range(16):',
      '    threading.Thread(target=spin).start()',
    ]);
    await expectZero(code, SUM, ['timeout']);
  });

  test('a fork bomb (Python)', async () => {
    const code = py([
      'import os',
      'while True:',
      '    try:',
      '        os.fork()',
      '    except OSError:',
      '        pass',
    ]);
    await expectZero(code, SUM, ['timeout', 'runtime_error']);
  });

  test('a fork bomb (C++)', async () => {
    const code = '#include <unistd.h>\nint main() { for (;;) fork(); }\n';
    await expectZero(code, SUM, ['timeout', 'runtime_error'], { language: 'cpp' });
  });

  test('a setsid double-fork daemon that answers after its parent has exited', async () => {
    const code = py([
      'import os, sys, time',
      'data = sys.stdin.read()',
      'if os.fork() == 0:',
      '    os.setsid()',
      '    if os.fork() == 0:',
      '        time.sleep(0.5)',
      '        a, b = map(int, data.split())',
      '        os.write(1, (str(a + b) + "\\n").encode())',
      '        time.sleep(1000)',
      '    os._exit(0)',
      'os._exit(0)',
    ]);
    const verdict = await expectZero(code, SUM, ['failed']);
    expect(verdict.tests.every((t) => t.seconds < 1)).toBe(true);
  });

  // Page faults are slow in this VM (~200 MB/s under load), so a small limit and time to reach it.
  const MEMORY = { memoryMb: 96, timeoutSeconds: 5 };

  test('a multi-GiB allocation', async () => {
    await expectZero('x = b"x" * (8 * 1024 ** 3)\nprint(len(x))\n', SUM, ['memory'], MEMORY);
  });

  test('a multi-GiB allocation touched page by page (C++)', async () => {
    const code = [
      '#include <cstdlib>',
      '#include <cstdio>',
      'int main() { size_t n = 8ull << 30; char* p = (char*)malloc(n); if (!p) return 3;',
      '  for (size_t i = 0; i < n; i += 4096) p[i] = 1; printf("%d\\n", p[4096]); }',
    ].join('\n');
    await expectZero(code, SUM, ['memory', 'runtime_error'], { ...MEMORY, language: 'cpp' });
  });

  test('an output flood', async () => {
    const code = py(['import sys', 'while True:', '    sys.stdout.write("3\\n" * 10000)']);
    await expectZero(code, SUM, ['output_limit']);
  });

  test('a stderr flood', async () => {
    const code = py(['import sys', 'while True:', '    sys.stderr.write("x" * 65536)']);
    await expectZero(code, SUM, ['output_limit']);
  });

  test('reading past stdin', async () => {
    const code = py(['import sys', 'sys.stdin.read()', 'while True:', '    line = input()']);
    await expectZero(code, SUM, ['runtime_error']);
  });

  test('sys.exit(0) before any output', async () => {
    await expectZero('import sys\nsys.exit(0)\nprint(3)\n', SUM, ['failed']);
  });

  test('os._exit(0) before any output', async () => {
    await expectZero('import os\nos._exit(0)\n', SUM, ['failed']);
  });

  const CALL: CodeTests = {
    fn_name: 'add',
    inputs: [
      [1, 2],
      [20, 22],
    ],
    outputs: [3, 42],
  };

  test('sys.exit(0) before returning (call-based)', async () => {
    await expectZero('import sys\ndef add(a, b):\n    sys.exit(0)\n', CALL, ['runtime_error']);
  });

  test('os._exit(0) before returning (call-based)', async () => {
    await expectZero('import os\ndef add(a, b):\n    os._exit(0)\n', CALL, ['runtime_error']);
  });

  test('sys.exit(0) at import (call-based)', async () => {
    await expectZero('import sys\nsys.exit(0)\ndef add(a, b):\n    return a + b\n', CALL, ['runtime_error']);
  });

  test('an always-equal return value', async () => {
    const code = py([
      'class Eq:',
      '    def __eq__(self, other): return True',
      '    def __ne__(self, other): return False',
      '    def __hash__(self): return 0',
      'def add(a, b):',
      '    return Eq()',
    ]);
    await expectZero(code, CALL, ['runtime_error']);
  });

  test('an always-equal int subclass serialises as its value and fails', async () => {
    const code = py([
      'class Eq(int):',
      '    def __eq__(self, other): return True',
      'def add(a, b):',
      '    return Eq(0)',
    ]);
    await expectZero(code, CALL, ['failed']);
  });

  test('printing a score or a forged harness result', async () => {
    const forged = py([
      'print("PASSED 2/2")',
      'print("reward: 1.0")',
      'print(\'{"status": "passed", "reward": 1, "r1_result": 3}\')',
    ]);
    await expectZero(forged, SUM, ['failed']);
    const intoHarness = py(['import os', 'os.write(1, b\'{"r1_result": 999}\\n\')', 'def add(a, b):', '    return -1']);
    await expectZero(intoHarness, CALL, ['runtime_error', 'failed']);
  });

  test('searching the jail for the expected output', async () => {
    const hidden: CodeTests = { inputs: ['\n'], outputs: [`r1-expected-${randomBytes(6).toString('hex')}\n`] };
    const code = py([
      'import os, re',
      'found = set()',
      'for root in ["/work", "/tmp", "/proc/self", "/proc/1", "/dev/shm"]:',
      '    for dirpath, dirs, files in os.walk(root):',
      '        for f in files:',
      '            try:',
      '                with open(os.path.join(dirpath, f), "rb") as h:',
      '                    found.update(re.findall(rb"r1-expected-[0-9a-f]{12}", h.read(1 << 20)))',
      '            except Exception:',
      '                pass',
      '        if dirpath.count("/") > 4: dirs.clear()',
      'print("\\n".join(x.decode() for x in found))',
    ]);
    await expectZero(code, hidden, ['failed', 'timeout']);
  });

  test('reading a secret from the environment', async () => {
    const code = py(['import os', 'print(os.environ.get("R1_SANDBOX_TEST_SECRET", "none"))']);
    await expectZero(code, SECRET, ['failed']);
  });

  test('reading a secret from /proc/*/environ', async () => {
    const code = py([
      'import glob',
      'for path in glob.glob("/proc/*/environ"):',
      '    try:',
      '        for var in open(path, "rb").read().split(b"\\0"):',
      '            if var.startswith(b"R1_SANDBOX_TEST_SECRET="):',
      '                print(var.split(b"=", 1)[1].decode())',
      '    except Exception:',
      '        pass',
    ]);
    await expectZero(code, SECRET, ['failed']);
  });

  test('reading a secret from host files (directly and through /proc/*/root)', async () => {
    const f = JSON.stringify(secretFile);
    const code = py([
      'import glob',
      `paths = [${f}] + [p + ${f} for p in glob.glob("/proc/*/root")]`,
      `paths += ["/proc/self/cwd/../.." + ${f}, "/proc/1/cwd/../.." + ${f}]`,
      'for p in paths:',
      '    try:',
      '        print(open(p).read().strip())',
      '        break',
      '    except Exception:',
      '        pass',
    ]);
    await expectZero(code, SECRET, ['failed']);
    for (const host of ['/etc/passwd', '/etc/shadow', '/root/.bashrc', process.cwd()]) {
      const probe = `import os\nprint("seen" if os.path.exists(${JSON.stringify(host)}) else "hidden")\n`;
      const v = await judge(probe, { inputs: ['\n'], outputs: ['hidden\n'] }, OPTIONS);
      expect(v.status, host).toBe('passed');
    }
  });

  test('reading a secret from a loopback service', async () => {
    const code = py([
      'import socket',
      'try:',
      `    s = socket.create_connection(("127.0.0.1", ${port}), timeout=1)`,
      '    print(s.recv(100).decode().strip())',
      'except Exception as e:',
      '    print("no network:", type(e).__name__)',
    ]);
    await expectZero(code, SECRET, ['failed']);
  });

  test('writing host paths', async () => {
    const code = py([
      'import os',
      'ok = False',
      `for p in [${JSON.stringify(hostTarget)}, "/usr/r1-pwned", "/r1-pwned", "/proc/1/root/r1-pwned"]:`,
      '    try:',
      '        open(p, "w").write("x")',
      '        ok = ok or p.startswith("/usr") or p.startswith("/tmp/r1-sandbox-adv")',
      '    except Exception:',
      '        pass',
      'a, b = map(int, input().split())',
      'print(a + b if ok else "blocked")',
    ]);
    await expectZero(code, SUM, ['failed']);
    expect(existsSync(hostTarget)).toBe(false);
    expect(existsSync('/usr/r1-pwned')).toBe(false);
  });

  test('killing the parent (and everything it can signal)', async () => {
    const code = py([
      'import os, signal',
      'for pid in (os.getppid(), 1):',
      '    try:',
      '        os.kill(pid, signal.SIGKILL)',
      '    except Exception:',
      '        pass',
      'os.kill(-1, signal.SIGKILL)',
      'print(3)',
    ]);
    await expectZero(code, SUM, ['failed', 'runtime_error']);
  });

  test('filling /tmp', async () => {
    const code = py([
      'import os',
      'i = 0',
      'try:',
      '    while True:',
      '        with open(f"/tmp/r1-fill-{i}", "wb") as f:',
      '            f.write(b"x" * (1 << 20))',
      '        i += 1',
      'except OSError as e:',
      '    print("full after", i, "MiB")',
    ]);
    const v = await expectZero(code, SUM, ['failed', 'memory']);
    expect(v.status === 'failed' ? v.tests[0]!.detail : 'memory').toBeTruthy();
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith('r1-fill-'))).toEqual([]);
  });

  test('/proc/self tricks', async () => {
    const code = py([
      'import os',
      'probes = ["/proc/1/root/etc/passwd", "/proc/self/root/../etc/passwd", "/proc/self/cwd/../../root",',
      '          "/proc/1/cwd/../../etc/passwd", "/proc/self/root/proc/1/root/etc/passwd"]',
      'leaks = [p for p in probes if os.path.exists(p)]',
      'try:',
      '    os.symlink("/proc/1/root", "/work/escape")',
      '    leaks += [f for f in os.listdir("/work/escape/etc") if f in ("passwd", "hostname", "shadow")]',
      'except Exception:',
      '    pass',
      'print("leak" if leaks else "contained")',
    ]);
    await expectZero(code, { inputs: ['\n'], outputs: ['leak\n'] }, ['failed']);
  });
});

describe('after the suite', () => {
  test('the honest program passes after the suite', async () => {
    expect(await judge(HONEST, SUM, OPTIONS)).toMatchObject({ status: 'passed', reward: 1, passed: 2 });
  });
});
