import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { runCli } from './r1-verify';

async function run(input: string, argv: string[] = []): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += String(d);
  });
  stderr.on('data', (d) => {
    err += String(d);
  });
  const code = await runCli(argv, { stdin: Readable.from([input]), stdout, stderr });
  return { code, out, err };
}

const lines = (s: string) =>
  s
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('r1-verify', () => {
  test('one result per input line, in order, with id/correct/extracted/reason', async () => {
    const input = [
      JSON.stringify({ id: 'a', gold: '\\frac12', pred: 'so \\boxed{0.5}' }),
      JSON.stringify({ id: 7, gold: '3', pred: 'The answer is 4' }),
      JSON.stringify({
        gold: '$x \\in [-2,7]$',
        pred: '$-2 \\le x \\le 7$',
        options: { match_types: ['latex'], allow_set_relation_comp: true },
      }),
    ].join('\n');
    const { code, out } = await run(input);
    expect(code).toBe(0);
    const res = lines(out);
    expect(res).toHaveLength(3);
    expect(res[0]).toMatchObject({ id: 'a', correct: true, extracted: '0.5' });
    expect(res[1]).toMatchObject({ id: 7, correct: false, extracted: '4' });
    expect(res[2]).toMatchObject({ id: null, correct: true });
    expect(typeof res[0].reason).toBe('string');
  });

  test('a malformed line gives an error line naming the line number; the rest still run', async () => {
    const input = [
      'not json',
      '',
      JSON.stringify({ id: 2, gold: 1, pred: 'x' }),
      JSON.stringify({ id: 3, gold: '1', pred: '1', options: { precison: 2 } }),
      JSON.stringify({ id: 4, gold: '1', pred: '\\boxed{1}' }),
    ].join('\n');
    const { code, out } = await run(input);
    expect(code).toBe(0);
    const res = lines(out);
    expect(res).toHaveLength(4);
    expect(res[0]).toMatchObject({ correct: false, extracted: null });
    expect(res[0].error).toMatch(/^line 1: invalid JSON/);
    expect(res[1].error).toMatch(/^line 3: field "gold" must be a string/);
    expect(res[2]).toMatchObject({ id: 3 });
    expect(res[2].error).toMatch(/^line 4: .*unknown option 'precison'/);
    expect(res[3]).toMatchObject({ id: 4, correct: true });
  });

  test('reads --input FILE; an unreadable file exits 2; bad arguments exit 64', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'r1-verify-'));
    const file = join(dir, 'in.jsonl');
    writeFileSync(file, `${JSON.stringify({ gold: '2', pred: '\\boxed{2}' })}\n`);
    const ok = await run('', ['--input', file]);
    expect(ok.code).toBe(0);
    expect(lines(ok.out)[0]).toMatchObject({ correct: true });
    const missing = await run('', ['--input', join(dir, 'missing.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/cannot read input file/);
    expect((await run('', ['--bogus'])).code).toBe(64);
  });

  test('the executable streams stdin to stdout end to end', () => {
    const bin = fileURLToPath(new URL('./r1-verify.ts', import.meta.url));
    const tsx = fileURLToPath(new URL('../../../../node_modules/.bin/tsx', import.meta.url));
    const r = spawnSync(tsx, [bin], {
      input: `${JSON.stringify({ id: 1, gold: '18', pred: '#### 18' })}\n`,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ id: 1, correct: true, extracted: '18' });
  });
});
