/**
 * `runs/distill-vs-rl/report.html`: a Table 6-style table (teacher, student base, distilled, RL, distilled + RL on the
 * held-out and the out-of-distribution split, with parameter counts and budgets) and the RL arm's reward and
 * accuracy curve.
 */
import { writeFileSync } from 'node:fs';
import { escapeXml, htmlPage, lineChart } from '@r1/eval';
import type { Snap } from '../stages/snapshot';
import type { DistillVsRlSummary, DvrRecord } from './distill-vs-rl';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function renderDistillVsRlReport({ summary: s, rl }: { summary: DistillVsRlSummary; rl: DvrRecord }): string {
  const row = (label: string, snap: Snap & { parameters?: number }, ood: Snap | undefined) =>
    `<tr><td>${escapeXml(label)}</td><td>${(snap.parameters ?? 0).toLocaleString()}</td><td>${pct(snap.pass1)}</td>` +
    `<td>[${pct(snap.pass1CI[0])}, ${pct(snap.pass1CI[1])}]</td><td>${pct(snap.consK)}</td>` +
    `<td>${ood === undefined ? '' : pct(ood.pass1)}</td><td>${snap.meanTokens.toFixed(1)}</td></tr>`;
  const h = rl.history ?? [];
  const curve = lineChart(
    [
      { name: 'reward (mean)', points: h.map((r) => [r.step + 1, r.rewardMean] as const) },
      { name: 'training accuracy', points: h.map((r) => [r.step + 1, r.accuracy] as const) },
      {
        name: 'held-out pass@1 (curve set)',
        points: h.filter((r) => r.heldOutPass1 !== undefined).map((r) => [r.step + 1, r.heldOutPass1!] as const),
      },
    ],
    { title: 'RL on the student: reward and accuracy', xLabel: 'step', yLabel: 'value', yRange: [0, 2] },
  );
  const verdict =
    s.distilledVsRl.ci[0] > 0
      ? 'distillation is better'
      : s.distilledVsRl.ci[1] < 0
        ? 'RL is better'
        : 'no significant difference';
  const body = [
    '<h1>Distillation vs RL on a small student (Table 6 in miniature)</h1>',
    `<p>${s.heldOut.problems} held-out problems × k=${s.heldOut.k}, T ${s.heldOut.temperature}, top-p ${s.heldOut.topP}; ${s.wallSeconds.toFixed(0)} s in all.</p>`,
    '<table><tr><th>model</th><th>parameters</th><th>pass@1</th><th>95% CI</th><th>cons@k</th><th>pass@1 OOD</th><th>mean tokens</th></tr>' +
      row('teacher', s.teacher, s.ood.teacher) +
      row('student base', s.studentBase, s.ood.studentBase) +
      row('student distilled (SFT on the teacher)', s.distilled, s.ood.distilled) +
      row('student RL (GRPO, rule rewards)', s.rl, s.ood.rl) +
      (s.distilledPlusRl === undefined ? '' : row('student distilled + RL', s.distilledPlusRl, undefined)) +
      '</table>',
    `<p>Distilled − RL: <b>${(100 * s.distilledVsRl.pass1Delta).toFixed(1)} points</b>, paired 95% CI ` +
      `[${s.distilledVsRl.ci.map((x) => (100 * x).toFixed(1)).join(', ')}] — ${verdict}; out of distribution ` +
      `${(100 * s.ood.distilledVsRl.pass1Delta).toFixed(1)} [${s.ood.distilledVsRl.ci.map((x) => (100 * x).toFixed(1)).join(', ')}].</p>`,
    `<p>Budgets: distilled arm (teacher sampling + SFT) ${s.budget.distillSeconds.toFixed(0)} s and ${Math.round(s.budget.distillTokens).toLocaleString()} student tokens; ` +
      `RL arm ${s.budget.rlSeconds.toFixed(0)} s and ${Math.round(s.budget.rlTokens).toLocaleString()} student tokens. RL tuning: ${escapeXml(s.rlTuning)}</p>`,
    `<div class="charts">${curve}</div>`,
  ];
  return htmlPage('Distillation vs RL', body.join('\n'));
}

export function writeDistillVsRlReport(path: string, input: { summary: DistillVsRlSummary; rl: DvrRecord }): void {
  writeFileSync(path, renderDistillVsRlReport(input));
}
