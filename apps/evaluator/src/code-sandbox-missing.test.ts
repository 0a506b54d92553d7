/**
 * Fail closed: when no usable cgroup can be had (here: R1_SANDBOX_CGROUP names a directory that is not a cgroup —
 * the same refusal as a machine without bwrap or without cgroup delegation), `run --benchmark code` and `score` on
 * code lines stop with @r1/sandbox's message and its fix, exit 1, draw no sample and write nothing. Its own file:
 * the sandbox host is detected once per process.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cli } from './test-utils/capture-io';
import { type FakeEndpoint, startFakeEndpoint } from './test-utils/fake-endpoint';

const dir = mkdtempSync(join(tmpdir(), 'r1-eval-no-sandbox-'));
const saved = process.env.R1_SANDBOX_CGROUP;
let server: FakeEndpoint;
beforeAll(async () => {
  process.env.R1_SANDBOX_CGROUP = join(dir, 'not-a-cgroup');
  server = await startFakeEndpoint(() => '```python\nprint(3)\n```');
});
afterAll(async () => {
  if (saved === undefined) delete process.env.R1_SANDBOX_CGROUP;
  else process.env.R1_SANDBOX_CGROUP = saved;
  await server.close();
});

const tests = { inputs: ['1 2\n'], outputs: ['3\n'] };

describe('without a usable sandbox', () => {
  test('r1-eval run --benchmark code refuses before sampling, with the fix', async () => {
    const data = join(dir, 'apps.jsonl');
    writeFileSync(data, `${JSON.stringify({ question: 'Add.', input_output: JSON.stringify(tests) })}\n`);
    const out = join(dir, 'run');
    const r = await cli(
      'run',
      '--endpoint',
      server.url,
      '--benchmark',
      'code',
      '--data',
      data,
      '--code-format',
      'apps',
      '--out',
      out,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^r1-eval run: the code sandbox is unavailable, so nothing was judged/);
    expect(r.stderr).toMatch(/not a cgroup v2 directory/);
    expect(r.stderr).toMatch(/R1_SANDBOX_CGROUP/); // the fix: how to delegate a cgroup
    expect(server.requests).toBe(0);
    expect(existsSync(out)).toBe(false);
  });

  test('r1-eval score refuses code lines (math lines alone still score)', async () => {
    const input = join(dir, 'lines.jsonl');
    writeFileSync(input, `${JSON.stringify({ problem_id: 'a', completion: '```python\nprint(3)\n```', tests })}\n`);
    const details = join(dir, 'details.jsonl');
    const r = await cli('score', '--input', input, '--details', details);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^r1-eval score: the code sandbox is unavailable/);
    expect(r.stdout).toBe('');
    expect(existsSync(details)).toBe(false);

    const math = join(dir, 'math.jsonl');
    writeFileSync(math, `${JSON.stringify({ problem_id: 'm', gold: '2', completion: '\\boxed{2}' })}\n`);
    expect((await cli('score', '--input', math)).code).toBe(0);
  });
});
