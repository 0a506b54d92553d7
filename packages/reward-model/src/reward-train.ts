/**
 * The reward-model loop, top to bottom, as @r1/distill's `sftTrain` and sharing its pieces: plan (steps per epoch,
 * warm-up) → for each optimiser step: its micro-batches in @r1/distill's seeded epoch order (`microBatchesOf`) →
 * loss/backward with gradient accumulation (Bradley–Terry over pairs, or BCE over labelled responses) → clip →
 * AdamW (@r1/grpo-core; a non-finite loss or gradient skips the update and is counted) → log → evaluate every
 * `eval_steps` → checkpoint every `save_steps`. Every random choice derives from (seed, epoch), so a resumed run
 * replays the uninterrupted one exactly. It reads no files and writes none: `save` and `onStep` are the caller's.
 */
import { microBatchesOf, type SftPlan } from '@r1/distill';
import { AdamW, clipGradNorm, learningRateAt, type NamedTensors } from '@r1/grpo-core';
import { tf } from '@r1/model';
import type { PointwiseExample, PreferenceExample } from './encode';
import { bradleyTerryLoss, pairMetrics, pointwiseAccuracy, pointwiseBceLoss } from './losses';
import type { RewardConfig } from './reward-config';
import type { RewardModel } from './reward-model';
import type { RewardModelKind } from './reward-model-io';

/** Training data of either kind. */
export type RewardExamples =
  | { kind: 'preference'; examples: readonly PreferenceExample[] }
  | { kind: 'pointwise'; examples: readonly PointwiseExample[] };

/** Held-out numbers. Preference: pair accuracy and mean margin `r_c − r_r`; pointwise: accuracy. */
export interface RewardEvalResult {
  examples: number;
  loss: number;
  accuracy: number;
  meanMargin?: number;
  meanChosen?: number;
  meanRejected?: number;
}

/** One optimiser step, as metrics.jsonl records it. */
export interface RewardStepRecord {
  step: number;
  epoch: number;
  loss: number;
  /** Training accuracy of the step's examples (pairs ranked right, or labels predicted). */
  accuracy: number;
  /** Preference only: mean `r_c − r_r` of the step's pairs. */
  meanMargin?: number;
  gradNorm: number;
  learningRate: number;
  examples: number;
  tokens: number;
  seconds: number;
  examplesPerSecond: number;
  skipped: boolean;
  eval?: RewardEvalResult;
}

export interface RewardPlanSummary {
  kind: RewardModelKind;
  examples: number;
  microBatchesPerEpoch: number;
  stepsPerEpoch: number;
  totalSteps: number;
  warmupSteps: number;
  config: RewardConfig;
}

/** What a checkpoint stores to resume (trainer_state.json). */
export interface RewardTrainerState {
  step: number;
  totalSteps: number;
  plan: RewardPlanSummary;
  history: RewardStepRecord[];
  wallSeconds: number;
  /** Held-out numbers before the first step, kept across resumes (runRewardModelTraining sets it). */
  evalBefore?: RewardEvalResult | null;
}

export interface TrainRewardModelOptions {
  config: RewardConfig;
  padId: number;
  evalData?: RewardExamples;
  /** Continue from a checkpoint: its trainer state and optimizer tensors (read, not disposed). */
  resume?: { state: RewardTrainerState; optimizerState: NamedTensors } | null;
  /** Aborting stops after the current step, saves, and returns with `interrupted: true`. */
  signal?: AbortSignal;
  /** Stop (and save) after this many steps — what a test of resume needs. */
  stopAfterSteps?: number;
  onStep?: (record: RewardStepRecord, plan: RewardPlanSummary) => void;
  save?: (step: number, state: RewardTrainerState, optimizer: AdamW) => Promise<void>;
}

export interface RewardTrainResult {
  plan: RewardPlanSummary;
  history: RewardStepRecord[];
  steps: number;
  interrupted: boolean;
  skippedSteps: number;
  wallSeconds: number;
}

/** Steps per epoch, total steps and warm-up, by HF Trainer's arithmetic. */
export function planRewardTraining(kind: RewardModelKind, examples: number, config: RewardConfig): RewardPlanSummary {
  if (examples === 0) throw new Error('trainRewardModel: no training examples');
  const microBatchesPerEpoch = Math.ceil(examples / config.perDeviceTrainBatchSize);
  const stepsPerEpoch = Math.ceil(microBatchesPerEpoch / config.gradientAccumulationSteps);
  const totalSteps =
    config.maxSteps > 0 ? config.maxSteps : Math.max(1, Math.ceil(config.numTrainEpochs * stepsPerEpoch));
  const warmupSteps = config.warmupSteps > 0 ? config.warmupSteps : Math.ceil(config.warmupRatio * totalSteps);
  return { kind, examples, microBatchesPerEpoch, stepsPerEpoch, totalSteps, warmupSteps, config: { ...config } };
}

/** The plan in @r1/distill's shape (one "sequence" per example), so its seeded epoch order is shared. */
function asSftPlan(plan: RewardPlanSummary): SftPlan {
  const { centerRewardsCoefficient: _c, ...loop } = plan.config;
  return {
    rows: Array.from({ length: plan.examples }, (_, i) => [i]),
    examples: plan.examples,
    sequences: plan.examples,
    microBatchesPerEpoch: plan.microBatchesPerEpoch,
    stepsPerEpoch: plan.stepsPerEpoch,
    totalSteps: plan.totalSteps,
    warmupSteps: plan.warmupSteps,
    packingEfficiency: 1,
    config: { ...loop, packing: false },
  };
}

/** Right-padded `[B, L]` ids and mask of token rows. */
export function padRows(rows: readonly (readonly number[])[], padId: number): { ids: tf.Tensor2D; mask: tf.Tensor2D } {
  const L = Math.max(1, ...rows.map((r) => r.length));
  const ids = new Int32Array(rows.length * L).fill(padId);
  const mask = new Int32Array(rows.length * L);
  rows.forEach((r, b) => {
    ids.set(r, b * L);
    mask.fill(1, b * L, b * L + r.length);
  });
  return { ids: tf.tensor2d(ids, [rows.length, L], 'int32'), mask: tf.tensor2d(mask, [rows.length, L], 'int32') };
}

/** Rewards of token rows, in batches, without a tape. */
export function scoreRows(
  model: RewardModel,
  rows: readonly (readonly number[])[],
  batchSize: number,
  padId: number,
): Float32Array {
  const out = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i += batchSize) {
    const { ids, mask } = padRows(rows.slice(i, i + batchSize), padId);
    const r = model.rewards(ids, mask);
    out.set(r.dataSync() as Float32Array, i);
    tf.dispose([ids, mask, r]);
  }
  return out;
}

const softplus64 = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
function mean(xs: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += xs[i]!;
  return sum / xs.length;
}

/**
 * Held-out loss and accuracy (and, for pairs, the mean margin and mean rewards), on the host in float64.
 * @example
 * ```ts
 * const { accuracy, meanMargin } = evaluateRewardModel(rm, { kind: 'preference', examples }, { batchSize: 8, padId });
 * ```
 */
export function evaluateRewardModel(
  model: RewardModel,
  data: RewardExamples,
  options: { batchSize: number; padId: number; centerRewardsCoefficient?: number | null },
): RewardEvalResult {
  const { batchSize, padId } = options;
  if (data.kind === 'preference') {
    const e = data.examples;
    const rc = scoreRows(
      model,
      e.map((x) => x.chosen),
      batchSize,
      padId,
    );
    const rr = scoreRows(
      model,
      e.map((x) => x.rejected),
      batchSize,
      padId,
    );
    const c = options.centerRewardsCoefficient ?? 0;
    let loss = 0;
    e.forEach((x, i) => {
      const s = rc[i]! + rr[i]!;
      loss += (softplus64(-(rc[i]! - rr[i]! - x.margin)) + c * s * s) / e.length;
    });
    return { examples: e.length, loss, ...pairMetrics(rc, rr), meanChosen: mean(rc), meanRejected: mean(rr) };
  }
  const e = data.examples;
  const z = scoreRows(
    model,
    e.map((x) => x.ids),
    batchSize,
    padId,
  );
  let loss = 0;
  e.forEach((x, i) => {
    loss += (softplus64(z[i]!) - x.label * z[i]!) / e.length;
  });
  return {
    examples: e.length,
    loss,
    accuracy: pointwiseAccuracy(
      z,
      e.map((x) => x.label),
    ),
  };
}

/** One micro-batch: its loss weighted by its share of the step, and the rewards it produced (kept). */
function microBatchLoss(
  model: RewardModel,
  data: RewardExamples,
  indices: readonly number[],
  stepExamples: number,
  config: RewardConfig,
  padId: number,
): { loss: tf.Scalar; rewards: tf.Tensor1D; tokens: number } {
  const weight = indices.length / stepExamples;
  if (data.kind === 'preference') {
    const pairs = indices.map((i) => data.examples[i]!);
    const { ids, mask } = padRows([...pairs.map((p) => p.chosen), ...pairs.map((p) => p.rejected)], padId);
    const B = pairs.length;
    const r = model.rewards(ids, mask); // [2B]: chosen rows, then rejected rows
    const margin = pairs.some((p) => p.margin !== 0) ? tf.tensor1d(pairs.map((p) => p.margin)) : null;
    const bt = bradleyTerryLoss(tf.slice(r, [0], [B]), tf.slice(r, [B], [B]), {
      margin,
      centerRewardsCoefficient: config.centerRewardsCoefficient,
    });
    const tokens = pairs.reduce((s, p) => s + p.chosen.length + p.rejected.length, 0);
    return { loss: tf.mul(bt, weight) as tf.Scalar, rewards: tf.keep(r), tokens };
  }
  const rows = indices.map((i) => data.examples[i]!);
  const { ids, mask } = padRows(
    rows.map((x) => x.ids),
    padId,
  );
  const z = model.rewards(ids, mask); // [B]
  const bce = pointwiseBceLoss(z, tf.tensor1d(rows.map((x) => x.label)));
  return {
    loss: tf.mul(bce, weight) as tf.Scalar,
    rewards: tf.keep(z),
    tokens: rows.reduce((s, x) => s + x.ids.length, 0),
  };
}

function stepMetrics(
  data: RewardExamples,
  indices: readonly number[],
  rewards: Float32Array,
): { accuracy: number; meanMargin?: number } {
  if (data.kind === 'preference') {
    const B = indices.length;
    return pairMetrics(rewards.subarray(0, B), rewards.subarray(B, 2 * B));
  }
  return {
    accuracy: pointwiseAccuracy(
      rewards,
      indices.map((i) => data.examples[i]!.label),
    ),
  };
}

/**
 * Trains `model` in place.
 * @example
 * ```ts
 * const result = await trainRewardModel(rm, { kind: 'preference', examples }, {
 *   config: resolveRewardConfig({ max_steps: 100, center_rewards_coefficient: 0.01 }), padId: tok.eosTokenId });
 * ```
 */
export async function trainRewardModel(
  model: RewardModel,
  data: RewardExamples,
  options: TrainRewardModelOptions,
): Promise<RewardTrainResult> {
  const started = performance.now();
  const { config, padId } = options;
  const plan = planRewardTraining(data.kind, data.examples.length, config);
  const order = asSftPlan(plan);
  const params = new Map<string, tf.Variable>();
  const trainable = new Set(model.trainableVariables());
  const nameOf = new Map<string, string>();
  for (const [name, v] of model.parameters()) {
    if (!trainable.has(v)) continue;
    params.set(name, v);
    nameOf.set(v.name, name);
  }
  const optimizer = new AdamW(params, {
    beta1: config.adamBeta1,
    beta2: config.adamBeta2,
    epsilon: config.adamEpsilon,
    weightDecay: config.weightDecay,
  });
  const resumed = options.resume ?? null;
  if (resumed !== null) {
    checkSamePlan(resumed.state.plan, plan);
    optimizer.importState(resumed.optimizerState);
  }
  const history: RewardStepRecord[] = resumed ? [...resumed.state.history] : [];
  const priorSeconds = resumed?.state.wallSeconds ?? 0;
  let step = resumed?.state.step ?? 0;
  const stateNow = (): RewardTrainerState => ({
    step,
    totalSteps: plan.totalSteps,
    plan,
    history,
    wallSeconds: priorSeconds + (performance.now() - started) / 1000,
  });
  const schedule = {
    learningRate: config.learningRate,
    schedule: config.lrSchedulerType,
    warmupSteps: plan.warmupSteps,
    totalSteps: plan.totalSteps,
  };
  const vars = [...params.values()];
  let interrupted = false;
  try {
    while (step < plan.totalSteps) {
      // Yield once per step so a SIGINT handler (or any abort) can run between steps.
      await new Promise<void>((done) => setImmediate(done));
      if (options.signal?.aborted || (options.stopAfterSteps !== undefined && step >= options.stopAfterSteps)) {
        interrupted = true;
        break;
      }
      const t0 = performance.now();
      // ---- 1. This step's micro-batches (@r1/distill's seeded epoch order).
      const batches = microBatchesOf(order, step);
      const stepExamples = batches.reduce((s, b) => s + b.length, 0);
      // ---- 2. Loss and gradients, accumulated over micro-batches.
      let grads: Map<string, tf.Tensor> | null = null;
      let lossValue = 0;
      let tokens = 0;
      let right = 0;
      let marginSum = 0;
      for (const indices of batches) {
        let rewards: tf.Tensor1D | null = null;
        const { value, grads: g } = tf.variableGrads(() => {
          const r = microBatchLoss(model, data, indices, stepExamples, config, padId);
          rewards = r.rewards;
          tokens += r.tokens;
          return r.loss;
        }, vars);
        lossValue += value.dataSync()[0]!;
        const m = stepMetrics(data, indices, (rewards as unknown as tf.Tensor1D).dataSync() as Float32Array);
        right += m.accuracy * indices.length;
        marginSum += (m.meanMargin ?? 0) * indices.length;
        tf.dispose([value, rewards as unknown as tf.Tensor1D]);
        const renamed = new Map<string, tf.Tensor>();
        for (const [varName, t] of Object.entries(g)) renamed.set(nameOf.get(varName)!, t);
        if (grads === null) grads = renamed;
        else {
          for (const [name, t] of renamed) {
            const sum = tf.add(grads.get(name)!, t);
            grads.get(name)!.dispose();
            t.dispose();
            grads.set(name, sum);
          }
        }
      }
      // ---- 3. Clip, then update unless something is not finite.
      const lr = learningRateAt(step, schedule);
      const clipped = clipGradNorm(grads!, config.maxGradNorm);
      const skipped = !Number.isFinite(lossValue) || !clipped.finite;
      if (!skipped) optimizer.step(clipped.grads, lr);
      tf.dispose([...grads!.values(), ...clipped.grads.values()]);
      step++;
      // ---- 4. Log (and evaluate).
      const seconds = (performance.now() - t0) / 1000;
      const record: RewardStepRecord = {
        step,
        epoch: step / plan.stepsPerEpoch,
        loss: lossValue,
        accuracy: right / stepExamples,
        ...(data.kind === 'preference' ? { meanMargin: marginSum / stepExamples } : {}),
        gradNorm: clipped.norm,
        learningRate: lr,
        examples: stepExamples,
        tokens,
        seconds,
        examplesPerSecond: stepExamples / Math.max(seconds, 1e-9),
        skipped,
      };
      const evalNow = (config.evalSteps > 0 && step % config.evalSteps === 0) || step === plan.totalSteps;
      if (evalNow && options.evalData !== undefined && options.evalData.examples.length > 0) {
        record.eval = evaluateRewardModel(model, options.evalData, {
          batchSize: config.perDeviceEvalBatchSize,
          padId,
          centerRewardsCoefficient: config.centerRewardsCoefficient,
        });
      }
      history.push(record);
      options.onStep?.(record, plan);
      // ---- 5. Checkpoint.
      if (options.save && config.saveSteps > 0 && step % config.saveSteps === 0) {
        await options.save(step, stateNow(), optimizer);
      }
    }
    if (interrupted && options.save && !(config.saveSteps > 0 && step % config.saveSteps === 0 && step > 0)) {
      await options.save(step, stateNow(), optimizer);
    }
  } finally {
    optimizer.dispose();
  }
  return {
    plan,
    history,
    steps: step,
    interrupted,
    skippedSteps: history.filter((h) => h.skipped).length,
    wallSeconds: stateNow().wallSeconds,
  };
}

function checkSamePlan(saved: RewardPlanSummary, now: RewardPlanSummary): void {
  const differences: string[] = [];
  for (const key of ['kind', 'examples', 'totalSteps', 'warmupSteps'] as const) {
    if (saved[key] !== now[key]) differences.push(`${key} ${saved[key]} → ${now[key]}`);
  }
  for (const [key, value] of Object.entries(now.config)) {
    const before = (saved.config as unknown as Record<string, unknown>)[key];
    if (before !== value) differences.push(`${key} ${String(before)} → ${String(value)}`);
  }
  if (differences.length > 0) {
    throw new Error(
      `resume: the checkpoint was trained with another plan (${differences.join('; ')}); resume with the same data ` +
        'and training options, or start a new run',
    );
  }
}
