/**
 * `runs/r1/report.html`, self-contained: every stage side by side (the paper's Tables 2 and 4 in miniature), each RL
 * run's curves (training accuracy, response length, language consistency), and R1-Zero's and R1's outputs on the
 * same held-out problems next to each other.
 */
import { writeFileSync } from 'node:fs';
import { escapeXml, htmlPage, lineChart } from '@r1/eval';
import type { StepRecord } from '../stages/grpo';
import type { Snap } from '../stages/snapshot';
import type { R1Summary, StageRecord } from './r1';

export interface R1ReportInput {
  summary: R1Summary;
  base: StageRecord;
  r1Zero: StageRecord;
  stages: readonly StageRecord[];
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function row(label: string, s: Snap, seconds: number | null, note = ''): string {
  return (
    `<tr><td>${escapeXml(label)}</td><td>${pct(s.pass1)}</td><td>[${pct(s.pass1CI[0])}, ${pct(s.pass1CI[1])}]</td>` +
    `<td>${pct(s.consK)}</td><td>${s.languageConsistency.toFixed(3)}</td><td>${pct(s.readableRate)}</td>` +
    `<td>${pct(s.formatRate)}</td><td>${s.meanTokens.toFixed(1)}</td><td>${escapeXml(s.template)}</td>` +
    `<td>${seconds === null ? '' : seconds.toFixed(0)}</td><td>${escapeXml(note)}</td></tr>`
  );
}

function curves(record: StageRecord, title: string): string {
  const h = record.history ?? [];
  const x = (i: number) => h[i]!.step + 1;
  const accuracy = lineChart(
    [
      { name: 'training accuracy', points: h.map((r, i) => [x(i), r.rewardComponents.accuracy ?? 0] as const) },
      { name: 'format reward', points: h.map((r, i) => [x(i), r.rewardComponents.format ?? 0] as const) },
      { name: 'language consistency', points: h.map((r, i) => [x(i), r.languageConsistency] as const) },
      {
        name: 'held-out pass@1 (curve set)',
        points: h.filter((r) => r.heldOutPass1 !== undefined).map((r) => [r.step + 1, r.heldOutPass1!] as const),
      },
    ],
    { title: `${title}: accuracy, format, language consistency`, xLabel: 'step', yLabel: 'value', yRange: [0, 1] },
  );
  const length = lineChart(
    [{ name: 'mean response length', points: h.map((r, i) => [x(i), r.completionLengthMean] as const) }],
    { title: `${title}: response length`, xLabel: 'step', yLabel: 'tokens' },
  );
  return `<div class="charts">${accuracy}${length}</div>`;
}

function helpfulnessChart(history: readonly StepRecord[], title: string): string {
  const h = history;
  const series = (key: string) => h.map((r) => [r.step + 1, r.extra?.[key] ?? Number.NaN] as const);
  return lineChart(
    [
      { name: 'reward model (helpfulness)', points: series('rmHelpfulness') },
      { name: 'gold helpfulness (hidden)', points: series('goldHelpfulness') },
      { name: 'harmless share', points: series('harmlessness') },
    ],
    { title, xLabel: 'step', yLabel: 'value' },
  );
}

function allScenarioSection(s: R1Summary, stage: StageRecord | undefined): string[] {
  if (stage === undefined || s.helpfulness === undefined) return [];
  const hack = s.rewardHacking;
  const general = stage.data?.general as
    | {
        before: { prompt: string; reply: string; helpfulness: number }[];
        after: { reply: string; helpfulness: number }[];
      }
    | undefined;
  const rows = (general?.before ?? []).map(
    (b, i) =>
      `<tr><td>${escapeXml(b.prompt)}</td><td>${escapeXml(b.reply)} (${b.helpfulness.toFixed(2)})</td>` +
      `<td>${escapeXml(general?.after[i]?.reply ?? '')} (${(general?.after[i]?.helpfulness ?? 0).toFixed(2)})</td></tr>`,
  );
  return [
    '<h2>All-scenario RL (stage 4)</h2>',
    `<p>Gold helpfulness on held-out general prompts: ${s.helpfulness.before.toFixed(3)} → <b>${s.helpfulness.after.toFixed(3)}</b>, ` +
      `paired 95% CI of the change [${s.helpfulness.ci.map((x) => x.toFixed(3)).join(', ')}]; harmlessness ` +
      `${s.harmlessness?.before.toFixed(3)} → ${s.harmlessness?.after.toFixed(3)}.</p>`,
    hack === null || hack === undefined
      ? ''
      : `<p>Reward hacking: with the preference rewards on from the first step, the reward model's helpfulness rose by ` +
        `${hack.rmRewardRise.toFixed(3)} while the gold one rose by ${hack.goldRise.toFixed(3)}; gated (the default), ` +
        `${hack.gated.rmRewardRise.toFixed(3)} and ${hack.gated.goldRise.toFixed(3)} (last fifth − first fifth of the steps).</p>`,
    `<div class="charts">${helpfulnessChart(stage.history ?? [], 'Gated (default): reward model vs gold')}` +
      `${stage.ungatedHistory ? helpfulnessChart(stage.ungatedHistory, 'Ungated: reward model vs gold') : ''}</div>`,
    `<table><tr><th>general prompt</th><th>before (stage 3)</th><th>after (stage 4)</th></tr>${rows.join('')}</table>`,
  ];
}

export function renderR1Report({ summary, base, r1Zero, stages }: R1ReportInput): string {
  const s = summary;
  const byName = new Map(stages.map((r) => [r.name, r]));
  const final = stages.at(-1)!;
  const notes: Record<string, string> = {
    cold_start: `SFT of the base on ${String(byName.get('cold_start')?.data?.rows ?? '?')} readable traces`,
    reasoning_rl: `GRPO, ${byName.get('reasoning_rl')?.steps ?? '?'} steps, rewards ${s.languageConsistencyReward ? 'accuracy + format + language consistency' : 'accuracy + format (ablation)'}`,
    rejection_sampling: `data: ${String(byName.get('rejection_sampling')?.data?.reasoning ?? '?')} traces kept + ${String(byName.get('rejection_sampling')?.data?.nonReasoning ?? '?')} non-reasoning; model = reasoning_rl`,
    sft: byName.has('all_scenario_rl') ? 'SFT of the base on the mix' : 'SFT of the base on the mix (R1)',
    all_scenario_rl: 'GRPO on reasoning + general prompts, rule rewards + reward models, KL to the SFT model (R1)',
  };
  const table =
    '<table><tr><th>model</th><th>pass@1</th><th>95% CI</th><th>cons@k</th><th>language consistency</th>' +
    '<th>readable</th><th>format</th><th>mean tokens</th><th>template</th><th>seconds</th><th></th></tr>' +
    row('base', base.eval, base.seconds, 'pretrained') +
    row('R1-Zero (baseline)', r1Zero.eval, r1Zero.seconds, `GRPO, ${r1Zero.steps ?? '?'} steps, accuracy + format`) +
    stages.map((r) => row(r.name, r.eval, r.seconds, notes[r.name] ?? '')).join('') +
    '</table>';
  const verdict =
    s.r1VsR1Zero.ci[0] > 0 ? 'R1 is better' : s.r1VsR1Zero.ci[1] < 0 ? 'R1 is worse' : 'no significant difference';
  const side = final.samples.map((r1, i) => {
    const zero = r1Zero.samples[i];
    const cell = (x: StageRecord['samples'][number] | undefined) =>
      x === undefined
        ? '<td></td>'
        : `<td><span class="${x.correct ? 'ok' : 'bad'}">${x.correct ? '✓' : '✗'}</span><pre>${escapeXml(x.completion)}</pre></td>`;
    return `<tr><td>${escapeXml(r1.prompt)}</td>${cell(zero)}${cell(r1)}</tr>`;
  });
  const body = [
    '<h1>DeepSeek-R1 in miniature: the pipeline, stage by stage</h1>',
    `<p>${s.heldOut.problems} held-out problems × k=${s.heldOut.k}, temperature ${s.heldOut.temperature}, top-p ${s.heldOut.topP} · ` +
      `${s.wallSeconds.toFixed(0)} s in all · language-consistency reward ${s.languageConsistencyReward ? 'on' : 'off (ablation)'}</p>`,
    table,
    `<p>R1 − R1-Zero: <b>${(100 * s.r1VsR1Zero.pass1Delta).toFixed(1)} points</b> of pass@1, paired-bootstrap 95% CI ` +
      `[${(100 * s.r1VsR1Zero.ci[0]).toFixed(1)}, ${(100 * s.r1VsR1Zero.ci[1]).toFixed(1)}] — ${verdict}.</p>`,
    `<p>First ${s.earlySteps.steps} RL steps — R1-Zero: accuracy ${pct(s.earlySteps.r1Zero.accuracy)}, format ${pct(s.earlySteps.r1Zero.format)}; ` +
      `reasoning RL after the cold start: accuracy ${pct(s.earlySteps.reasoningRl.accuracy)}, format ${pct(s.earlySteps.reasoningRl.format)}.</p>`,
    `<p>Budget: R1-Zero ${s.budget.r1ZeroSteps} GRPO steps in ${s.budget.r1ZeroSeconds.toFixed(0)} s; cold start + reasoning RL ` +
      `(${s.budget.reasoningRlSteps} GRPO steps) ${s.budget.coldStartPlusReasoningRlSeconds.toFixed(0)} s.</p>`,
    '<h2>R1-Zero baseline</h2>',
    curves(r1Zero, 'R1-Zero'),
    '<h2>Reasoning RL (stage 2)</h2>',
    curves(byName.get('reasoning_rl')!, 'Reasoning RL'),
    ...allScenarioSection(s, byName.get('all_scenario_rl')),
    '<h2>R1-Zero and R1 on the same held-out problems (first sample)</h2>',
    `<table class="side"><tr><th>problem</th><th>R1-Zero</th><th>R1</th></tr>${side.join('')}</table>`,
  ];
  return htmlPage('R1 pipeline', body.join('\n'));
}

export function writeR1Report(path: string, input: R1ReportInput): void {
  writeFileSync(path, renderR1Report(input));
}
