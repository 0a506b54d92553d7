/**
 * `r1-train r1`: the DeepSeek-R1 pipeline (§2.3) in miniature, and the R1-Zero baseline it is measured against.
 *
 *   base ──► r1_zero            GRPO, R1-Zero template, accuracy + format                      (the baseline)
 *   base ──► cold_start         rejection-sample R1-Zero-style outputs of the base, reformat them readable
 *                               (world/reformat.ts), SFT the base on them (@r1/distill)
 *        ──► reasoning_rl       GRPO from the cold-start model, R1 template, accuracy + format + language consistency
 *        ──► rejection_sampling sample the RL model, keep verified, monolingual, readable traces (@r1/rejection-
 *                               sampling), add non-reasoning data (world/general.ts) at 3 : 1
 *   base ──► sft                SFT of the base on that mix, 2 epochs                          (= R1)
 *
 * Every stage is one of the reusable stages (stages/grpo.ts, stages/sample.ts, @r1/distill's runSft), writes its
 * own directory under OUT, and is measured on one fixed held-out set (stages/snapshot.ts). A finished stage leaves
 * OUT/<stage>/stage.json and is skipped by `--resume`; an unfinished one resumes from its last checkpoint (GRPO, SFT),
 * its trace cache (sampling) or its sample cache (evaluation), so kill -9 loses at most a step.
 * Issue 13's all-scenario RL plugs in as one more GRPO stage after `sft`; `r1` in the summary is the last stage.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pairedBootstrap } from '@r1/eval';
import { createRng } from '@r1/tasks';
import { isReadable } from '@r1/templates';
import type { StepRecord } from '../stages/grpo';
import type { Snap } from '../stages/snapshot';
import { openTrainingTask } from '../stages/training-task';
import { drawGeneralPrompts } from '../world/general';
import { writtenReply } from '../world/preferences';
import { r1Prompt } from '../world/r1-corpus';
import { toReadable } from '../world/reformat';
import { runAllScenarioStage } from './all-scenario';
import type { R1Config } from './r1-config';
import { createStageRunner, Interrupted, type Measured, prepareOut, writeJsonAtomic } from './stage-runner';

export type { Measured } from './stage-runner';

import type { RolloutRecord } from '../stages/rollout';
import { writeR1Report } from './r1-report';

export const STAGE_NAMES = ['cold_start', 'reasoning_rl', 'rejection_sampling', 'sft', 'all_scenario_rl'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export interface StageRecord extends Measured {
  name: StageName | 'base' | 'r1_zero';
  seconds: number;
  /** The model the stage produced (absent for rejection sampling, which produces data). */
  checkpoint?: string;
  /** RL stages: the per-step metrics (accuracy, format, length, language consistency). */
  history?: StepRecord[];
  steps?: number;
  /** RL stages with `rollout:`: endpoints, weight syncs, staleness. */
  rollout?: RolloutRecord;
  /** Sampling stages: what was drawn and kept; all-scenario RL: its reward models and general-prompt results. */
  data?: Record<string, unknown>;
  /** All-scenario RL: the per-step metrics of the ungated (reward-hacking) run. */
  ungatedHistory?: StepRecord[] | null;
}

export interface R1Summary {
  wallSeconds: number;
  stages: Omit<StageRecord, 'pass1s' | 'samples' | 'history'>[];
  base: Snap;
  r1Zero: Snap;
  r1: Snap;
  r1VsR1Zero: { pass1Delta: number; ci: [number, number] };
  /** Accuracy and format reward over the first steps of each RL run: what the cold start buys. */
  earlySteps: {
    steps: number;
    r1Zero: { accuracy: number; format: number };
    reasoningRl: { accuracy: number; format: number };
  };
  /** Wall-clock seconds and optimiser steps: the baseline's RL against stages 1–2 together. */
  budget: {
    r1ZeroSeconds: number;
    coldStartPlusReasoningRlSeconds: number;
    r1ZeroSteps: number;
    reasoningRlSteps: number;
  };
  languageConsistencyReward: boolean;
  heldOut: { problems: number; k: number; temperature: number; topP: number };
  /** With stage 4: gold helpfulness on held-out general prompts before (stage 3's model) and after, paired CI. */
  helpfulness?: { before: number; after: number; ci: [number, number] };
  /** With stage 4: share of held-out general replies without a forbidden word. */
  harmlessness?: { before: number; after: number };
  /** With stage 4's ungated run: rise (last fifth − first fifth of steps) of the RM's and the gold helpfulness. */
  rewardHacking?: { rmRewardRise: number; goldRise: number; gated: { rmRewardRise: number; goldRise: number } } | null;
  out: string;
}

export interface R1Options {
  config: R1Config;
  out: string;
  /** Continue a run in `out`: finished stages are skipped, an unfinished one resumes from its checkpoint. */
  resume: boolean;
  log?: (line: string) => void;
  /** Progress bars on stderr (default: when stderr is a TTY). */
  progress?: boolean;
  /** Stop after this stage (tests of resume). */
  stopAfter?: StageRecord['name'];
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

export async function runR1(o: R1Options): Promise<R1Summary | null> {
  const { config } = o;
  const log = o.log ?? ((line: string) => console.error(line));
  const out = resolve(o.out);
  prepareOut(out, o.resume, config, 'an r1');

  const task = await openTrainingTask(config.task, config.eval.problems);
  const heldOut = task.heldOut(config.eval.seed);
  log(
    `r1: held-out set ${heldOut.length} problems × k=${config.eval.k} (T ${config.eval.temperature}, top-p ${config.eval.topP}); ` +
      `language-consistency reward ${config.languageConsistency ? 'on' : 'off (ablation)'}; out ${out}`,
  );

  const order: StageRecord['name'][] = [
    'base',
    'r1_zero',
    ...STAGE_NAMES.filter((n) => n !== 'all_scenario_rl' || config.allScenarioRl !== null),
  ];
  const runner = createStageRunner({
    out,
    task,
    heldOut,
    eval: config.eval,
    maxTokens: config.maxTokens,
    rollout: config.rollout,
    order,
    log,
    ...(o.progress === undefined ? {} : { progress: o.progress }),
    ...(o.stopAfter === undefined ? {} : { stopAfter: o.stopAfter }),
  });
  const { measure, grpo, sample } = runner;
  const stage = (name: StageRecord['name'], run: () => Promise<Omit<StageRecord, 'name' | 'seconds'>>) =>
    runner.stage<StageRecord>(name, run);
  const sft = (name: 'cold_start' | 'sft', data: string, settings: Record<string, unknown>) =>
    runner.sft(name, config.model, data, settings);

  try {
    // ---- The base, as R1-Zero sees it (its own template).
    const base = await stage('base', async () => measure(config.model, 'r1-zero', 'base'));

    // ---- The R1-Zero baseline: the same base, the same GRPO, rule rewards only.
    const r1Zero = await stage('r1_zero', async () => {
      const trained = await grpo('r1_zero', config.model, 'r1-zero', config.r1Zero);
      return { ...trained, ...(await measure(trained.checkpoint, 'r1-zero', 'r1_zero')) };
    });

    // ---- Stage 1: cold start. R1-Zero-style outputs of the base, verified (issue 7), made readable, then SFT.
    const coldStart = await stage('cold_start', async () => {
      const dir = join(out, 'cold_start');
      const manifest = await sample(join(dir, 'samples'), config.model, 'r1-zero', config.coldStart, {
        // Mixed languages are fixed by the reformatting, not filtered.
        minLanguageShare: 0,
        outputFormat: 'messages',
      });
      // Traces that differ only in their language mix become one after translation: keep each once.
      const rows = new Set<string>();
      let unconvertible = 0;
      for (const line of readFileSync(join(dir, 'samples', 'data.jsonl'), 'utf8').split('\n')) {
        if (line.trim() === '') continue;
        const row = JSON.parse(line) as { messages: { role: string; content: string }[] };
        const question = row.messages.find((m) => m.role === 'user')?.content ?? '';
        const readable = toReadable(row.messages.at(-1)?.content ?? '');
        if (readable === null) {
          unconvertible++;
          continue;
        }
        rows.add(JSON.stringify({ prompt: r1Prompt(question), completion: readable }));
      }
      if (rows.size === 0) throw new Error(`${dir}/samples/data.jsonl: no trace could be made readable`);
      const data = join(dir, 'data.jsonl');
      writeFileSync(data, `${[...rows].join('\n')}\n`);
      log(`  cold-start set: ${rows.size} readable traces from ${manifest.input} samples (${manifest.kept} verified)`);
      const trained = await sft('cold_start', data, config.coldStart.sft);
      return {
        ...trained,
        data: {
          sampled: manifest.input,
          verified: manifest.kept,
          removed: manifest.removed,
          rows: rows.size,
          unconvertible,
        },
        ...(await measure(trained.checkpoint, 'r1', 'cold_start')),
      };
    });

    // ---- Stage 2: reasoning-oriented RL from the cold-start model, with the language-consistency reward.
    const reasoningRl = await stage('reasoning_rl', async () => {
      const trained = await grpo('reasoning_rl', coldStart.checkpoint!, 'r1', config.reasoningRl);
      return { ...trained, ...(await measure(trained.checkpoint, 'r1', 'reasoning_rl')) };
    });

    // ---- Stage 3a: rejection sampling from the RL model, plus non-reasoning data (3 : 1 by default).
    const rejection = await stage('rejection_sampling', async () => {
      const dir = join(out, 'rejection_sampling');
      const manifest = await sample(join(dir, 'samples'), reasoningRl.checkpoint!, 'r1', config.rejectionSampling, {
        outputFormat: 'prompt-completion',
      });
      // The readable format is part of what R1's SFT data must have (§2.3.1): a trace without a summary is dropped.
      let unreadable = 0;
      const reasoning: string[] = [];
      for (const line of readFileSync(join(dir, 'samples', 'data.jsonl'), 'utf8').split('\n')) {
        if (line.trim() === '') continue;
        const row = JSON.parse(line) as { prompt: string; completion: string };
        if (!isReadable(row.completion)) unreadable++;
        else reasoning.push(JSON.stringify({ prompt: row.prompt, completion: row.completion }));
      }
      if (reasoning.length === 0) {
        throw new Error(
          `${dir}/samples/data.jsonl: rejection sampling kept ${manifest.kept} verified traces, ${unreadable} of them ` +
            'unreadable (no summary after </think>) — no SFT data; the reasoning-RL model lost the readable format',
        );
      }
      // R1's non-reasoning data is good writing, not the preference optimum: the right content, sometimes polite,
      // sometimes padded, as the world's writers reply (world/preferences.ts).
      const styleRng = createRng(config.rejectionSampling.seed ^ 0x5f7);
      const general = drawGeneralPrompts(
        'train',
        Math.round(reasoning.length * config.rejectionSampling.nonReasoningRatio),
        config.rejectionSampling.seed,
      ).map((p) => JSON.stringify({ prompt: r1Prompt(p.prompt), completion: ` ${writtenReply(p.reply, styleRng)}` }));
      // Interleaved so that every batch of the SFT sees both kinds.
      const mix: string[] = [];
      for (let i = 0, j = 0; i < reasoning.length || j < general.length; ) {
        if (i < reasoning.length && (j >= general.length || i * general.length <= j * reasoning.length))
          mix.push(reasoning[i++]!);
        else mix.push(general[j++]!);
      }
      writeFileSync(join(dir, 'data.jsonl'), `${mix.join('\n')}\n`);
      log(`  SFT mix: ${reasoning.length} reasoning + ${general.length} non-reasoning rows`);
      return {
        data: {
          sampledFrom: 'reasoning_rl',
          problems: manifest.problems.input,
          sampled: manifest.input,
          kept: manifest.kept,
          removed: manifest.removed,
          unreadable,
          reasoning: reasoning.length,
          nonReasoning: general.length,
          rows: mix.length,
          path: join(dir, 'data.jsonl'),
        },
        // Rejection sampling makes data, not a model: its measurement is that of the model it sampled.
        eval: reasoningRl.eval,
        pass1s: reasoningRl.pass1s,
        samples: reasoningRl.samples,
      };
    });

    // ---- Stage 3b: SFT from the base on the mix (the paper: 2 epochs). This is R1 when stage 4 is not configured.
    const sftModel = await stage('sft', async () => {
      const trained = await sft('sft', String(rejection.data!.path), config.sft);
      return { ...trained, ...(await measure(trained.checkpoint, 'r1', 'sft')) };
    });

    // ---- Stage 4: RL for all scenarios (rule rewards for reasoning, reward models for general prompts).
    const all =
      config.allScenarioRl === null
        ? null
        : await stage('all_scenario_rl', async () => {
            const r = await runAllScenarioStage({
              config,
              stage: config.allScenarioRl!,
              dir: join(out, 'all_scenario_rl'),
              from: sftModel.checkpoint!,
              task,
              log,
              ...(o.progress === undefined ? {} : { progress: o.progress }),
              interrupted: (message) => new Interrupted(message),
            });
            return {
              checkpoint: r.checkpoint,
              history: r.history,
              steps: r.steps,
              ungatedHistory: r.ungatedHistory,
              data: {
                helpfulness: r.helpfulness,
                harmlessness: r.harmlessness,
                rewardHacking: r.rewardHacking,
                rewardModels: r.rewardModels,
                general: r.general,
              },
              ...(await measure(r.checkpoint, 'r1', 'all_scenario_rl')),
            };
          });
    const final = all ?? sftModel;

    const diff = pairedBootstrap(r1Zero.pass1s, final.pass1s, { seed: config.eval.seed });
    const early = (h: readonly StepRecord[] | undefined, n: number) => ({
      accuracy: mean((h ?? []).slice(0, n).map((r) => r.rewardComponents.accuracy ?? 0)),
      format: mean((h ?? []).slice(0, n).map((r) => r.rewardComponents.format ?? 0)),
    });
    const earlyN = 5;
    const records = [coldStart, reasoningRl, rejection, sftModel, ...(all === null ? [] : [all])];
    const summary: R1Summary = {
      wallSeconds: [base, r1Zero, ...records].reduce((s, r) => s + r.seconds, 0),
      stages: records.map(({ pass1s: _p, samples: _s, history: _h, ungatedHistory: _u, ...rest }) => {
        if (rest.name !== 'all_scenario_rl' || rest.data === undefined) return rest;
        const { general: _g, ...data } = rest.data;
        return { ...rest, data };
      }),
      base: base.eval,
      r1Zero: r1Zero.eval,
      r1: final.eval,
      r1VsR1Zero: { pass1Delta: diff.diff, ci: diff.ci },
      earlySteps: {
        steps: earlyN,
        r1Zero: early(r1Zero.history, earlyN),
        reasoningRl: early(reasoningRl.history, earlyN),
      },
      budget: {
        r1ZeroSeconds: r1Zero.seconds,
        coldStartPlusReasoningRlSeconds: coldStart.seconds + reasoningRl.seconds,
        r1ZeroSteps: r1Zero.steps ?? 0,
        reasoningRlSteps: reasoningRl.steps ?? 0,
      },
      languageConsistencyReward: config.languageConsistency,
      heldOut: {
        problems: heldOut.length,
        k: config.eval.k,
        temperature: config.eval.temperature,
        topP: config.eval.topP,
      },
      ...(all === null
        ? {}
        : {
            helpfulness: all.data!.helpfulness as R1Summary['helpfulness'],
            harmlessness: all.data!.harmlessness as R1Summary['harmlessness'],
            rewardHacking: all.data!.rewardHacking as R1Summary['rewardHacking'],
          }),
      out,
    };
    writeJsonAtomic(join(out, 'summary.json'), summary);
    writeR1Report(join(out, 'report.html'), { summary, base, r1Zero, stages: records });
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    log(
      `r1: pass@1 base ${pct(base.eval.pass1)} → R1-Zero ${pct(r1Zero.eval.pass1)}, R1 ${pct(final.eval.pass1)}; ` +
        `R1 − R1-Zero ${(100 * diff.diff).toFixed(1)} points [${diff.ci.map((x) => (100 * x).toFixed(1)).join(', ')}]; ` +
        `language consistency R1-Zero ${r1Zero.eval.languageConsistency.toFixed(3)} vs R1 ${final.eval.languageConsistency.toFixed(3)}; ` +
        `readable ${pct(r1Zero.eval.readableRate)} vs ${pct(final.eval.readableRate)}; ${summary.wallSeconds.toFixed(0)} s`,
    );
    log(`wrote ${join(out, 'summary.json')} and ${join(out, 'report.html')}`);
    return summary;
  } catch (error) {
    if (error instanceof Interrupted) {
      log(`r1: ${error.message}; rerun with --resume to continue`);
      return null;
    }
    throw error;
  }
}
