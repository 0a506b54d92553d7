/**
 * `pnpm bench [--json] [--filter TEXT]`: runs every `*.bench.ts` under packages/ and apps/, each in its own process,
 * and prints a table (or, with --json, one JSON object per line: {"name", "value", "unit", ...extra}).
 * A bench file that fails is reported and makes the exit code non-zero; the others still run.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_LINE_PREFIX, type BenchResult } from './bench-lib';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const json = args.includes('--json');
const filterAt = args.indexOf('--filter');
const filter = filterAt >= 0 ? args[filterAt + 1] : undefined;

function findBenchFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...findBenchFiles(path));
    else if (entry.endsWith('.bench.ts')) out.push(path);
  }
  return out;
}

const files = ['packages', 'apps']
  .flatMap((d) => findBenchFiles(join(root, d)))
  .filter((f) => !filter || relative(root, f).includes(filter))
  .sort();

const results: BenchResult[] = [];
let failed = 0;
for (const file of files) {
  const rel = relative(root, file);
  if (!json) process.stderr.write(`running ${rel} …\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', file], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json') },
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  for (const line of run.stdout.split('\n')) {
    if (!line.startsWith(BENCH_LINE_PREFIX)) continue;
    const result = JSON.parse(line.slice(BENCH_LINE_PREFIX.length)) as BenchResult;
    results.push(result);
    if (json) process.stdout.write(`${JSON.stringify({ ...result, file: rel })}\n`);
  }
  if (run.status !== 0) {
    failed++;
    process.stderr.write(`bench ${rel} failed with exit code ${run.status ?? run.signal}\n`);
  }
}

if (!json) {
  const rows = results.map((r) => {
    const { name, value, unit, ...extra } = r;
    const shown = Number.isInteger(value) ? String(value) : value.toPrecision(4);
    return [
      name,
      shown,
      unit,
      Object.entries(extra)
        .map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(4) : JSON.stringify(v)}`)
        .join(' '),
    ];
  });
  const header = ['benchmark', 'value', 'unit', 'details'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(fmt(r));
  if (files.length === 0) console.log(filter ? `no bench files match "${filter}"` : 'no bench files found');
}
process.exit(failed > 0 ? 1 : 0);
