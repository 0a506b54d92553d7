/**
 * The GRPO stage: the one RL loop of every RL stage — R1-Zero (pipelines/zero.ts), the R1 pipeline's reasoning RL
 * (pipelines/r1.ts), and any later stage. It takes a policy checkpoint, a task (or a mix of tasks), a prompt
 * template, a reward scorer and an evaluation spec, and never knows which stage it is.
 *
 * The loop reads top to bottom: sample G completions per prompt (with DAPO's dynamic sampling, more prompts until
 * the batch is full of informative groups) → score (rewards per component and total) → group advantages → GRPO
 * update (μ passes, clipping, AdamW) → log → checkpoint; with an optional held-out evaluation before, during (the
 * accuracy curve, Figure 2) and after. By default the policy samples itself; with `rollout` the training batches
 * are sampled on inference servers that receive the policy's weights (SGLang, r1-serve; vLLM only without weight
 * sync; stages/rollout.ts), while held-out evaluations stay on the policy here. Every random choice is derived from
 * (seed, step), so a resumed run reproduces an uninterrupted one.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvalAggregate, EvalResult } from '@r1/eval';
import {
  AdamW,
  groupAdvantages,
  grpoUpdate,
  namedTrainables,
  type OptimizerStepMetrics,
  type ResolvedGRPOConfig,
  type Rollout,
  warmupStepsFor,
} from '@r1/grpo-core';
import { initBackend, loadModel, loadTokenizer, type Model, type Tokenizer } from '@r1/model';
import { type CombinedReward, createLanguageConsistencyReward } from '@r1/rewards';
import { type Completion, createLocalEngine, createSampler, deriveSeed, type Sampler } from '@r1/sampler';
import type { TaskItem } from '@r1/tasks';
import { isReadable } from '@r1/templates';
import { loadTrainingCheckpoint, saveTrainingCheckpoint } from '../checkpointing';
import { Progress } from '../progress';
import type { GroupScorer } from '../reward-registry';
import { MetricsLog, prepareRunDir } from '../run-dir';
import type { EvalSettings, TrainerConfig } from '../trainer-config';
import { upcycleToMoe } from '../upcycle';
import { heldOutEval } from './heldout';
import type { PromptTemplate } from './prompts';
import { openRollout, type RolloutRecord, type RolloutSettings } from './rollout';
import type { TrainingTask } from './training-task';

export interface GrpoStageOptions {
  /** The policy's starting checkpoint (HF layout); also the KL reference when beta > 0. */
  model: string;
  /** Upcycle the dense start into an MoE policy (see upcycle.ts); null = train it as it is. */
  moe: TrainerConfig['moe'];
  task: TrainingTask;
  template: PromptTemplate;
  score: GroupScorer;
  grpo: ResolvedGRPOConfig;
  eval: EvalSettings;
  /** Run directory, when the caller names it; else grpo.outputDir/grpo.runName (or `defaultRunName`). */
  runDir?: string;
  defaultRunName: string;
  /** Written to the run directory's config.json. */
  describe: Record<string, unknown>;
  /** Held-out evaluation of the starting policy (kept in the trainer state) and of the trained one. Default true. */
  evaluateBefore?: boolean;
  evaluateAfter?: boolean;
  /** Extra per-step metrics over the step's prompts, completions (per prompt) and scores, logged in `extra`. */
  stepMetrics?: (
    prompts: readonly TaskItem[],
    completions: readonly (readonly string[])[],
    scored: readonly (readonly CombinedReward[])[],
  ) => Record<string, number> | Promise<Record<string, number>>;
  /** Sample the training batches on inference servers (stages/rollout.ts); absent or null = the policy here. */
  rollout?: RolloutSettings | null;
  /** Resume from this checkpoint directory (written by a previous run). */
  resume?: string;
  /** Stop (after saving) once this many optimiser steps are done — for tests of resume. */
  stopAfterSteps?: number;
  log?: (line: string) => void;
  /** Show a live progress bar on stderr. Default: when stderr is a TTY. */
  progress?: boolean;
}

export interface GrpoStageResult {
  runDir: string;
  steps: number;
  /** False when interrupted (SIGINT or stopAfterSteps) before grpo.maxSteps. */
  finished: boolean;
  history: StepRecord[];
  /** The last checkpoint written (the trained policy when finished). */
  checkpoint: string | null;
  before: { aggregate: EvalAggregate; pass1s: number[] } | null;
  after: EvalResult | null;
  /** Wall-clock seconds of the stage, over all resumed runs. */
  wallSeconds: number;
  /** Rollouts on inference servers: endpoints, weight syncs, staleness; null when the policy sampled itself. */
  rollout: RolloutRecord | null;
}

/** One optimiser step's record in metrics.jsonl. */
export interface StepRecord extends Omit<OptimizerStepMetrics, 'phaseSeconds'> {
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
  seconds: { generate: number; score: number; train: number } & OptimizerStepMetrics['phaseSeconds'];
  heldOutPass1?: number;
  /** Mean language consistency of the step's completions (target en, the template's format). */
  languageConsistency: number;
  /** Share of the step's completions in the readable R1 format (reasoning, then a summary in words). */
  readableRate: number;
  /** Dynamic sampling: groups sampled for this update, and those dropped because all their rewards agreed. */
  groupsDrawn: number;
  groupsDropped: number;
  /** With rollouts on servers: optimiser steps between the policy and the weights that sampled this batch. */
  rolloutLagSteps?: number;
  /** What the stage's `stepMetrics` adds (e.g. the hidden gold preference next to the reward model's). */
  extra?: Record<string, number>;
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
const std = (xs: readonly number[]) => {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
};

export async function runGrpoStage(options: GrpoStageOptions): Promise<GrpoStageResult> {
  const grpo = options.grpo;
  const evalSettings = options.eval;
  const log = options.log ?? ((line: string) => console.error(line));
  const started = performance.now();
  const backend = await initBackend();

  // ---- Setup: policy (fresh or resumed), reference, tokenizer, task, rewards, optimiser, run directory.
  const resumed = options.resume ? await loadTrainingCheckpoint(options.resume) : null;
  const loadBase = async (): Promise<Model> => {
    const base = await loadModel(options.model);
    if (options.moe === null) return base;
    const moe = upcycleToMoe(base, { ...options.moe, seed: grpo.seed });
    base.dispose();
    return moe;
  };
  const policy: Model = resumed?.model ?? (await loadBase());
  const tokenizer: Tokenizer = await loadTokenizer(options.resume ?? options.model);
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
    rollout?: RolloutRecord | null;
  };
  const run = prepareRunDir(grpo.outputDir, grpo.runName ?? options.defaultRunName, state.runDir ?? options.runDir);
  writeFileSync(join(run.dir, 'config.json'), `${JSON.stringify({ ...options.describe, backend }, null, 2)}\n`);
  log(`run ${run.dir} · backend ${backend.name} (${backend.threads} threads)`);
  log(`resolved config:\n${JSON.stringify(options.describe, null, 2)}`);

  const { task, score } = options;
  const prompt = options.template;
  const consistency = createLanguageConsistencyReward({ format: prompt.format });
  const sampler: Sampler = createSampler(
    createLocalEngine({ model: policy, tokenizer, modelId: `${run.dir}:policy`, maxBatchRows: 128 }),
  );
  const rollout = options.rollout
    ? await openRollout(options.rollout, { runDir: run.dir, tokenizer, log, previous: state.rollout ?? null })
    : null;
  const rolloutSampler = rollout?.sampler ?? sampler;
  const heldOut = task.heldOut(evalSettings.seed);
  const curveSet = heldOut.slice(0, evalSettings.curveProblems);
  const template = prompt.render;
  // A policy trained on the code reward is measured as code is: by running its programs (@r1/sandbox).
  const judge = grpo.rewardFuncs.includes('code') ? ('code' as const) : ('math' as const);
  const evalParams = (k: number) => ({
    k,
    temperature: evalSettings.temperature,
    topP: evalSettings.topP,
    maxNewTokens: grpo.maxCompletionLength,
    seed: evalSettings.seed,
    judge,
  });

  // ---- Held-out evaluation before training (kept in the trainer state so a resumed run reuses it).
  let before = state.before ?? null;
  if (before === null && options.evaluateBefore !== false) {
    log(`evaluating the base model: ${heldOut.length} held-out problems × k=${evalSettings.k} …`);
    const r = await heldOutEval(sampler, heldOut, template, evalParams(evalSettings.k));
    before = { aggregate: r.aggregate, pass1s: r.problems.map((p) => p.pass1) };
    log(
      `before: pass@1 ${(100 * before.aggregate.pass1).toFixed(1)}% [${before.aggregate.pass1CI.map((x) => (100 * x).toFixed(1)).join(', ')}], cons@${evalSettings.k} ${(100 * before.aggregate.consK).toFixed(1)}%`,
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

  let lastCheckpoint: string | null = null;
  const save = async () => {
    const dir = join(run.dir, `checkpoint-${step}`);
    await saveTrainingCheckpoint(dir, policy, tokenizer, optimizer, {
      step,
      generation,
      history,
      before,
      runDir: run.dir,
      wallSeconds: (state.wallSeconds ?? 0) + (performance.now() - started) / 1000,
      rollout: rollout?.record() ?? null,
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
      // With rollouts on servers, first bring their weights up to the policy's (when a sync is due).
      const lag = rollout === null ? undefined : await rollout.beforeBatch(step, policy);
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
        const sampled = await rolloutSampler.generate(requests, {
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
        // A server's completions carry its token ids, or (rollout.tokenIds) the text tokenised here: once, up front.
        const drawn =
          rollout === null ? sampled : sampled.map((g) => g.map((c) => ({ ...c, tokenIds: rollout.tokenIds(c) })));
        // Scorers may be asynchronous (a reward model, a code sandbox): every group is scored concurrently.
        const allScores = await Promise.all(
          items.map((item, i) =>
            score(
              drawn[i]!.map((c) => c.text),
              item,
              { step, maxSteps: grpo.maxSteps },
            ),
          ),
        );
        items.forEach((item, i) => {
          const completions = drawn[i]!;
          const groupScores = allScores[i]!;
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
        // Over the completions the reward covers (a routed reward is null for the prompts it does not score).
        const values = scored
          .flat()
          .map((s) => s.components.find((c) => c.name === name)?.value ?? null)
          .filter((v): v is number => v !== null);
        components[name] = values.length === 0 ? Number.NaN : mean(values);
      }
      const validTotals = totals.filter((t): t is number => t !== null);
      const accuracy = components.accuracy ?? components.countdown ?? components.code ?? Number.NaN;
      for (const { phaseSeconds, ...u } of updates) {
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
          // train = the update of the whole generation batch; its phases are this optimiser step's own.
          seconds: { generate: sampleMs / 1000, score: (t2 - t1) / 1000, train: (t3 - t2) / 1000, ...phaseSeconds },
          languageConsistency: mean(flat.map((c) => consistency(c.text, { prompt: '' }) ?? 0)),
          readableRate: flat.filter((c) => isReadable(c.text)).length / flat.length,
          groupsDrawn,
          groupsDropped: dropped.length,
          ...(lag === undefined ? {} : { rolloutLagSteps: lag }),
          ...(options.stepMetrics === undefined
            ? {}
            : {
                extra: await options.stepMetrics(
                  prompts,
                  completions.map((g) => g.map((c) => c.text)),
                  scored,
                ),
              }),
        };
        if (evalSettings.everySteps > 0 && step % evalSettings.everySteps === 0) {
          const curve = await heldOutEval(sampler, curveSet, template, evalParams(evalSettings.curveK));
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
        lastCheckpoint = await save();
        log(`checkpoint ${lastCheckpoint}`);
      }
    }
  } finally {
    process.off('SIGINT', onSigint);
    progress.done();
  }

  const wallSeconds = () => (state.wallSeconds ?? 0) + (performance.now() - started) / 1000;
  const result = (after: EvalResult | null): GrpoStageResult => ({
    runDir: run.dir,
    steps: step,
    finished: step >= grpo.maxSteps,
    history,
    checkpoint: lastCheckpoint,
    before,
    after,
    wallSeconds: wallSeconds(),
    rollout: rollout?.record() ?? null,
  });
  try {
    if (step >= grpo.maxSteps) await rollout?.finish(step, policy);
    if (step < grpo.maxSteps || options.evaluateAfter === false) {
      // Interrupted (SIGINT or stopAfterSteps): the checkpoint above holds everything; no final evaluation.
      return result(null);
    }
    log(`evaluating the trained model: ${heldOut.length} held-out problems × k=${evalSettings.k} …`);
    return result(await heldOutEval(sampler, heldOut, template, evalParams(evalSettings.k)));
  } finally {
    policy.dispose();
    reference?.dispose();
    await rollout?.sampler.close();
  }
}
