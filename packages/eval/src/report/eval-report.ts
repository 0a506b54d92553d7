/**
 * The human-facing outputs of an evaluation: `summary.json` (machine-readable), `report.md` and a self-contained
 * `report.html` (table of pass@1 ± 95% CI, cons@k, pass@k; a pass@k-vs-k plot; a histogram of completion lengths
 * split by correct and wrong; a few sample completions).
 */
import type { EvalAggregate, ProblemResult } from '../evaluate';
import type { SampleRecord } from '../sample-cache';
import type { ScoreSummary } from '../score-summary';
import { escapeXml, histogram, htmlPage, lineChart } from './svg';

/** `summary.json`: the score summary plus run details. */
export interface EvalSummary extends ScoreSummary {
  meanTokens?: number;
  truncated?: number;
  [meta: string]: unknown;
}

export interface ReportMeta {
  model: string;
  benchmark: string;
  params?: Record<string, unknown>;
  wallSeconds?: number;
}

export function summaryOf(aggregate: EvalAggregate, meta: ReportMeta): EvalSummary {
  return {
    benchmark: meta.benchmark,
    model: meta.model,
    problems: aggregate.problems,
    samplesPerProblem: aggregate.samplesPerProblem,
    pass1: aggregate.pass1,
    pass1CI: aggregate.pass1CI,
    passAtK: aggregate.passAtK,
    consK: aggregate.consK,
    meanTokens: aggregate.meanTokens,
    truncated: aggregate.truncated,
    ...(meta.params ? { params: meta.params } : {}),
    ...(meta.wallSeconds !== undefined ? { wallSeconds: meta.wallSeconds } : {}),
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** Engines that return no token ids (many endpoints) record 0 tokens: then lengths are measured in characters. */
function lengthsOf(samples: readonly SampleRecord[]): {
  unit: 'tokens' | 'characters';
  of: (s: SampleRecord) => number;
} {
  return samples.some((s) => s.tokens > 0)
    ? { unit: 'tokens', of: (s) => s.tokens }
    : { unit: 'characters', of: (s) => s.completion.length };
}

/** pass@k rows after the pass@1 row (pass@1 itself is shown once, with its interval). */
const passAtKRows = (aggregate: EvalAggregate) => Object.entries(aggregate.passAtK).filter(([kk]) => kk !== '1');

const meanTokensText = (aggregate: EvalAggregate) =>
  aggregate.meanTokens > 0 ? aggregate.meanTokens.toFixed(1) : 'not reported by the engine';

export function renderEvalMarkdown(aggregate: EvalAggregate, meta: ReportMeta): string {
  const k = aggregate.samplesPerProblem;
  const lines = [
    `# Evaluation: ${meta.benchmark}`,
    '',
    `Model: \`${meta.model}\` · ${aggregate.problems} problems × ${k} samples`,
    meta.params ? `Sampling: \`${JSON.stringify(meta.params)}\`` : '',
    '',
    '| metric | value |',
    '|---|---|',
    `| pass@1 (mean over ${k} samples) | ${pct(aggregate.pass1)} (95% CI ${pct(aggregate.pass1CI[0])} – ${pct(aggregate.pass1CI[1])}) |`,
    `| cons@${k} (majority vote) | ${pct(aggregate.consK)} |`,
    ...passAtKRows(aggregate).map(([kk, v]) => `| pass@${kk} | ${pct(v)} |`),
    `| mean completion tokens | ${meanTokensText(aggregate)} |`,
    `| truncated (hit max tokens) | ${pct(aggregate.truncated)} |`,
    '',
  ];
  return lines.filter((l, i) => l !== '' || lines[i - 1] !== '').join('\n');
}

export function renderEvalHtml(aggregate: EvalAggregate, problems: readonly ProblemResult[], meta: ReportMeta): string {
  const k = aggregate.samplesPerProblem;
  const rows = [
    [
      `pass@1 <small>(mean of ${k}, 95% CI)</small>`,
      `${pct(aggregate.pass1)} <small>[${pct(aggregate.pass1CI[0])}, ${pct(aggregate.pass1CI[1])}]</small>`,
    ],
    [`cons@${k} <small>(majority vote)</small>`, pct(aggregate.consK)],
    ...passAtKRows(aggregate).map(([kk, v]) => [`pass@${kk}`, pct(v)]),
    ['mean completion tokens', meanTokensText(aggregate)],
    ['truncated', pct(aggregate.truncated)],
  ];
  const passK = lineChart(
    [{ name: 'pass@k', points: Object.entries(aggregate.passAtK).map(([kk, v]) => [Number(kk), v] as const) }],
    { title: 'pass@k vs k', xLabel: 'k (samples)', yLabel: 'pass@k', yRange: [0, 1], logX: true },
  );
  const samples = problems.flatMap((p) => p.samples);
  const length = lengthsOf(samples);
  const lengths = histogram(
    [
      { name: 'correct', values: samples.filter((s) => s.correct).map(length.of) },
      { name: 'wrong', values: samples.filter((s) => !s.correct).map(length.of) },
    ],
    { title: `Completion length (${length.unit})`, xLabel: length.unit, yLabel: 'samples' },
  );
  const examples = problems.slice(0, 4).map((p) => {
    const s = p.samples[0]!;
    return `<h3>${escapeXml(p.problemId)} <span class="${s.correct ? 'ok' : 'bad'}">${s.correct ? '✓' : '✗'}</span> gold <code>${escapeXml(p.gold)}</code>, extracted <code>${escapeXml(s.extracted ?? '—')}</code></h3><pre>${escapeXml(s.completion.slice(0, 2000))}</pre>`;
  });
  const body = [
    `<h1>Evaluation: ${escapeXml(meta.benchmark)}</h1>`,
    `<p>Model <code>${escapeXml(meta.model)}</code> · ${aggregate.problems} problems × ${k} samples${meta.params ? ` · <code>${escapeXml(JSON.stringify(meta.params))}</code>` : ''}</p>`,
    `<table><tr><th>metric</th><th>value</th></tr>${rows.map(([a, b]) => `<tr><td>${a}</td><td>${b}</td></tr>`).join('')}</table>`,
    `<div class="charts">${passK}${lengths}</div>`,
    '<h2>Sample completions</h2>',
    ...examples,
  ];
  return htmlPage(`Evaluation: ${meta.benchmark}`, body.join('\n'));
}
