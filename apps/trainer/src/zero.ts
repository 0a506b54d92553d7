/**
 * `r1-train zero`: R1-Zero — pure RL with GRPO from a base model, rule-based rewards, the Table 1 template.
 *
 * The loop reads top to bottom: sample G completions per prompt → score (rewards per component and total) →
 * group advantages → GRPO update (μ passes, clipping, AdamW) → log → checkpoint; with a held-out evaluation before,
 * during (the accuracy curve, Figure 2) and after. How it differs from TRL's GRPOTrainer: the policy samples itself
 * (no vLLM), and every random choice is derived from (seed, step), so `--resume` reproduces an uninterrupted run.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type EvalAggregate, type ProblemResult, pairedBootstrap } from '@r1/eval';
import {
  AdamW,
  groupAdvantages,
  grpoUpdate,
  namedTrainables,
  type OptimizerStepMetrics,
  type Rollout,
  warmupStepsFor,
} from '@r1/grpo-core';
import { initBackend, loadModel, loadTokenizer, type Model, type Tokenizer } from '@r1/model';
import { type CombinedReward, createLanguageConsistencyReward } from '@r1/rewards';
import { type Completion, createLocalEngine, createSampler, deriveSeed, type Sampler } from '@r1/sampler';
import type { TaskItem } from '@r1/tasks';
import { isReadable } from '@r1/templates';
import { loadTrainingCheckpoint, saveTrainingCheckpoint } from './checkpointing';
import { heldOutEval } from './heldout';
import { Progress } from './progress';
import { writeReport } from './report';
import { rewardScorer } from './reward-registry';
import { MetricsLog, prepareRunDir } from './run-dir';
import { promptTemplate } from './stages/prompts';
import { openTrainingTask } from './stages/training-task';
import type { TrainerConfig } from './trainer-config';
import { upcycleToMoe } from './upcycle';

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
}

export interface EvalSnapshot {
  pass1: number;
  pass1CI: [number, number];
  consK: number;
  k: number;
  problems: number;
  meanTokens: number;
}

/** One optimiser step's record in metrics.jsonl. */
export interface StepRecord extends OptimizerStepMetrics {
  generation: number;
  rewardMean: number;
  rewardStd: number;
  rewardComponents: Record<string, number>;
  accuracy: number;
  fracZeroStd: number;
  completionLengthMean: number;
  completionLengthMin: number;
  completionLengthMax: number;
  truncatedFraction: number;
  tokensPerSecond: number;
  seconds: { generate: number; score: number; train: number };
  heldOutPass1?: number;
  /** Mean language consistency of the step's completions (target en, the template's format). */
  languageConsistency: number;
  /** Share of the step's completions in the readable R1 format (reasoning, then a summary in words). */
  readableRate: number;
  /** Dynamic sampling: groups sampled for this update, and those dropped because all their rewards agreed. */
  groupsDrawn: number;
  groupsDropped: number;
}

function snapshot(aggregate: EvalAggregate): EvalSnapshot {
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
const std = (xs: readonly number[]) => {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
};

export async function runZero(options: ZeroOptions): Promise<ZeroSummary> {
  const { config } = options;
  const grpo = config.grpo;
  const log = options.log ?? ((line: string) => console.error(line));
  const started = performance.now();
  const backend = await initBackend();

  // ---- Setup: policy (fresh or resumed), reference, tokenizer, task, rewards, optimiser, run directory.
  const resumed = options.resume ? await loadTrainingCheckpoint(options.resume) : null;
  const loadBase = async (): Promise<Model> => {
    const base = await loadModel(config.model);
    if (config.moe === null) return base;
    const moe = upcycleToMoe(base, { ...config.moe, seed: grpo.seed });
    base.dispose();
    return moe;
  };
  const policy: Model = resumed?.model ?? (await loadBase());
  const tokenizer: Tokenizer = await loadTokenizer(options.resume ?? config.model);
  const reference = grpo.beta > 0 ? await loadBase() : null;
  const named = namedTrainables(policy);
  const optimizer = new AdamW(named.params, {
    beta1: grpo.adamBeta1,
    beta2: grpo.adamBeta2,
    epsilon: grpo.adamEpsilon,
    weightDecay: grpo.weightDecay,
  });
  if (resumed) {
    optimizer.importState(resumed.optimizerState);
    for (const t of resumed.optimizerState.values()) t.dispose();
  }
  const state = (resumed?.state ?? {}) as {
    step?: number;
    generation?: number;
    history?: StepRecord[];
    before?: { aggregate: EvalAggregate; pass1s: number[] };
    runDir?: string;
    wallSeconds?: number;
  };
  const run = prepareRunDir(grpo.outputDir, grpo.runName ?? `zero-${config.task.name}-seed${grpo.seed}`, state.runDir);
  writeFileSync(join(run.dir, 'config.json'), `${JSON.stringify({ ...config, backend }, null, 2)}\n`);
  log(`run ${run.dir} · backend ${backend.name} (${backend.threads} threads)`);
  log(`resolved config:\n${JSON.stringify(config, null, 2)}`);

  const task = await openTrainingTask(config.task, config.eval.problems);
  const prompt = promptTemplate(config.template, tokenizer, options.resume ?? config.model);
  const score = rewardScorer(grpo.rewardFuncs, grpo.rewardWeights, prompt.format);
  const consistency = createLanguageConsistencyReward({ format: prompt.format });
  const sampler: Sampler = createSampler(
    createLocalEngine({ model: policy, tokenizer, modelId: `${run.dir}:policy`, maxBatchRows: 128 }),
  );
  const heldOut = task.heldOut(config.eval.seed);
  const curveSet = heldOut.slice(0, config.eval.curveProblems);
  const template = prompt.render;
  const evalParams = (k: number) => ({
    k,
    temperature: config.eval.temperature,
    topP: config.eval.topP,
    maxNewTokens: grpo.maxCompletionLength,
    seed: config.eval.seed,
  });

  // ---- Held-out evaluation before training (kept in the trainer state so a resumed run reuses it).
  let before = state.before;
  if (!before) {
    log(`evaluating the base model: ${heldOut.length} held-out problems × k=${config.eval.k} …`);
    const r = await heldOutEval(sampler, heldOut, template, evalParams(config.eval.k));
    before = { aggregate: r.aggregate, pass1s: r.problems.map((p) => p.pass1) };
    log(
      `before: pass@1 ${(100 * before.aggregate.pass1).toFixed(1)}% [${before.aggregate.pass1CI.map((x) => (100 * x).toFixed(1)).join(', ')}], cons@${config.eval.k} ${(100 * before.aggregate.consK).toFixed(1)}%`,
    );
  }

  const history: StepRecord[] = state.history ?? [];
  const metricsLog = new MetricsLog(join(run.dir, 'metrics.jsonl'), history.length);
  let step = state.step ?? 0;
  let generation = state.generation ?? 0;
  const schedule = {
    learningRate: grpo.learningRate,
    schedule: grpo.lrSchedulerType,
    warmupSteps: warmupStepsFor(grpo),
    totalSteps: grpo.maxSteps,
  };
  const promptsPerGeneration = grpo.generationBatchSize / grpo.numGenerations;
  const progress = new Progress(grpo.maxSteps, options.progress ?? process.stderr.isTTY === true);
  progress.update(step, {});
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    log('\nSIGINT: finishing this step, saving a checkpoint, then exiting');
  };
  process.on('SIGINT', onSigint);

  const save = async () => {
    const dir = join(run.dir, `checkpoint-${step}`);
    await saveTrainingCheckpoint(dir, policy, tokenizer, optimizer, {
      step,
      generation,
      history,
      before,
      runDir: run.dir,
      wallSeconds: (state.wallSeconds ?? 0) + (performance.now() - started) / 1000,
    });
    return dir;
  };

  try {
    while (
      step < grpo.maxSteps &&
      !interrupted &&
      !(options.stopAfterSteps !== undefined && step >= options.stopAfterSteps)
    ) {
      // ---- 1–2. Sample G completions for each prompt of this generation batch, and score them (every reward
      // component and the weighted total). With dynamic sampling (DAPO), groups whose rewards all agree are dropped
      // and more prompts are drawn until the batch is full, up to maxNumGenBatches draws; if still short, dropped
      // groups fill the rest (they add no policy gradient) so the batch keeps its shape.
      const t0 = performance.now();
      let sampleMs = 0;
      const kept: { item: TaskItem; completions: Completion[]; scored: CombinedReward[] }[] = [];
      const dropped: typeof kept = [];
      let groupsDrawn = 0;
      for (let draw = 0; draw < (grpo.dynamicSampling ? grpo.maxNumGenBatches : 1); draw++) {
        const drawSeed = draw === 0 ? deriveSeed(grpo.seed, generation) : deriveSeed(grpo.seed, generation, 100 + draw);
        const items = task.train(promptsPerGeneration, drawSeed);
        const requests = items.map((p) => ({ ...template(p), seed: deriveSeed(drawSeed, 1) }));
        const s0 = performance.now();
        const drawn = await sampler.generate(requests, {
          n: grpo.numGenerations,
          temperature: grpo.temperature,
          topP: grpo.topP,
          topK: grpo.topK,
          minP: grpo.minP ?? 0,
          repetitionPenalty: grpo.repetitionPenalty,
          maxNewTokens: grpo.maxCompletionLength,
          seed: deriveSeed(drawSeed, 2),
        });
        sampleMs += performance.now() - s0;
        items.forEach((item, i) => {
          const completions = drawn[i]!;
          const groupScores = score(
            completions.map((c) => c.text),
            item,
          );
          const values = groupScores.map((g) => g.total);
          const informative = !grpo.dynamicSampling || new Set(values).size > 1;
          (informative ? kept : dropped).push({ item, completions, scored: groupScores });
        });
        groupsDrawn += items.length;
        if (kept.length >= promptsPerGeneration) break;
      }
      const groups = [...kept, ...dropped].slice(0, promptsPerGeneration);
      const prompts = groups.map((g) => g.item);
      const completions = groups.map((g) => g.completions);
      const scored = groups.map((g) => g.scored);
      const totals = scored.flat().map((s) => s.total);
      const t1 = t0 + sampleMs;
      const t2 = performance.now();

      // ---- 3. Advantages within each group of G.
      const adv = groupAdvantages(totals, grpo.numGenerations, { scaleRewards: grpo.scaleRewards });
      const rollouts: Rollout[] = [];
      prompts.forEach((p, i) => {
        const promptIds = tokenizer.encode(template(p).prompt);
        completions[i]!.forEach((c, j) => {
          rollouts.push({
            promptIds,
            completionIds: c.tokenIds,
            truncated: c.finishReason === 'length',
            advantage: adv.advantages[i * grpo.numGenerations + j]!,
          });
        });
      });

      // ---- 4. Update: μ passes of clipped-ratio loss, accumulation, clipping, AdamW.
      const updates = grpoUpdate(
        { policy, reference, optimizer, named, config: grpo, schedule, padId: tokenizer.eosTokenId },
        rollouts,
        step,
      );
      const t3 = performance.now();

      // ---- 5. Log.
      const flat = completions.flat();
      const lengths = flat.map((c) => c.tokenIds.length);
      const components: Record<string, number> = {};
      for (const name of scored[0]![0]!.components.map((c) => c.name)) {
        components[name] = mean(scored.flat().map((s) => s.components.find((c) => c.name === name)?.value ?? 0));
      }
      const validTotals = totals.filter((t): t is number => t !== null);
      const accuracy = components.accuracy ?? components.countdown ?? Number.NaN;
      for (const u of updates) {
        step = u.step + 1;
        const record: StepRecord = {
          ...u,
          generation,
          rewardMean: mean(validTotals),
          rewardStd: std(validTotals),
          rewardComponents: components,
          accuracy,
          fracZeroStd: adv.fracZeroStd,
          completionLengthMean: mean(lengths),
          completionLengthMin: Math.min(...lengths),
          completionLengthMax: Math.max(...lengths),
          truncatedFraction: flat.filter((c) => c.finishReason === 'length').length / flat.length,
          tokensPerSecond: lengths.reduce((a, b) => a + b, 0) / (sampleMs / 1000),
          seconds: { generate: sampleMs / 1000, score: (t2 - t1) / 1000, train: (t3 - t2) / 1000 },
          languageConsistency: mean(flat.map((c) => consistency(c.text, { prompt: '' }) ?? 0)),
          readableRate: flat.filter((c) => isReadable(c.text)).length / flat.length,
          groupsDrawn,
          groupsDropped: dropped.length,
        };
        if (config.eval.everySteps > 0 && step % config.eval.everySteps === 0) {
          const curve = await heldOutEval(sampler, curveSet, template, evalParams(config.eval.curveK));
          record.heldOutPass1 = curve.aggregate.pass1;
        }
        history.push(record);
        metricsLog.append(record);
        progress.update(step, {
          reward: record.rewardMean,
          acc: accuracy,
          len: record.completionLengthMean,
          heldOut: record.heldOutPass1,
        });
        if (step % grpo.loggingSteps === 0 || step === grpo.maxSteps) {
          log(
            `step ${step}/${grpo.maxSteps} reward ${record.rewardMean.toFixed(3)} acc ${(100 * accuracy).toFixed(1)}% ` +
              `len ${record.completionLengthMean.toFixed(1)} kl ${record.kl?.toFixed(4) ?? '-'} ` +
              `clip ${record.clipFraction.toFixed(3)} gnorm ${record.gradNorm.toFixed(3)} lr ${record.learningRate.toExponential(2)}` +
              (record.heldOutPass1 !== undefined ? ` held-out ${(100 * record.heldOutPass1).toFixed(1)}%` : '') +
              (record.skipped ? ' [skipped: non-finite]' : ''),
          );
        }
      }
      generation++;

      // ---- 6. Checkpoint.
      if (step % grpo.saveSteps === 0 || step >= grpo.maxSteps || interrupted || step === options.stopAfterSteps) {
        const dir = await save();
        log(`checkpoint ${dir}`);
      }
    }
  } finally {
    process.off('SIGINT', onSigint);
    progress.done();
  }

  if (step < grpo.maxSteps) {
    // Interrupted (SIGINT or stopAfterSteps): the checkpoint above holds everything; no final evaluation.
    const summary = partialSummary(config, step, history, before.aggregate, run.dir);
    policy.dispose();
    reference?.dispose();
    return summary;
  }

  // ---- After: held-out evaluation, paired comparison, summary and report.
  log(`evaluating the trained model: ${heldOut.length} held-out problems × k=${config.eval.k} …`);
  const after = await heldOutEval(sampler, heldOut, template, evalParams(config.eval.k));
  const diff = pairedBootstrap(
    before.pass1s,
    after.problems.map((p: ProblemResult) => p.pass1),
    { seed: config.eval.seed },
  );
  const firstLengths = history.slice(0, Math.max(1, Math.ceil(history.length / 10))).map((h) => h.completionLengthMean);
  const lastLengths = history.slice(-Math.max(1, Math.ceil(history.length / 10))).map((h) => h.completionLengthMean);
  const summary: ZeroSummary = {
    task: config.task.name,
    steps: step,
    wallSeconds: (state.wallSeconds ?? 0) + (performance.now() - started) / 1000,
    before: snapshot(before.aggregate),
    after: snapshot(after.aggregate),
    delta: { pass1: diff.diff, ci: diff.ci },
    meanLengthFirst: mean(firstLengths),
    meanLengthLast: mean(lastLengths),
    runDir: run.dir,
    skippedSteps: history.filter((h) => h.skipped).length,
  };
  writeFileSync(join(run.dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeReport(join(run.dir, 'report.html'), { summary, history, config, samples: after.problems.slice(0, 6) });
  run.markLatest();
  log(
    `after: pass@1 ${(100 * summary.after.pass1).toFixed(1)}% (before ${(100 * summary.before.pass1).toFixed(1)}%), ` +
      `Δ ${(100 * diff.diff).toFixed(1)} points, 95% CI [${(100 * diff.ci[0]).toFixed(1)}, ${(100 * diff.ci[1]).toFixed(1)}]; ` +
      `mean length ${summary.meanLengthFirst.toFixed(1)} → ${summary.meanLengthLast.toFixed(1)} tokens; ` +
      `${summary.wallSeconds.toFixed(0)} s`,
  );
  log(`wrote ${join(run.dir, 'summary.json')} and ${join(run.dir, 'report.html')}`);
  policy.dispose();
  reference?.dispose();
  return summary;
}

function partialSummary(
  config: TrainerConfig,
  step: number,
  history: StepRecord[],
  before: EvalAggregate,
  runDir: string,
): ZeroSummary {
  const snap = snapshot(before);
  return {
    task: config.task.name,
    steps: step,
    wallSeconds: 0,
    before: snap,
    after: snap,
    delta: { pass1: 0, ci: [0, 0] },
    meanLengthFirst: history[0]?.completionLengthMean ?? 0,
    meanLengthLast: history.at(-1)?.completionLengthMean ?? 0,
    runDir,
    skippedSteps: history.filter((h) => h.skipped).length,
  };
}
