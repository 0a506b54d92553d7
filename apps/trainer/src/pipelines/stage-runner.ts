/**
 * What every multi-stage pipeline (r1, distill-vs-rl) does around its stages, in one place: a finished stage leaves
 * OUT/<stage>/stage.json and is skipped on resume; seconds spent by killed runs are kept (honest budgets); models are
 * measured on one held-out set with their samples cached; and the three stage kinds — GRPO (stages/grpo.ts), SFT
 * (@r1/distill's runSft) and rejection sampling (stages/sample.ts) — resume from their own checkpoints or caches.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSft } from '@r1/distill';
import type { EvalResult } from '@r1/eval';
import type { ResolvedGRPOConfig } from '@r1/grpo-core';
import { loadTokenizer } from '@r1/model';
import type { RSProblem } from '@r1/rejection-sampling';
import { engineFromCheckpoint } from '@r1/sampler';
import type { TaskItem } from '@r1/tasks';
import { latestCheckpoint } from '../checkpointing';
import { rewardScorer } from '../reward-registry';
import { runGrpoStage, type StepRecord } from '../stages/grpo';
import { promptTemplate } from '../stages/prompts';
import type { RolloutRecord, RolloutSettings } from '../stages/rollout';
import { runSampleStage, type SampleTemplate } from '../stages/sample';
import { evaluateCheckpoint, type Snap } from '../stages/snapshot';
import type { TrainingTask } from '../stages/training-task';
import type { EvalSettings, TrainTemplate } from '../trainer-config';

/** A model measured on the held-out set, with what the paired comparisons and the report need. */
export interface Measured {
  eval: Snap;
  /** Per held-out problem pass@1, in the held-out order (for paired bootstraps). */
  pass1s: number[];
  /** A few held-out completions (the report's side-by-side samples). */
  samples: { problemId: string; prompt: string; completion: string; correct: boolean }[];
}

/** Thrown when a stage is interrupted (SIGINT, stop-after): the run ends, `--resume` continues it. */
export class Interrupted extends Error {}

/** Problems drawn for a sampling stage. */
export interface SamplingStage {
  problems: number;
  k: number;
  temperature: number;
  topP: number;
  seed: number;
}

export function writeJsonAtomic(path: string, value: unknown): void {
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(temp, path);
}

function readPartialSeconds(dir: string): number {
  const path = join(dir, 'partial.json');
  if (!existsSync(path)) return 0;
  try {
    return Number((JSON.parse(readFileSync(path, 'utf8')) as { seconds: number }).seconds) || 0;
  } catch {
    return 0;
  }
}

function samplesOf(result: EvalResult, problems: readonly TaskItem[]): Measured['samples'] {
  const prompts = new Map(problems.map((p) => [p.id, p.prompt]));
  return result.problems.slice(0, 8).map((p) => ({
    problemId: p.problemId,
    prompt: prompts.get(p.problemId) ?? '',
    completion: p.samples[0]?.completion ?? '',
    correct: p.samples[0]?.correct ?? false,
  }));
}

/**
 * Makes a pipeline's output directory and records its config; refuses a directory that holds finished stages unless
 * the run resumes (`what` names the pipeline in the error).
 */
export function prepareOut(out: string, resume: boolean, config: unknown, what: string): void {
  const hasStages = existsSync(out) && readdirSync(out).some((d) => existsSync(join(out, d, 'stage.json')));
  if (hasStages && !resume) {
    throw new Error(`${out} holds ${what} run already; pass --resume to continue it, or give another --out`);
  }
  mkdirSync(out, { recursive: true });
  writeJsonAtomic(join(out, 'config.json'), config);
}

export interface StageRunnerContext {
  out: string;
  task: TrainingTask;
  heldOut: readonly TaskItem[];
  eval: EvalSettings;
  maxTokens: number;
  /** The stages in order (for "[3/7]" in the log). */
  order: readonly string[];
  log: (line: string) => void;
  progress?: boolean;
  stopAfter?: string;
  /** Every GRPO stage samples on these inference servers (config `rollout:`); null = locally. */
  rollout?: RolloutSettings | null;
}

export function createStageRunner(c: StageRunnerContext) {
  const started = performance.now();
  const { out, task, log } = c;
  const progress = c.progress === undefined ? {} : { progress: c.progress };

  const measure = async (
    dir: string,
    template: TrainTemplate,
    name: string,
    problems: readonly TaskItem[] = c.heldOut,
  ): Promise<Measured> => {
    const { snap, result } = await evaluateCheckpoint(dir, {
      problems,
      template,
      eval: c.eval,
      maxNewTokens: c.maxTokens,
      cachePath: join(out, 'eval', name, 'results.jsonl'),
    });
    log(
      `  ${name}: pass@1 ${(100 * snap.pass1).toFixed(1)}% [${snap.pass1CI.map((x) => (100 * x).toFixed(1)).join(', ')}], ` +
        `language consistency ${snap.languageConsistency.toFixed(3)}, readable ${(100 * snap.readableRate).toFixed(1)}%, ` +
        `format ${(100 * snap.formatRate).toFixed(1)}%, ${snap.meanTokens.toFixed(1)} tokens`,
    );
    return { eval: snap, pass1s: result.problems.map((p) => p.pass1), samples: samplesOf(result, problems) };
  };

  /** Runs a stage once: its record is read back from OUT/<name>/stage.json when an earlier run finished it. */
  const stage = async <R extends { name: string; seconds: number }>(
    name: R['name'],
    run: () => Promise<Omit<R, 'name' | 'seconds'>>,
  ): Promise<R> => {
    const dir = join(out, name);
    const marker = join(dir, 'stage.json');
    const at = `[${c.order.indexOf(name) + 1}/${c.order.length}] ${name}`;
    if (existsSync(marker)) {
      const record = JSON.parse(readFileSync(marker, 'utf8')) as R;
      log(`${at}: done in an earlier run (${record.seconds.toFixed(0)} s), skipped`);
      return record;
    }
    const t0 = performance.now();
    log(`${at} … (${((performance.now() - started) / 1000).toFixed(0)} s into the pipeline)`);
    mkdirSync(dir, { recursive: true });
    const partial = readPartialSeconds(dir);
    const body = await run();
    const record = { name, seconds: partial + (performance.now() - t0) / 1000, ...body } as R;
    writeJsonAtomic(marker, record);
    log(`  ${name} finished in ${record.seconds.toFixed(0)} s`);
    if (c.stopAfter === name) throw new Interrupted(`stopped after ${name}`);
    return record;
  };

  /** Seconds already spent on a stage by runs that were killed (for honest budgets on resume). */
  const notePartial = (dir: string, t0: number) => {
    writeJsonAtomic(join(dir, 'partial.json'), { seconds: readPartialSeconds(dir) + (performance.now() - t0) / 1000 });
  };

  const grpo = async (
    name: string,
    from: string,
    template: TrainTemplate,
    settings: ResolvedGRPOConfig,
  ): Promise<{ checkpoint: string; history: StepRecord[]; steps: number; rollout?: RolloutRecord }> => {
    const dir = join(out, name);
    const tokenizer = await loadTokenizer(from);
    const prompt = promptTemplate(template, tokenizer, from);
    const resume = latestCheckpoint(dir);
    const t0 = performance.now();
    const result = await runGrpoStage({
      model: from,
      moe: null,
      task,
      template: prompt,
      score: rewardScorer(settings.rewardFuncs, settings.rewardWeights, prompt.format, {
        aggregation: settings.multiObjectiveAggregation,
      }),
      grpo: { ...settings, outputDir: out, runName: name },
      eval: c.eval,
      rollout: c.rollout ?? null,
      runDir: dir,
      defaultRunName: name,
      describe: { stage: name, model: from, template, grpo: settings },
      evaluateBefore: false,
      evaluateAfter: false,
      ...(resume === undefined ? {} : { resume }),
      log,
      ...progress,
    });
    if (!result.finished || result.checkpoint === null) {
      notePartial(dir, t0);
      throw new Interrupted(`${name} interrupted at step ${result.steps}`);
    }
    return {
      checkpoint: result.checkpoint,
      history: result.history,
      steps: result.steps,
      ...(result.rollout === null ? {} : { rollout: result.rollout }),
    };
  };

  const sft = async (name: string, model: string, data: string, settings: Record<string, unknown>) => {
    const dir = join(out, name, 'train');
    const resume = latestCheckpoint(dir);
    const summary = await runSft({
      model,
      data,
      out: dir,
      config: settings,
      ...(resume === undefined ? {} : { resume }),
      log,
      ...(c.progress === undefined ? {} : { tty: c.progress }),
    });
    if (summary.final === null) throw new Interrupted(`${name} SFT interrupted at step ${summary.steps}`);
    return {
      checkpoint: summary.final,
      sftSteps: summary.steps,
      trainLoss: [summary.trainLossFirst, summary.trainLossLast],
      /** Non-padding positions the student processed (forward + backward) over all steps. */
      realTokens: summary.realTokens,
    };
  };

  const sample = async (
    dir: string,
    from: string,
    template: SampleTemplate,
    s: SamplingStage,
    filters: Record<string, unknown>,
  ) => {
    const problems: RSProblem[] = task
      .problems(s.problems, s.seed)
      .map((p: TaskItem) => ({ id: p.id, prompt: p.prompt, answer: p.answer }));
    const { engine, tokenizer } = await engineFromCheckpoint(from, { maxBatchRows: 128 });
    try {
      return await runSampleStage({
        out: dir,
        problems,
        source: `${task.name}:problems=${s.problems}:seed=${s.seed}`,
        engine,
        template,
        verifier: 'math',
        k: s.k,
        params: { temperature: s.temperature, topP: s.topP, maxNewTokens: c.maxTokens, seed: s.seed },
        filters,
        decontaminate: [],
        nonReasoning: null,
        rejected: false,
        countTokens: (text) => tokenizer.encode(text).length,
        batchProblems: 32,
        ...progress,
      });
    } finally {
      await engine.close?.();
    }
  };

  return { stage, measure, grpo, sft, sample };
}
