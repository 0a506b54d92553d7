import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@r1/model';
import { beforeAll, describe, expect, test } from 'vitest';
import { cli } from './test-utils/capture-io';
import { CLI, spawnTs, tinyCheckpoint } from './test-utils/tiny-checkpoint';

let ckpt = '';
const work = mkdtempSync(join(tmpdir(), 'r1-eval-resume-'));
const PROBLEMS = 40;
const K = 4;

beforeAll(async () => {
  await initBackend('cpu', { log: () => {} });
  ckpt = await tinyCheckpoint(11);
});

const args = (out: string) => [
  'run',
  '--model',
  ckpt,
  '--backend',
  'cpu',
  '--benchmark',
  'arithmetic',
  '--limit',
  String(PROBLEMS),
  '--k',
  String(K),
  '--batch',
  '2',
  '--max-tokens',
  '16',
  '--template',
  'raw',
  '--out',
  out,
];

/** Complete lines only: a kill can leave a torn last line without its newline, which the resume cuts off. */
const lineCount = (path: string) =>
  existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .slice(0, -1)
        .filter((l) => l.trim() !== '').length
    : 0;

/** Every record, parsed and sorted by key (file order depends on where the run was cut). */
const sortedRecords = (out: string) =>
  readFileSync(join(out, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { key: string })
    .sort((a, b) => a.key.localeCompare(b.key));

describe('kill -9 in the middle of a run', () => {
  test('the rerun loses and duplicates nothing and ends with exactly the records of an uninterrupted run', async () => {
    const reference = join(work, 'reference');
    expect((await cli(...args(reference))).code).toBe(0);

    const out = join(work, 'killed');
    const results = join(out, 'results.jsonl');
    const child = spawnTs(CLI, args(out));
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.on('exit', (code, signal) => resolve(signal ?? code)),
    );
    // Kill once a few batches are on disk, well before the end.
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (lineCount(results) >= 3 * 2 * K) {
          clearInterval(timer);
          child.kill('SIGKILL');
          resolve();
        }
      }, 10);
      child.on('exit', () => {
        clearInterval(timer);
        reject(new Error(`r1-eval ended before it could be killed: ${stderr}`));
      });
    });
    expect(await exited).toBe('SIGKILL');
    const survived = lineCount(results);
    expect(survived).toBeGreaterThanOrEqual(3 * 2 * K);
    expect(survived).toBeLessThan(PROBLEMS * K);
    expect(existsSync(join(out, 'summary.json'))).toBe(false);

    const rerun = await cli(...args(out));
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toMatch(new RegExp(`${survived} samples already in`));
    const records = sortedRecords(out);
    expect(new Set(records.map((r) => r.key)).size).toBe(PROBLEMS * K);
    expect(records).toEqual(sortedRecords(reference));
    const summary = (dir: string) => ({
      ...JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')),
      wallSeconds: 0,
    });
    expect(summary(out)).toEqual(summary(reference));
  });
});
