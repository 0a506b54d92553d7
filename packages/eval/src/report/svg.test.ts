import { describe, expect, test } from 'vitest';
import { escapeXml, histogram, lineChart, niceTicks } from './svg';

describe('svg charts', () => {
  test.each([
    [0, 1, 5, [0, 0.2, 0.4, 0.6, 0.8, 1]],
    [0, 100, 5, [0, 20, 40, 60, 80, 100]],
    [3, 3, 5, [3]],
  ])('niceTicks(%f, %f)', (lo, hi, n, ticks) => expect(niceTicks(lo, hi, n)).toEqual(ticks));

  test('escapes text so data cannot inject markup', () => {
    expect(escapeXml('<script>&"\'')).toBe('&lt;script&gt;&amp;&quot;&#39;');
    const svg = lineChart([{ name: '<b>x</b>', points: [[1, 0.5]] }], { title: 'a<b', xLabel: 'x', yLabel: 'y' });
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('a&lt;b');
  });

  test('line chart draws a path per series and survives empty / non-finite data', () => {
    const svg = lineChart(
      [
        {
          name: 'reward',
          points: [
            [0, 0.1],
            [1, 0.4],
            [2, 0.8],
          ],
        },
        {
          name: 'acc',
          points: [
            [0, Number.NaN],
            [1, 0.2],
          ],
        },
      ],
      { title: 't', xLabel: 'step', yLabel: 'v', yRange: [0, 1] },
    );
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(lineChart([], { title: 't', xLabel: 'x', yLabel: 'y' })).toContain('no data');
  });

  test('histogram counts every value once', () => {
    const svg = histogram(
      [
        { name: 'correct', values: [1, 2, 2, 3, 10] },
        { name: 'wrong', values: [5, 5] },
      ],
      { title: 'len', xLabel: 'tokens', yLabel: 'n', bins: 5 },
    );
    const counts: Record<string, number> = {};
    for (const m of svg.matchAll(/<title>(\w+): (\d+) in/g)) counts[m[1]!] = (counts[m[1]!] ?? 0) + Number(m[2]);
    expect(counts).toEqual({ correct: 5, wrong: 2 });
    expect(histogram([{ name: 'a', values: [7, 7] }], { title: 't', xLabel: 'x', yLabel: 'y' })).toContain('a: 2 in');
  });
});
