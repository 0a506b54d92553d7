import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mathVerify } from '@r1/rewards';
import { describe, expect, it } from 'vitest';
import { expandMultiFileFlags, sampleCommand } from './sample';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const BASE = join(ROOT, 'apps/trainer/checkpoints/base-arith');
const CLI = join(ROOT, 'apps/trainer/src/cli.ts');
const BENCHMARKS = join(ROOT, '../shared/data/benchmarks');
const tmp = () => mkdtempSync(join(tmpdir(), 'r1-sample-'));

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await sampleCommand(argv, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    env: {},
  });
  return { code, stdout, stderr };
}

const rows = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const runArgs = (out: string, count: number, ...extra: string[]) => [
  'run',
  '--model',
  BASE,
  '--task',
  'arithmetic',
  '--count',
  String(count),
  '--k',
  '4',
  '--max-tokens',
  '96',
  '--concurrency',
  '4',
  '--out',
  out,
  ...extra,
];

describe('r1-train sample run on the committed base model', () => {
  it('writes verified traces only, counts every removal, and a rerun with other settings is refused', async () => {
    const out = tmp();
    const args = runArgs(
      out,
      12,
      '--rejected',
      ...(existsSync(BENCHMARKS)
        ? ['--decontaminate', join(BENCHMARKS, 'gsm8k.jsonl'), join(BENCHMARKS, 'math500.jsonl')]
        : []),
    );
    const r = await run(args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/kept \d+ of 48 traces/);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const data = rows(join(out, 'data.jsonl'));
    expect(manifest.input).toBe(48);
    expect(data.length).toBe(manifest.kept);
    expect(manifest.kept).toBeGreaterThan(0);
    const removed = Object.values(manifest.removed as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(manifest.kept + removed).toBe(48);
    expect(rows(join(out, 'rejected.jsonl')).length).toBe(removed);
    for (const row of data) {
      const [user, assistant] = row.messages as { content: string }[];
      expect(user!.content).toMatch(/^What is/);
      expect(mathVerify(String(row.gold), assistant!.content).correct).toBe(true);
      expect(assistant!.content).toMatch(/<think>[\s\S]*\S[\s\S]*<\/think>/);
    }
    const again = await run(runArgs(out, 12, '--temperature', '0.9'));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/temperature: 0.6 before, 0.9 now/);
  });

  it('kill -9 mid-run, then the same command: exactly the rows of an uninterrupted run, nothing drawn twice', async () => {
    const reference = tmp();
    expect((await run(runArgs(reference, 24))).code).toBe(0);
    const out = tmp();
    const traces = join(out, 'traces.jsonl');
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'sample', ...runArgs(out, 24)], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const started = Date.now();
    while (Date.now() - started < 60_000) {
      const n = existsSync(traces) ? readFileSync(traces, 'utf8').split('\n').length - 1 : 0;
      if (n >= 16) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await exited;
    const before = readFileSync(traces, 'utf8').split('\n').length - 1;
    expect(before).toBeLessThan(96);
    const r = await run(runArgs(out, 24));
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(out, 'data.jsonl'), 'utf8')).toBe(readFileSync(join(reference, 'data.jsonl'), 'utf8'));
    const keys = readFileSync(traces, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).key as string);
    expect(keys.length).toBe(96);
    expect(new Set(keys).size).toBe(96);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.source.generated_this_run).toBeLessThanOrEqual(96 - Math.floor(before / 4) * 4 + 4);
  });
});

describe('r1-train sample filter', () => {
  it('filters traces made elsewhere into the same layout', async () => {
    const dir = tmp();
    const input = join(dir, 'traces.jsonl');
    const good = '<think> 2 + 2 = 4, so the sum is four. </think> <answer> 4 </answer>';
    writeFileSync(
      input,
      [
        { problem_id: 'a', problem: 'What is 2 + 2?', gold: '4', completion: good },
        {
          problem_id: 'a',
          problem: 'What is 2 + 2?',
          gold: '4',
          completion: good.replace('4 </answer>', '5 </answer>'),
        },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const r = await run(['filter', '--input', input, '--out', join(dir, 'out'), '--format', 'prompt-completion']);
    expect(r.code, r.stderr).toBe(0);
    const data = rows(join(dir, 'out', 'data.jsonl'));
    expect(data).toHaveLength(1);
    expect(data[0]!.prompt).toEqual([{ role: 'user', content: 'What is 2 + 2?' }]);
    expect(data[0]!.completion).toEqual([{ role: 'assistant', content: good }]);
  });

  it('--max-trace-tokens needs --tokenizer, and the base model tokenizer counts tokens', async () => {
    const dir = tmp();
    const input = join(dir, 'traces.jsonl');
    writeFileSync(
      input,
      `${JSON.stringify({ problem_id: 'a', problem: 'What is 2 + 2?', gold: '4', completion: '<think> add two and two </think> <answer> 4 </answer>' })}\n`,
    );
    const bad = await run(['filter', '--input', input, '--out', join(dir, 'o1'), '--max-trace-tokens', '5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--tokenizer DIR/);
    const ok = await run([
      'filter',
      '--input',
      input,
      '--out',
      join(dir, 'o2'),
      '--max-trace-tokens',
      '5',
      '--tokenizer',
      BASE,
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'o2', 'manifest.json'), 'utf8')).removed.too_long).toBe(1);
  });
});

describe('usage errors (exit 2, with the fix)', () => {
  it.each([
    [['run', '--task', 'arithmetic', '--out', '/tmp/x'], /exactly one of --model DIR and --endpoint URL/],
    [['run', '--model', BASE, '--out', '/tmp/x'], /exactly one of --task NAME and --data FILE/],
    [['run', '--model', BASE, '--task', 'arithmetic'], /--out DIR is required/],
    [
      ['run', '--model', BASE, '--task', 'arithmetic', '--out', '/tmp/x', '--select', 'best'],
      /--select must be one of/,
    ],
    [
      ['run', '--model', BASE, '--task', 'arithmetic', '--out', '/tmp/x', '--pass-band', '0.9,0.1'],
      /--pass-band must be LO,HI/,
    ],
    [
      ['run', '--model', BASE, '--task', 'arithmetic', '--out', '/tmp/x', '--best-n', '2'],
      /--best-n needs --select best-n/,
    ],
    [['run', '--model', BASE, '--task', 'arithmetic', '--out', '/tmp/x', '--task-options', '[1]'], /JSON object/],
    [
      ['run', '--model', BASE, '--task', 'arithmetic', '--out', '/tmp/x', '--frobnicate'],
      /Unknown option '--frobnicate'/,
    ],
    [['filter', '--out', '/tmp/x'], /--input TRACES.jsonl/],
    [['sift'], /unknown subcommand 'sift'/],
  ])('%j', async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('--decontaminate takes several files', () => {
    expect(expandMultiFileFlags(['--decontaminate', 'a', 'b', '--rejected'])).toEqual([
      '--decontaminate',
      'a',
      '--decontaminate',
      'b',
      '--rejected',
    ]);
  });
});
