/**
 * `OUT/report.html`: one self-contained page — train and eval loss over steps, tokens/s over steps, the summary
 * numbers and the resolved config. The charts are inline SVG polylines; no scripts, no external assets.
 */
import type { SftStepRecord } from './sft-train';

export interface ReportInput {
  title: string;
  summary: Record<string, unknown>;
  history: readonly SftStepRecord[];
  config: unknown;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface Series {
  name: string;
  color: string;
  points: readonly (readonly [number, number])[];
}

/** A line chart of finite points, axes labelled with their ranges. */
export function svgLineChart(title: string, series: readonly Series[], yLabel: string): string {
  const W = 560;
  const H = 260;
  const pad = { l: 56, r: 16, t: 28, b: 36 };
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (all.length === 0) return `<figure><figcaption>${escapeHtml(title)}: no data</figcaption></figure>`;
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const sx = (x: number) => pad.l + ((x - x0) / Math.max(x1 - x0, 1e-12)) * (W - pad.l - pad.r);
  const sy = (y: number) => H - pad.b - ((y - y0) / (y1 - y0)) * (H - pad.t - pad.b);
  const lines = series.map((s) => {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    const d = pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    const dots =
      pts.length <= 40
        ? pts
            .map(([x, y]) => `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${s.color}"/>`)
            .join('')
        : '';
    return `<polyline fill="none" stroke="${s.color}" stroke-width="1.8" points="${d}"/>${dots}`;
  });
  const legend = series
    .map(
      (s, i) =>
        `<text x="${pad.l + 8 + i * 150}" y="${pad.t - 10}" fill="${s.color}" font-size="12">■ ${escapeHtml(s.name)}</text>`,
    )
    .join('');
  const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<rect x="${pad.l}" y="${pad.t}" width="${W - pad.l - pad.r}" height="${H - pad.t - pad.b}" fill="none" stroke="#ccc"/>
<text x="${pad.l - 6}" y="${pad.t + 4}" font-size="11" text-anchor="end">${fmt(y1)}</text>
<text x="${pad.l - 6}" y="${H - pad.b}" font-size="11" text-anchor="end">${fmt(y0)}</text>
<text x="${pad.l}" y="${H - pad.b + 16}" font-size="11">${fmt(x0)}</text>
<text x="${W - pad.r}" y="${H - pad.b + 16}" font-size="11" text-anchor="end">${fmt(x1)}</text>
<text x="${(W + pad.l) / 2}" y="${H - 6}" font-size="12" text-anchor="middle">step</text>
<text x="14" y="${H / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${H / 2})">${escapeHtml(yLabel)}</text>
${legend}${lines.join('')}</svg></figure>`;
}

export function renderReport(input: ReportInput): string {
  const h = input.history;
  const lossChart = svgLineChart(
    'Loss',
    [
      { name: 'train loss', color: '#1f77b4', points: h.map((r) => [r.step, r.loss] as const) },
      {
        name: 'eval loss',
        color: '#d62728',
        points: h.filter((r) => r.evalLoss !== undefined).map((r) => [r.step, r.evalLoss!] as const),
      },
    ],
    'nats / token',
  );
  const speedChart = svgLineChart(
    'Throughput',
    [{ name: 'tokens/s', color: '#2ca02c', points: h.map((r) => [r.step, r.tokensPerSecond] as const) }],
    'tokens / s',
  );
  const rows = Object.entries(input.summary)
    .filter(([, v]) => typeof v !== 'object' || v === null)
    .map(
      ([k, v]) =>
        `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(typeof v === 'number' ? String(Number(v.toPrecision(6))) : String(v))}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(input.title)}</title>
<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em}figure{display:inline-block;margin:0 1em 1em 0}table{border-collapse:collapse}td{border:1px solid #ddd;padding:2px 8px}pre{background:#f6f6f6;padding:1em;overflow:auto}</style>
</head><body><h1>${escapeHtml(input.title)}</h1>
<div>${lossChart}${speedChart}</div>
<h2>Summary</h2><table>${rows}</table>
<h2>Config</h2><pre>${escapeHtml(JSON.stringify(input.config, null, 2))}</pre>
</body></html>
`;
}
