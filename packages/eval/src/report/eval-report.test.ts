import { describe, expect, test } from 'vitest';
import { aggregate, type ProblemResult, problemResult } from '../evaluate';
import type { SampleRecord } from '../sample-cache';
import { renderEvalHtml, renderEvalMarkdown, summaryOf } from './eval-report';

function record(problemId: string, sampleIndex: number, correct: boolean, tokens: number): SampleRecord {
  return {
    key: `${problemId}#${sampleIndex}`,
    problemId,
    sampleIndex,
    modelId: 'm',
    completion: `<think>step</think> the answer is ${correct ? 1 : 2} <script>alert(1)</script>`,
    extracted: correct ? '1' : '2',
    correct,
    finishReason: tokens >= 100 ? 'length' : 'stop',
    tokens,
  };
}

const same = (a: string, b: string) => a === b;
const problems: ProblemResult[] = [
  problemResult({ id: 'p1', answer: '1' }, [record('p1', 0, true, 10), record('p1', 1, false, 100)], same),
  problemResult({ id: 'p2', answer: '1' }, [record('p2', 0, true, 20), record('p2', 1, true, 30)], same),
];
const meta = { model: 'tiny <model>', benchmark: 'arith', params: { k: 2, temperature: 0.6 } };

describe('evaluation report', () => {
  test('summary.json carries the aggregate and the meta', () => {
    const agg = aggregate(problems);
    const s = summaryOf(agg, { ...meta, wallSeconds: 1.5 });
    expect(s).toMatchObject({
      benchmark: 'arith',
      model: 'tiny <model>',
      problems: 2,
      samplesPerProblem: 2,
      pass1: 0.75,
      consK: 1,
      passAtK: { '1': 0.75, '2': 1 },
      meanTokens: 40,
      truncated: 0.25,
      wallSeconds: 1.5,
    });
  });

  test('markdown: pass@1 with its CI once, then cons@k and pass@k for k ≥ 2', () => {
    const md = renderEvalMarkdown(aggregate(problems), meta);
    expect(md).toMatch(/\| pass@1 \(mean over 2 samples\) \| 75\.0% \(95% CI \d+\.\d% – 100\.0%\) \|/);
    expect(md).toContain('| cons@2 (majority vote) | 100.0% |');
    expect(md).toContain('| pass@2 | 100.0% |');
    expect(md).not.toContain('| pass@1 |');
    expect(md).toContain('| truncated (hit max tokens) | 25.0% |');
  });

  test('HTML is self-contained, escapes completions, and has both charts', () => {
    const html = renderEvalHtml(aggregate(problems), problems, meta);
    expect(html).not.toMatch(/<script|<link|src=|href=|url\(|@import/i);
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('tiny &lt;model&gt;');
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('pass@k vs k');
    expect(html).toContain('Completion length (tokens)');
    expect(html).toContain('correct (3)');
    expect(html).toContain('wrong (1)');
  });

  test('lengths fall back to characters when the engine reported no tokens', () => {
    const zero = problems.map((p) => ({ ...p, samples: p.samples.map((s) => ({ ...s, tokens: 0 })) }));
    const agg = aggregate(zero);
    expect(renderEvalHtml(agg, zero, meta)).toContain('Completion length (characters)');
    expect(renderEvalMarkdown(agg, meta)).toContain('| mean completion tokens | not reported by the engine |');
  });
});
