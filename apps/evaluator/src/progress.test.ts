import { describe, expect, test } from 'vitest';
import { createProgress, formatDuration } from './progress';

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('progress', () => {
  test.each([
    [0, '0s'],
    [42.4, '42s'],
    [187, '3m07s'],
    [3720, '1h02m'],
    [Number.NaN, '—'],
    [-1, '—'],
  ])('formatDuration(%f) = %s', (s, text) => expect(formatDuration(s)).toBe(text));

  test('plain lines (not a TTY): at most one per 5% step, with running pass@1, rate and ETA', () => {
    const lines: string[] = [];
    const c = clock();
    const p = createProgress({ totalProblems: 100, totalSamples: 400, write: (t) => lines.push(t), tty: false, ...c });
    for (let done = 1; done <= 100; done++) {
      c.advance(1000);
      p.update({ problemsDone: done, samplesDone: 4 * done, samplesGenerated: 4 * done, runningPass1: 0.25 });
    }
    p.done();
    expect(lines).toHaveLength(21); // 1% (the first update), then 5%, 10%, …, 100%
    expect(lines.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
    expect(lines[1]).toBe('progress: 5% · 5/100 problems · pass@1 25.0% · 4.0 samples/s · ETA 1m35s\n');
    expect(lines.at(-1)).toBe('progress: 100% · 100/100 problems · pass@1 25.0% · 4.0 samples/s · done in 1m40s\n');
  });

  test('a TTY gets one bar redrawn in place, then a newline', () => {
    const writes: string[] = [];
    const c = clock();
    const p = createProgress({
      totalProblems: 4,
      totalSamples: 16,
      write: (t) => writes.push(t),
      tty: true,
      barWidth: 8,
      ...c,
    });
    c.advance(2000);
    p.update({ problemsDone: 1, samplesDone: 4, samplesGenerated: 4, runningPass1: 0.5 });
    c.advance(2000);
    p.update({ problemsDone: 2, samplesDone: 8, samplesGenerated: 8, runningPass1: 0.5 });
    p.done();
    expect(writes).toHaveLength(3);
    expect(writes[0]).toBe('\r\x1b[2K[██░░░░░░] 25% · 1/4 problems · pass@1 50.0% · 2.0 samples/s · ETA 6s');
    expect(writes[1]).toContain('[████░░░░] 50%');
    expect(writes[2]).toBe('\n');
  });

  test('samples found in the cache count as done but not toward the rate; no rate yet → no ETA', () => {
    const lines: string[] = [];
    const c = clock();
    const p = createProgress({ totalProblems: 10, totalSamples: 40, write: (t) => lines.push(t), tty: false, ...c });
    c.advance(500);
    p.update({ problemsDone: 5, samplesDone: 20, samplesGenerated: 0, runningPass1: 1 });
    expect(lines[0]).toBe('progress: 50% · 5/10 problems · pass@1 100.0% · 0.0 samples/s · ETA —\n');
  });
});
