/**
 * `r1-train zero`: R1-Zero — pure RL with GRPO from a base model, rule-based rewards, the Table 1 template (or any
 * template, task and rewards a config names). One GRPO stage (stages/grpo.ts) with a held-out evaluation before and
 * after, the paired bootstrap of the difference, runs/<name>/summary.json and report.html.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type EvalAggregate, pairedBootstrap } from '@r1/eval';
import { loadTokenizer } from '@r1/model';
import { rewardScorer } from '../reward-registry';
import { prepareRunDir } from '../run-dir';
import { runGrpoStage, type StepRecord } from '../stages/grpo';
import { promptTemplate } from '../stages/prompts';
import type { RolloutRecord } from '../stages/rollout';
import { openTrainingTask } from '../stages/training-task';
import type { TrainerConfig } from '../trainer-config';
import { writeReport } from './zero-report';

export type { StepRecord } from '../stages/grpo';

export interface ZeroOptions {
  config: TrainerConfig;
  /** Resume from this checkpoint directory (written by a previous run). */
  resume?: string;
  /** Stop (after saving) once this many optimiser steps are done — for tests of resume. */
  stopAfterSteps?: number;
  log?: (line: string) => void;
  /** Show a live progress bar on stderr. Default: when stderr is a TTY. */
  progress?: boolean;
}

export interface EvalSnapshot {
  pass1: number;
  pass1CI: [number, number];
  consK: number;
  k: number;
  problems: number;
  meanTokens: number;
}

export interface ZeroSummary {
  task: string;
  steps: number;
  wallSeconds: number;
  before: EvalSnapshot;
  after: EvalSnapshot;
  delta: { pass1: number; ci: [number, number] };
  meanLengthFirst: number;
  meanLengthLast: number;
  runDir: string;
  skippedSteps: number;
  /** Rollouts on inference servers (config `rollout:`): endpoints, syncs, lastSyncedStep; absent when local. */
  rollout?: RolloutRecord;
}

export function snapshot(aggregate: EvalAggregate): EvalSnapshot {
  return {
    pass1: aggregate.pass1,
    pass1CI: aggregate.pass1CI,
    consK: aggregate.consK,
    k: aggregate.samplesPerProblem,
    problems: aggregate.problems,
    meanTokens: aggregate.meanTokens,
  };
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

export async function runZero(options: ZeroOptions): Promise<ZeroSummary> {
  const { config } = options;
  const log = options.log ?? ((line: string) => console.error(line));
  const source = options.resume ?? config.model;
  const task = await openTrainingTask(config.task, config.eval.problems);
  const template = promptTemplate(config.template, await loadTokenizer(source), source);
  const stage = await runGrpoStage({
    model: config.model,
    moe: config.moe,
    task,
    template,
    score: rewardScorer(config.grpo.rewardFuncs, config.grpo.rewardWeights, template.format, {
      aggregation: config.grpo.multiObjectiveAggregation,
    }),
    grpo: config.grpo,
    eval: config.eval,
    rollout: config.rollout,
    defaultRunName: `zero-${config.task.name}-seed${config.grpo.seed}`,
    describe: config as unknown as Record<string, unknown>,
    ...(options.resume === undefined ? {} : { resume: options.resume }),
    ...(options.stopAfterSteps === undefined ? {} : { stopAfterSteps: options.stopAfterSteps }),
    log,
    ...(options.progress === undefined ? {} : { progress: options.progress }),
  });
  const { history, before, after } = stage;
  const tenth = Math.max(1, Math.ceil(history.length / 10));
  const lengths = (h: readonly StepRecord[]) => mean(h.map((r) => r.completionLengthMean));
  const beforeSnap = snapshot(before!.aggregate);
  if (after === null) {
    // Interrupted (SIGINT or stopAfterSteps): the checkpoint holds everything; no final evaluation.
    return {
      task: config.task.name,
      steps: stage.steps,
      wallSeconds: 0,
      before: beforeSnap,
      after: beforeSnap,
      delta: { pass1: 0, ci: [0, 0] },
      meanLengthFirst: history[0]?.completionLengthMean ?? 0,
      meanLengthLast: history.at(-1)?.completionLengthMean ?? 0,
      runDir: stage.runDir,
      skippedSteps: history.filter((h) => h.skipped).length,
    };
  }
  const diff = pairedBootstrap(
    before!.pass1s,
    after.problems.map((p) => p.pass1),
    { seed: config.eval.seed },
  );
  const summary: ZeroSummary = {
    task: config.task.name,
    steps: stage.steps,
    wallSeconds: stage.wallSeconds,
    before: beforeSnap,
    after: snapshot(after.aggregate),
    delta: { pass1: diff.diff, ci: diff.ci },
    meanLengthFirst: lengths(history.slice(0, tenth)),
    meanLengthLast: lengths(history.slice(-tenth)),
    runDir: stage.runDir,
    skippedSteps: history.filter((h) => h.skipped).length,
    ...(stage.rollout === null ? {} : { rollout: stage.rollout }),
  };
  writeFileSync(join(stage.runDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeReport(join(stage.runDir, 'report.html'), { summary, history, config, samples: after.problems.slice(0, 6) });
  prepareRunDir(config.grpo.outputDir, '', stage.runDir).markLatest();
  log(
    `after: pass@1 ${(100 * summary.after.pass1).toFixed(1)}% (before ${(100 * summary.before.pass1).toFixed(1)}%), ` +
      `Δ ${(100 * diff.diff).toFixed(1)} points, 95% CI [${(100 * diff.ci[0]).toFixed(1)}, ${(100 * diff.ci[1]).toFixed(1)}]; ` +
      `mean length ${summary.meanLengthFirst.toFixed(1)} → ${summary.meanLengthLast.toFixed(1)} tokens; ` +
      `${summary.wallSeconds.toFixed(0)} s`,
  );
  log(`wrote ${join(stage.runDir, 'summary.json')} and ${join(stage.runDir, 'report.html')}`);
  return summary;
}
