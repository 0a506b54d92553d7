/**
 * Small, dependency-free SVG charts for self-contained HTML reports (no scripts, no fonts, no network): a line chart
 * (pass@k vs k, training curves) and a grouped histogram (completion lengths of correct vs wrong samples).
 * Strings in, string out; every text is escaped.
 */

export interface Series {
  name: string;
  points: ReadonlyArray<readonly [number, number]>;
  /** Draw the points as circles too. Default true when the series has ≤ 40 points. */
  markers?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** Fixed y range, e.g. [0, 1] for accuracies. Default: the data's range, padded. */
  yRange?: [number, number];
  /** Use a log2 x axis (pass@k vs k). */
  logX?: boolean;
}

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function formatTick(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)).toString();
}

function frame(options: ChartOptions, body: string, width: number, height: number): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(options.title)}" font-family="sans-serif" font-size="11">`,
    `<text x="${width / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(options.title)}</text>`,
    body,
    `<text x="${width / 2}" y="${height - 4}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text transform="translate(12 ${height / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
    '</svg>',
  ].join('\n');
}

export function lineChart(series: readonly Series[], options: ChartOptions): string {
  const width = options.width ?? 520;
  const height = options.height ?? 300;
  const m = { left: 52, right: 16, top: 28, bottom: 40 };
  const pts = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (pts.length === 0)
    return frame(
      options,
      `<text x="${width / 2}" y="${height / 2}" text-anchor="middle">no data</text>`,
      width,
      height,
    );
  const tx = (x: number) => (options.logX ? Math.log2(Math.max(x, 1e-12)) : x);
  let [x0, x1] = [Math.min(...pts.map((p) => tx(p[0]))), Math.max(...pts.map((p) => tx(p[0])))];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  let [y0, y1] = options.yRange ?? [Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[1]))];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  if (!options.yRange) {
    const pad = (y1 - y0) * 0.05;
    [y0, y1] = [y0 - pad, y1 + pad];
  }
  const px = (x: number) => m.left + ((tx(x) - x0) / (x1 - x0)) * (width - m.left - m.right);
  const py = (y: number) => height - m.bottom - ((y - y0) / (y1 - y0)) * (height - m.top - m.bottom);
  const parts: string[] = [];
  const yTicks = niceTicks(y0, y1);
  for (const t of yTicks) {
    parts.push(
      `<line x1="${m.left}" x2="${width - m.right}" y1="${py(t).toFixed(1)}" y2="${py(t).toFixed(1)}" stroke="#e5e7eb"/>`,
    );
    parts.push(`<text x="${m.left - 4}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end">${formatTick(t)}</text>`);
  }
  const xTicks = options.logX
    ? Array.from({ length: Math.floor(x1) - Math.ceil(x0) + 1 }, (_, i) => 2 ** (Math.ceil(x0) + i))
    : niceTicks(x0, x1);
  for (const t of xTicks) {
    parts.push(
      `<text x="${px(t).toFixed(1)}" y="${height - m.bottom + 14}" text-anchor="middle">${formatTick(t)}</text>`,
    );
  }
  parts.push(
    `<rect x="${m.left}" y="${m.top}" width="${width - m.left - m.right}" height="${height - m.top - m.bottom}" fill="none" stroke="#9ca3af"/>`,
  );
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const good = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (good.length === 0) return;
    const d = good.map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    if (s.markers ?? good.length <= 40) {
      for (const [x, y] of good)
        parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.5" fill="${color}"/>`);
    }
    parts.push(`<rect x="${m.left + 8}" y="${m.top + 6 + i * 14}" width="10" height="3" fill="${color}"/>`);
    parts.push(`<text x="${m.left + 22}" y="${m.top + 11 + i * 14}">${escapeXml(s.name)}</text>`);
  });
  return frame(options, parts.join('\n'), width, height);
}

export interface HistogramGroup {
  name: string;
  values: readonly number[];
}

/** Grouped histogram over shared bins (e.g. lengths of correct vs wrong completions). */
export function histogram(groups: readonly HistogramGroup[], options: ChartOptions & { bins?: number }): string {
  const width = options.width ?? 520;
  const height = options.height ?? 300;
  // The legend sits in a row of its own above the plot: bars can reach any corner of the plot area.
  const m = { left: 52, right: 16, top: 44, bottom: 40 };
  const all = groups.flatMap((g) => g.values).filter(Number.isFinite);
  if (all.length === 0)
    return frame(
      options,
      `<text x="${width / 2}" y="${height / 2}" text-anchor="middle">no data</text>`,
      width,
      height,
    );
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const bins = Math.max(1, Math.min(options.bins ?? 20, hi > lo ? 40 : 1));
  const binWidth = hi > lo ? (hi - lo) / bins : 1;
  const counts = groups.map((g) => {
    const c = new Array<number>(bins).fill(0);
    for (const v of g.values) if (Number.isFinite(v)) c[Math.min(bins - 1, Math.floor((v - lo) / binWidth))]!++;
    return c;
  });
  const top = Math.max(1, ...counts.flat());
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const slot = plotW / bins;
  const barW = (slot * 0.9) / groups.length;
  const parts: string[] = [];
  for (const t of niceTicks(0, top)) {
    const y = height - m.bottom - (t / top) * plotH;
    parts.push(
      `<line x1="${m.left}" x2="${width - m.right}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#e5e7eb"/>`,
    );
    parts.push(`<text x="${m.left - 4}" y="${(y + 4).toFixed(1)}" text-anchor="end">${formatTick(t)}</text>`);
  }
  counts.forEach((c, gi) => {
    const color = PALETTE[gi % PALETTE.length]!;
    c.forEach((count, b) => {
      if (count === 0) return;
      const h = (count / top) * plotH;
      const x = m.left + b * slot + slot * 0.05 + gi * barW;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${(height - m.bottom - h).toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${color}" fill-opacity="0.8"><title>${escapeXml(groups[gi]!.name)}: ${count} in [${formatTick(lo + b * binWidth)}, ${formatTick(lo + (b + 1) * binWidth)})</title></rect>`,
      );
    });
    parts.push(`<rect x="${m.left + gi * 130}" y="24" width="10" height="10" fill="${color}"/>`);
    parts.push(
      `<text x="${m.left + 14 + gi * 130}" y="33">${escapeXml(groups[gi]!.name)} (${groups[gi]!.values.length})</text>`,
    );
  });
  for (const t of niceTicks(lo, hi + (hi > lo ? 0 : 1), 6)) {
    const x = m.left + ((t - lo) / (bins * binWidth)) * plotW;
    if (x >= m.left - 1 && x <= width - m.right + 1)
      parts.push(
        `<text x="${x.toFixed(1)}" y="${height - m.bottom + 14}" text-anchor="middle">${formatTick(t)}</text>`,
      );
  }
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#9ca3af"/>`);
  return frame(options, parts.join('\n'), width, height);
}

/** A minimal self-contained HTML page around report sections. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1100px;margin:24px auto;padding:0 16px;color:#111}
table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #d1d5db;padding:4px 10px;text-align:right}
th{background:#f3f4f6}td:first-child,th:first-child{text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:16px}pre{background:#f9fafb;border:1px solid #e5e7eb;padding:8px;white-space:pre-wrap;font-size:12px}
.ok{color:#15803d}.bad{color:#b91c1c}
</style></head><body>
${body}
</body></html>
`;
}
