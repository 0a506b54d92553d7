import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@r1/model';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cli } from './test-utils/capture-io';
import { ROOT, spawnTs, tinyCheckpoint } from './test-utils/tiny-checkpoint';

let server: ChildProcess | undefined;
let url = '';
const out = join(mkdtempSync(join(tmpdir(), 'r1-eval-endpoint-')), 'run');

beforeAll(async () => {
  await initBackend('cpu', { log: () => {} });
  const ckpt = await tinyCheckpoint(5);
  server = spawnTs(join(ROOT, 'packages/sampler/src/bin/r1-serve.ts'), [
    '--model',
    ckpt,
    '--port',
    '0',
    '--backend',
    'cpu',
  ]);
  url = await new Promise<string>((resolve, reject) => {
    // r1-serve says where it serves on stderr (stdout before it had continuous batching): read both.
    let output = '';
    const read = (d: Buffer) => {
      output += d.toString();
      const m = /at (http:\/\/\S+\/v1)/.exec(output);
      if (m) resolve(m[1]!);
    };
    server!.stdout!.on('data', read);
    server!.stderr!.on('data', read);
    server!.on('exit', (code) => reject(new Error(`r1-serve exited with ${code}: ${output}`)));
  });
}, 120_000);

afterAll(() => {
  server?.kill('SIGKILL');
});

const args = (k: number, ...extra: string[]) => [
  'run',
  '--endpoint',
  url,
  '--benchmark',
  'arithmetic',
  '--limit',
  '4',
  '--k',
  String(k),
  '--max-tokens',
  '12',
  '--return-token-ids',
  '--out',
  out,
  ...extra,
];

interface Rec {
  problemId: string;
  sampleIndex: number;
  completion: string;
  tokens: number;
  modelId: string;
}
const records = (): Rec[] =>
  readFileSync(join(out, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Rec);

describe('r1-eval run against r1-serve on loopback', () => {
  test('chat template rendered by the server, model name looked up at /v1/models, token counts returned', async () => {
    const r = await cli(...args(3));
    expect(r.stderr).toMatch(/from tiny @ http:\/\/127\.0\.0\.1:\d+\/v1/);
    expect(r.code).toBe(0);
    const recs = records();
    expect(recs).toHaveLength(12);
    expect(recs.every((x) => x.modelId === `tiny@${url}` && x.tokens > 0 && x.tokens <= 12)).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ model: `tiny @ ${url}`, problems: 4, samplesPerProblem: 3 });
    expect(summary.params.instruction).toMatch(/put your final answer within \\boxed\{\}/);
  });

  test('raising k draws only the new samples, and they are new draws, not the first ones again', async () => {
    const r = await cli(...args(6));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/12 samples already in/);
    const recs = records();
    expect(recs).toHaveLength(24);
    const byProblem = new Map<string, Map<number, string>>();
    for (const x of recs) {
      const m = byProblem.get(x.problemId) ?? new Map<number, string>();
      m.set(x.sampleIndex, x.completion);
      byProblem.set(x.problemId, m);
    }
    // A seeded server given the same seed again would repeat samples 0–2 as 3–5 (see open-sampler.ts).
    for (const m of byProblem.values()) {
      expect([m.get(3), m.get(4), m.get(5)]).not.toEqual([m.get(0), m.get(1), m.get(2)]);
    }
  });

  test("a request the server rejects: exit 1 with the URL and the server's own message", async () => {
    const other = join(out, '..', 'too-long');
    const r = await cli('run', '--endpoint', url, '--benchmark', 'arithmetic', '--max-tokens', '4096', '--out', other);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${url}/chat/completions answered 400:`);
    expect(r.stderr).toMatch(/context is 256 tokens \(max_position_embeddings\)|max_position_embeddings 256/);
  });

  test('the server going away mid-evaluation: exit 1 with URL and cause, every sample already written kept', async () => {
    const before = readFileSync(join(out, 'results.jsonl'));
    server!.kill('SIGKILL');
    await new Promise((resolve) => server!.once('exit', resolve));
    const r = await cli(...args(8, '--api-model', 'tiny', '--max-retries', '0'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`request to ${url}/chat/completions failed (ECONNREFUSED)`);
    expect(r.stderr).toMatch(/keeps the 24 samples drawn so far; rerun the same command to resume/);
    expect(readFileSync(join(out, 'results.jsonl'))).toEqual(before);
  });
});
