/**
 * `OUT/report.html` of a reward-model run: one self-contained page with loss, accuracy (train and held-out) and the
 * held-out mean margin over steps, the summary numbers and the resolved config. Charts are @r1/distill's inline-SVG
 * line charts; no scripts, no external assets.
 */
import { escapeHtml, svgLineChart } from '@r1/distill';
import type { RewardStepRecord } from './reward-train';

export interface RewardReportInput {
  title: string;
  summary: Record<string, unknown>;
  history: readonly RewardStepRecord[];
  config: unknown;
}

export function renderRewardReport(input: RewardReportInput): string {
  const h = input.history;
  const evals = h.filter((r) => r.eval !== undefined);
  const charts = [
    svgLineChart(
      'Loss',
      [
        { name: 'train loss', color: '#1f77b4', points: h.map((r) => [r.step, r.loss] as const) },
        { name: 'held-out loss', color: '#d62728', points: evals.map((r) => [r.step, r.eval!.loss] as const) },
      ],
      'loss',
    ),
    svgLineChart(
      'Accuracy',
      [
        { name: 'train', color: '#1f77b4', points: h.map((r) => [r.step, r.accuracy] as const) },
        { name: 'held-out', color: '#d62728', points: evals.map((r) => [r.step, r.eval!.accuracy] as const) },
      ],
      'accuracy',
    ),
  ];
  if (evals.some((r) => r.eval!.meanMargin !== undefined)) {
    charts.push(
      svgLineChart(
        'Held-out mean margin r_c − r_r',
        [{ name: 'mean margin', color: '#2ca02c', points: evals.map((r) => [r.step, r.eval!.meanMargin!] as const) }],
        'reward',
      ),
    );
  }
  const cell = (v: unknown) => (typeof v === 'number' ? String(Number(v.toPrecision(6))) : JSON.stringify(v));
  const rows = Object.entries(input.summary)
    .map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(typeof v === 'string' ? v : cell(v))}</td></tr>`)
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(input.title)}</title>
<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em}figure{display:inline-block;margin:0 1em 1em 0}table{border-collapse:collapse}td{border:1px solid #ddd;padding:2px 8px}pre{background:#f6f6f6;padding:1em;overflow:auto}</style>
</head><body><h1>${escapeHtml(input.title)}</h1>
<div>${charts.join('')}</div>
<h2>Summary</h2><table>${rows}</table>
<h2>Config</h2><pre>${escapeHtml(JSON.stringify(input.config, null, 2))}</pre>
</body></html>
`;
}
