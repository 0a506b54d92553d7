/**
 * The tiny protocol between `pnpm bench` (scripts/bench.ts) and the `*.bench.ts` files of each package.
 * A bench file is a plain script: it measures, then calls `report()` once per number. The runner starts each file
 * in its own process (so one benchmark's warm caches or threads never colour another's) and collects the lines.
 */

export interface BenchResult {
  /** Dotted name; names are contracts (issues and BENCHMARKS.md refer to them). */
  name: string;
  value: number;
  unit: string;
  [extra: string]: unknown;
}

export const BENCH_LINE_PREFIX = '@@r1-bench ';

export function report(result: BenchResult): void {
  process.stdout.write(`${BENCH_LINE_PREFIX}${JSON.stringify(result)}\n`);
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `fn` `warmup` times untimed, then `iterations` times timed; returns every timing in ms. */
export async function timeIt(
  fn: () => unknown | Promise<unknown>,
  { warmup = 2, iterations = 10 }: { warmup?: number; iterations?: number } = {},
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times;
}
