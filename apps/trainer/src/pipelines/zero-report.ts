/**
 * The run report (`runs/<name>/report.html`), self-contained: training reward and accuracy, held-out pass@1 and mean
 * response length over steps — the paper's Figures 2 and 3 in miniature — the before/after table with 95% CIs, and a
 * few completions of the trained model.
 */
import { writeFileSync } from 'node:fs';
import { escapeXml, htmlPage, lineChart, type ProblemResult } from '@r1/eval';
import type { TrainerConfig } from '../trainer-config';
import type { StepRecord, ZeroSummary } from './zero';

export interface ReportInput {
  summary: ZeroSummary;
  history: readonly StepRecord[];
  config: TrainerConfig;
  samples: readonly ProblemResult[];
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function renderReport({ summary, history, config, samples }: ReportInput): string {
  const steps = history.map((h) => h.step + 1);
  const heldOut: [number, number][] = [[0, summary.before.pass1]];
  for (const h of history) if (h.heldOutPass1 !== undefined) heldOut.push([h.step + 1, h.heldOutPass1]);
  heldOut.push([summary.steps, summary.after.pass1]);
  const rewardChart = lineChart(
    [
      { name: 'reward (mean)', points: history.map((h, i) => [steps[i]!, h.rewardMean] as const) },
      { name: 'training accuracy', points: history.map((h, i) => [steps[i]!, h.accuracy] as const) },
      { name: `held-out pass@1 (k=${config.eval.curveK})`, points: heldOut },
    ],
    {
      title: 'Reward and accuracy during RL (Figure 2)',
      xLabel: 'step',
      yLabel: 'value',
      yRange: [0, Math.max(1, ...history.map((h) => h.rewardMean))],
    },
  );
  const lengthChart = lineChart(
    [{ name: 'mean response length', points: history.map((h, i) => [steps[i]!, h.completionLengthMean] as const) }],
    { title: 'Average response length (Figure 3)', xLabel: 'step', yLabel: 'tokens' },
  );
  const klChart = lineChart(
    [
      { name: 'entropy', points: history.map((h, i) => [steps[i]!, h.entropy] as const) },
      { name: 'grad norm', points: history.map((h, i) => [steps[i]!, h.gradNorm] as const) },
    ],
    { title: 'Entropy and gradient norm', xLabel: 'step', yLabel: 'value' },
  );
  const row = (label: string, s: ZeroSummary['before']) =>
    `<tr><td>${label}</td><td>${pct(s.pass1)}</td><td>[${pct(s.pass1CI[0])}, ${pct(s.pass1CI[1])}]</td><td>${pct(s.consK)}</td><td>${s.meanTokens.toFixed(1)}</td></tr>`;
  const verdict =
    summary.delta.ci[0] > 0
      ? 'better (CI above 0)'
      : summary.delta.ci[1] < 0
        ? 'worse (CI below 0)'
        : 'no significant change';
  const examples = samples.map((p) => {
    const s = p.samples[0]!;
    return `<h3>${escapeXml(p.problemId)} — gold <code>${escapeXml(p.gold)}</code> <span class="${s.correct ? 'ok' : 'bad'}">${s.correct ? '✓' : '✗'}</span></h3><pre>${escapeXml(s.completion)}</pre>`;
  });
  const body = [
    `<h1>R1-Zero: ${escapeXml(summary.task)}</h1>`,
    `<p>${summary.steps} GRPO steps in ${summary.wallSeconds.toFixed(0)} s · base <code>${escapeXml(config.model)}</code> · ${summary.before.problems} held-out problems × k=${summary.before.k}, temperature ${config.eval.temperature}, top-p ${config.eval.topP}</p>`,
    `<table><tr><th></th><th>pass@1</th><th>95% CI</th><th>cons@${summary.before.k}</th><th>mean tokens</th></tr>${row('before RL', summary.before)}${row('after RL', summary.after)}</table>`,
    `<p>Δ pass@1 = <b>${(100 * summary.delta.pass1).toFixed(1)} points</b>, paired-bootstrap 95% CI [${(100 * summary.delta.ci[0]).toFixed(1)}, ${(100 * summary.delta.ci[1]).toFixed(1)}] — ${verdict}. Mean response length ${summary.meanLengthFirst.toFixed(1)} → ${summary.meanLengthLast.toFixed(1)} tokens.</p>`,
    `<div class="charts">${rewardChart}${lengthChart}${klChart}</div>`,
    '<h2>Completions of the trained model (held-out)</h2>',
    ...examples,
    `<h2>Config</h2><pre>${escapeXml(JSON.stringify(config, null, 2))}</pre>`,
  ];
  return htmlPage(`R1-Zero ${summary.task}`, body.join('\n'));
}

export function writeReport(path: string, input: ReportInput): void {
  writeFileSync(path, renderReport(input));
}
