import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@r1/model';
import { beforeAll, describe, expect, test } from 'vitest';
import { cli } from './test-utils/capture-io';
import { tinyCheckpoint } from './test-utils/tiny-checkpoint';

let ckpt = '';
const work = mkdtempSync(join(tmpdir(), 'r1-eval-run-'));

beforeAll(async () => {
  await initBackend('cpu', { log: () => {} });
  ckpt = await tinyCheckpoint();
});

const local = (out: string, ...extra: string[]) => [
  'run',
  '--model',
  ckpt,
  '--backend',
  'cpu',
  '--template',
  'raw',
  '--max-tokens',
  '12',
  '--out',
  out,
  ...extra,
];

interface Rec {
  key: string;
  problemId: string;
  sampleIndex: number;
  correct: boolean;
  tokens: number;
}
const records = (out: string): Rec[] =>
  readFileSync(join(out, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Rec);

describe('r1-eval run on a local checkpoint', () => {
  const out = join(work, 'arith');

  test('arithmetic, k 4: every sample recorded once, summary and reports agree with the records', async () => {
    const r = await cli(...local(out, '--benchmark', 'arithmetic', '--limit', '6', '--k', '4', '--batch', '4'));
    expect(r.stderr).toMatch(/progress: 100% · 6\/6 problems · pass@1 \d+\.\d% · .* samples\/s · done in/);
    expect(r.code).toBe(0);
    const recs = records(out);
    expect(recs).toHaveLength(24);
    expect(new Set(recs.map((x) => x.key)).size).toBe(24);
    const byProblem = new Map<string, number[]>();
    for (const x of recs) byProblem.set(x.problemId, [...(byProblem.get(x.problemId) ?? []), x.sampleIndex]);
    expect(byProblem.size).toBe(6);
    for (const indices of byProblem.values()) expect(indices.sort()).toEqual([0, 1, 2, 3]);
    expect(recs.every((x) => x.tokens > 0 && x.tokens <= 12)).toBe(true);

    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({
      benchmark: 'arithmetic',
      model: ckpt,
      problems: 6,
      samplesPerProblem: 4,
      params: { k: 4, temperature: 0.6, topP: 0.95, maxTokens: 12, seed: 0, template: 'raw' },
    });
    expect(summary.pass1).toBeCloseTo(recs.filter((x) => x.correct).length / 24, 12);
    expect(Object.keys(summary.passAtK)).toEqual(['1', '2', '4']);
    expect(summary.pass1CI[0]).toBeLessThanOrEqual(summary.pass1);
    expect(summary.pass1CI[1]).toBeGreaterThanOrEqual(summary.pass1);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/\| pass@1 \(mean over 4 samples\) \|/);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/<svg [\s\S]*pass@k vs k[\s\S]*Completion length/);
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'))).toMatchObject({ modelId: ckpt, k: 4 });
    expect(r.stdout).toMatch(/^arithmetic: 6 problems × 4 samples\npass@1 {3}\d+\.\d% {2}\(95% CI /);
  });

  test('rerunning the same command draws nothing and leaves results.jsonl byte-identical', async () => {
    const before = readFileSync(join(out, 'results.jsonl'));
    const summaryBefore = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const r = await cli(...local(out, '--benchmark', 'arithmetic', '--limit', '6', '--k', '4', '--batch', '4'));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/24 samples already in/);
    expect(readFileSync(join(out, 'results.jsonl'))).toEqual(before);
    const summaryAfter = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect({ ...summaryAfter, wallSeconds: 0 }).toEqual({ ...summaryBefore, wallSeconds: 0 });
  });

  test('raising k and the problem count draws only the new samples, keeping the old ones', async () => {
    const before = readFileSync(join(out, 'results.jsonl'), 'utf8');
    const r = await cli(...local(out, '--benchmark', 'arithmetic', '--limit', '8', '--k', '6', '--batch', '4'));
    expect(r.code).toBe(0);
    const after = readFileSync(join(out, 'results.jsonl'), 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(records(out)).toHaveLength(48);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toMatchObject({
      problems: 8,
      samplesPerProblem: 6,
    });
  });

  test('other sampling settings in the same --out are refused (exit 2) and touch nothing', async () => {
    const before = readFileSync(join(out, 'results.jsonl'));
    const r = await cli(...local(out, '--benchmark', 'arithmetic', '--limit', '6', '--k', '4', '--temperature', '1'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds samples drawn with other settings \(temperature 0\.6 there, 1 now\)/);
    expect(readFileSync(join(out, 'results.jsonl'))).toEqual(before);
  });

  test('countdown: numbers and target reach the judge', async () => {
    const cd = join(work, 'countdown');
    const r = await cli(...local(cd, '--benchmark', 'countdown', '--preset', 'tiny', '--limit', '2', '--k', '2'));
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(cd, 'summary.json'), 'utf8'))).toMatchObject({ problems: 2, consK: 0 });
  });

  test('a malformed dataset line: exit 1 naming file, line and field; samples already written are kept', async () => {
    const data = join(work, 'data.jsonl');
    writeFileSync(
      data,
      '{"problem": "1+1=", "answer": "2", "id": "a"}\n{"problem": "2+2=", "answer": "4", "id": "b"}\n',
    );
    const dout = join(work, 'data-run');
    const args = [...local(dout, '--data', data, '--id-field', 'id', '--k', '2')];
    expect((await cli(...args)).code).toBe(0);
    const before = readFileSync(join(dout, 'results.jsonl'));
    expect(records(dout)).toHaveLength(4);

    appendFileSync(data, '{"problem": "3+3=", "id": "c"}\n');
    const missing = await cli(...args);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/data\.jsonl:3: field "answer": missing; fields present: problem, id/);
    expect(readFileSync(join(dout, 'results.jsonl'))).toEqual(before);

    writeFileSync(data, `${readFileSync(data, 'utf8').split('\n').slice(0, 2).join('\n')}\n{"problem": "3+3=", "ans\n`);
    const broken = await cli(...args);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/data\.jsonl:3: malformed JSON/);
    expect(readFileSync(join(dout, 'results.jsonl'))).toEqual(before);
  });

  test('--max-tokens beyond the checkpoint context is a usage error', async () => {
    const r = await cli(...local(join(work, 'ctx'), '--benchmark', 'arithmetic', '--max-tokens', '4096'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--max-tokens 4096 does not fit this checkpoint's context of 256 tokens/);
  });

  test('the chat template on a checkpoint without one is a usage error naming the alternatives', async () => {
    const plain = await tinyCheckpoint(3, false);
    const r = await cli(
      'run',
      '--model',
      plain,
      '--max-tokens',
      '8',
      '--benchmark',
      'arithmetic',
      '--out',
      join(work, 'c'),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--template chat \(the default\): .* has no chat template .* use --template r1-zero or/);
  });

  test('a missing checkpoint directory is a usage error', async () => {
    const r = await cli('run', '--model', join(work, 'nope'), '--benchmark', 'arithmetic', '--out', join(work, 'x'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--model .*nope: no such directory/);
    expect(existsSync(join(work, 'x'))).toBe(false);
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('r1-eval run against an unreachable endpoint', () => {
  test('model lookup fails fast with the URL, the cause and the fix; exit 1; --out untouched', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1`;
    const out = join(work, 'unreachable');
    const r = await cli('run', '--endpoint', url, '--benchmark', 'arithmetic', '--max-retries', '0', '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`GET ${url}/models failed (ECONNREFUSED)`);
    expect(r.stderr).toMatch(/Is the server running at that address\? Check --endpoint/);
    expect(existsSync(out)).toBe(false);
  });

  test('with --api-model the generation request fails with the URL and the cause; exit 1', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1`;
    const out = join(work, 'unreachable2');
    const r = await cli(
      'run',
      '--endpoint',
      url,
      '--api-model',
      'm',
      '--benchmark',
      'arithmetic',
      '--max-retries',
      '0',
      '--out',
      out,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`request to ${url}/chat/completions failed (ECONNREFUSED)`);
    expect(r.stderr).toMatch(/keeps the 0 samples drawn so far; rerun the same command to resume/);
  });
});
