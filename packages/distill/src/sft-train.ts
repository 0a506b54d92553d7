/**
 * The SFT / distillation loop, top to bottom: plan (sequences, optional packing, steps per epoch) → for each
 * optimiser step: its micro-batches (seeded epoch order) → loss/backward with gradient accumulation → clip →
 * AdamW (a non-finite loss or gradient skips the update and is counted) → log → eval every `eval_steps` →
 * checkpoint every `save_steps`. Every random choice derives from (seed, epoch), so a resumed run replays the
 * uninterrupted one exactly; no RNG state is saved. Nothing here reads data files or writes outputs: `save` and
 * `onStep` are the caller's (see `run-sft.ts`). How it differs from TRL's SFTTrainer: over-length rows are dropped
 * or truncated before planning (counted), packing keeps rows apart exactly, and the KD term is built in.
 */
import { AdamW, clipGradNorm, learningRateAt, type NamedTensors, namedTrainables } from '@r1/grpo-core';
import { type Model, tf } from '@r1/model';
import { createRng } from '@r1/tasks';
import { buildBatch, disposeTrainBatch, positionsOf, type TrainBatch } from './batch';
import { forwardKlSum, maskedNllSum } from './losses';
import { packBestFitDecreasing } from './pack';
import type { SFTConfig } from './sft-config';
import type { TokenizedExample } from './tokenize-row';

/** The training knobs the loop reads. */
export type SftLoopConfig = Pick<
  SFTConfig,
  | 'numTrainEpochs'
  | 'maxSteps'
  | 'perDeviceTrainBatchSize'
  | 'perDeviceEvalBatchSize'
  | 'gradientAccumulationSteps'
  | 'learningRate'
  | 'lrSchedulerType'
  | 'warmupRatio'
  | 'warmupSteps'
  | 'weightDecay'
  | 'adamBeta1'
  | 'adamBeta2'
  | 'adamEpsilon'
  | 'maxGradNorm'
  | 'maxLength'
  | 'packing'
  | 'evalSteps'
  | 'saveSteps'
  | 'seed'
>;

/** A teacher for logit distillation (same vocabulary as the student). */
export interface KdTeacher {
  model: Model;
  alpha: number;
  temperature: number;
}

/** One optimiser step, as metrics.jsonl records it. */
export interface SftStepRecord {
  /** 1-based optimiser step. */
  step: number;
  /** Fractional epoch reached after this step. */
  epoch: number;
  /** Token-mean training loss of the step (CE, or the KD mix). */
  loss: number;
  /** Token-mean cross-entropy (= loss without KD). */
  ce: number;
  /** Token-mean KL(teacher ‖ student) at temperature T, when distilling. */
  kl?: number;
  gradNorm: number;
  learningRate: number;
  trainedTokens: number;
  realTokens: number;
  paddedTokens: number;
  seconds: number;
  tokensPerSecond: number;
  /** True when the loss or gradient was not finite and the update was skipped. */
  skipped: boolean;
  evalLoss?: number;
}

/** What a checkpoint stores to resume (trainer_state.json). */
export interface SftTrainerState {
  step: number;
  totalSteps: number;
  /** Identifies the plan: a resume with other data or knobs is refused. */
  plan: SftPlanSummary;
  history: SftStepRecord[];
  wallSeconds: number;
}

export interface SftPlanSummary {
  examples: number;
  sequences: number;
  microBatchesPerEpoch: number;
  stepsPerEpoch: number;
  totalSteps: number;
  warmupSteps: number;
  /** Non-padding positions / all positions over one epoch's micro-batches. */
  packingEfficiency: number;
  config: SftLoopConfig;
}

export interface SftTrainOptions {
  config: SftLoopConfig;
  padId: number;
  evalExamples?: readonly TokenizedExample[];
  teacher?: KdTeacher | null;
  /** Continue from a checkpoint: its trainer state and optimizer tensors (read, not disposed). */
  resume?: { state: SftTrainerState; optimizerState: NamedTensors } | null;
  /** Aborting stops after the current step, saves, and returns with `interrupted: true` (SIGINT). */
  signal?: AbortSignal;
  /** Stop (and save) after this many steps — what a test of resume needs. */
  stopAfterSteps?: number;
  onStep?: (record: SftStepRecord, plan: SftPlanSummary) => void;
  /** Writes a checkpoint (every save_steps, at interruption). */
  save?: (step: number, state: SftTrainerState, optimizer: AdamW) => Promise<void>;
}

export interface SftTrainResult {
  plan: SftPlanSummary;
  history: SftStepRecord[];
  steps: number;
  interrupted: boolean;
  skippedSteps: number;
  wallSeconds: number;
}

/** A plan's sequences (each a list of row indices) and step counts. */
export interface SftPlan extends SftPlanSummary {
  rows: number[][];
}

/** Sequences of rows (packed by BFD or one row each) and the step arithmetic of HF's Trainer. */
export function planSft(train: readonly TokenizedExample[], config: SftLoopConfig): SftPlan {
  if (train.length === 0) throw new Error('sftTrain: no training examples');
  const sizes = train.map(positionsOf);
  const rows = config.packing
    ? packBestFitDecreasing(sizes, config.maxLength, config.seed).map((s) => s.rows)
    : train.map((_, i) => [i]);
  const B = config.perDeviceTrainBatchSize;
  const microBatchesPerEpoch = Math.ceil(rows.length / B);
  const stepsPerEpoch = Math.ceil(microBatchesPerEpoch / config.gradientAccumulationSteps);
  const totalSteps =
    config.maxSteps > 0 ? config.maxSteps : Math.max(1, Math.ceil(config.numTrainEpochs * stepsPerEpoch));
  const warmupSteps = config.warmupSteps > 0 ? config.warmupSteps : Math.ceil(config.warmupRatio * totalSteps);
  // Efficiency of one epoch in the natural order (every epoch has the same sequences, differently grouped).
  let real = 0;
  let padded = 0;
  for (let i = 0; i < rows.length; i += B) {
    const widths = rows.slice(i, i + B).map((r) => r.reduce((s, k) => s + sizes[k]!, 0));
    real += widths.reduce((a, b) => a + b, 0);
    padded += widths.length * Math.max(...widths);
  }
  return {
    rows,
    examples: train.length,
    sequences: rows.length,
    microBatchesPerEpoch,
    stepsPerEpoch,
    totalSteps,
    warmupSteps,
    packingEfficiency: padded === 0 ? 1 : real / padded,
    config: { ...config },
  };
}

/** The seed of epoch e's order: a SplitMix-style mix, so neighbouring epochs are unrelated. */
function epochSeed(seed: number, epoch: number): number {
  let z = (seed + Math.imul(epoch + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  return (z ^ (z >>> 13)) >>> 0;
}

/** Sequence indices of each micro-batch of optimiser step `step` (0-based). */
export function microBatchesOf(plan: SftPlan, step: number): number[][] {
  const { config, stepsPerEpoch, microBatchesPerEpoch, sequences } = plan;
  const epoch = Math.floor(step / stepsPerEpoch);
  const order = createRng(epochSeed(config.seed, epoch)).shuffled(Array.from({ length: sequences }, (_, i) => i));
  const first = (step % stepsPerEpoch) * config.gradientAccumulationSteps;
  const last = Math.min(first + config.gradientAccumulationSteps, microBatchesPerEpoch);
  const B = config.perDeviceTrainBatchSize;
  const out: number[][] = [];
  for (let m = first; m < last; m++) out.push(order.slice(m * B, (m + 1) * B));
  return out;
}

/** Token-mean cross-entropy of `examples` (one row per sequence, no tape). */
export function evalLoss(
  model: Model,
  examples: readonly TokenizedExample[],
  batchSize: number,
  padId: number,
): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < examples.length; i += batchSize) {
    const batch = buildBatch(
      examples.slice(i, i + batchSize).map((e) => [e]),
      padId,
    );
    const nll = tf.tidy(() =>
      maskedNllSum(model.tokenLogprobs(batch.ids, batch.targets, { segmentIds: batch.segmentIds }), batch.lossMask),
    );
    sum += nll.dataSync()[0]!;
    count += batch.trainedTokens;
    nll.dispose();
    disposeTrainBatch(batch);
  }
  return count === 0 ? Number.NaN : sum / count;
}

/** Loss of one micro-batch divided by the step's trained tokens, and its parts (host numbers). */
function microBatchLoss(
  model: Model,
  batch: TrainBatch,
  teacherLogits: tf.Tensor2D | null,
  rows: tf.Tensor1D | null,
  teacher: KdTeacher | null,
  stepTokens: number,
): { loss: tf.Scalar; parts: tf.Scalar[] } {
  if (teacher === null || teacherLogits === null || rows === null) {
    const ce = maskedNllSum(
      model.tokenLogprobs(batch.ids, batch.targets, { segmentIds: batch.segmentIds }),
      batch.lossMask,
    );
    return { loss: tf.div(ce, stepTokens) as tf.Scalar, parts: [ce] };
  }
  // Distillation needs the student's whole distribution at the trained positions: one forward gives both terms.
  const V = model.config.vocab_size;
  const [B, T] = batch.ids.shape;
  const logits = tf.gather(tf.reshape(model.forward(batch.ids, { segmentIds: batch.segmentIds }), [B * T, V]), rows); // [M, V]
  const targets = tf.gather(tf.reshape(batch.targets, [B * T]), rows); // [M]
  const ce = tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(targets, V)))) as tf.Scalar;
  const kl = forwardKlSum(logits as tf.Tensor2D, teacherLogits, teacher.temperature);
  const mixed = tf.add(
    tf.mul(ce, 1 - teacher.alpha),
    tf.mul(kl, teacher.alpha * teacher.temperature * teacher.temperature),
  );
  return { loss: tf.div(mixed, stepTokens) as tf.Scalar, parts: [ce, kl] };
}

/** Flat indices of the trained positions of a batch. */
function trainedRows(batch: TrainBatch): tf.Tensor1D {
  const mask = batch.lossMask.dataSync();
  const rows: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i] === 1) rows.push(i);
  return tf.tensor1d(rows, 'int32');
}

/**
 * Trains `model` in place on tokenized rows.
 *
 * @example
 * ```ts
 * const result = await sftTrain(model, examples, { config: resolveSFTConfig({ max_steps: 100 }), padId: tok.eosTokenId });
 * console.log(result.history.at(-1)?.loss);
 * ```
 */
export async function sftTrain(
  model: Model,
  train: readonly TokenizedExample[],
  options: SftTrainOptions,
): Promise<SftTrainResult> {
  const started = performance.now();
  const { config, padId } = options;
  const teacher = options.teacher ?? null;
  if (teacher !== null && teacher.model.config.vocab_size !== model.config.vocab_size) {
    throw new Error(
      `distillation: the teacher's vocabulary has ${teacher.model.config.vocab_size} entries and the student's ` +
        `${model.config.vocab_size}; logit distillation needs one shared vocabulary — distil from the teacher's traces (plain SFT) instead`,
    );
  }
  const plan = planSft(train, config);
  const summary = summaryOf(plan);
  const named = namedTrainables(model);
  const optimizer = new AdamW(named.params, {
    beta1: config.adamBeta1,
    beta2: config.adamBeta2,
    epsilon: config.adamEpsilon,
    weightDecay: config.weightDecay,
  });
  const resumed = options.resume ?? null;
  if (resumed !== null) {
    checkSamePlan(resumed.state.plan, summary);
    optimizer.importState(resumed.optimizerState);
  }
  const history: SftStepRecord[] = resumed ? [...resumed.state.history] : [];
  const priorSeconds = resumed?.state.wallSeconds ?? 0;
  let step = resumed?.state.step ?? 0;
  const stateNow = (): SftTrainerState => ({
    step,
    totalSteps: plan.totalSteps,
    plan: summary,
    history,
    wallSeconds: priorSeconds + (performance.now() - started) / 1000,
  });
  const schedule = {
    learningRate: config.learningRate,
    schedule: config.lrSchedulerType,
    warmupSteps: plan.warmupSteps,
    totalSteps: plan.totalSteps,
  };
  const vars = model.trainableVariables();
  let interrupted = false;
  try {
    while (step < plan.totalSteps) {
      // Yield to the event loop once per step: a SIGINT handler (or any abort) can only run between steps.
      await new Promise<void>((done) => setImmediate(done));
      if (options.signal?.aborted || (options.stopAfterSteps !== undefined && step >= options.stopAfterSteps)) {
        interrupted = true;
        break;
      }
      const t0 = performance.now();
      // ---- 1. This step's micro-batches (seeded epoch order).
      const batches = microBatchesOf(plan, step).map((seqs) =>
        buildBatch(
          seqs.map((s) => plan.rows[s]!.map((r) => train[r]!)),
          padId,
        ),
      );
      const stepTokens = batches.reduce((s, b) => s + b.trainedTokens, 0);
      // ---- 2. Loss and gradients, accumulated over micro-batches (each divided by the step's trained tokens).
      let grads: Map<string, tf.Tensor> | null = null;
      let ceSum = 0;
      let klSum = 0;
      let lossValue = 0;
      for (const batch of batches) {
        const rows = teacher === null ? null : trainedRows(batch);
        // The teacher runs outside the gradient tape: its logits are constants of the student's loss.
        const teacherLogits =
          teacher === null || rows === null
            ? null
            : tf.tidy(() => {
                const [B, T] = batch.ids.shape;
                const V = model.config.vocab_size;
                const all = teacher.model.forward(batch.ids, { segmentIds: batch.segmentIds });
                return tf.gather(tf.reshape(all, [B * T, V]), rows) as tf.Tensor2D;
              });
        const parts: tf.Scalar[] = [];
        const { value, grads: g } = tf.variableGrads(() => {
          const r = microBatchLoss(model, batch, teacherLogits, rows, teacher, Math.max(1, stepTokens));
          for (const p of r.parts) parts.push(tf.keep(p));
          return r.loss;
        }, vars);
        lossValue += value.dataSync()[0]!;
        ceSum += parts[0]!.dataSync()[0]!;
        if (parts[1] !== undefined) klSum += parts[1].dataSync()[0]!;
        tf.dispose([value, ...parts]);
        teacherLogits?.dispose();
        rows?.dispose();
        const renamed = named.rename(g);
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
      const realTokens = batches.reduce((s, b) => s + b.realTokens, 0);
      const paddedTokens = batches.reduce((s, b) => s + b.paddedTokens, 0);
      for (const b of batches) disposeTrainBatch(b);
      step++;
      // ---- 4. Log (and evaluate).
      const seconds = (performance.now() - t0) / 1000;
      const record: SftStepRecord = {
        step,
        epoch: step / plan.stepsPerEpoch,
        loss: lossValue,
        ce: ceSum / Math.max(1, stepTokens),
        ...(teacher === null ? {} : { kl: klSum / Math.max(1, stepTokens) }),
        gradNorm: clipped.norm,
        learningRate: lr,
        trainedTokens: stepTokens,
        realTokens,
        paddedTokens,
        seconds,
        tokensPerSecond: realTokens / Math.max(seconds, 1e-9),
        skipped,
      };
      const evalNow = (config.evalSteps > 0 && step % config.evalSteps === 0) || step === plan.totalSteps;
      if (evalNow && options.evalExamples !== undefined && options.evalExamples.length > 0) {
        record.evalLoss = evalLoss(model, options.evalExamples, config.perDeviceEvalBatchSize, padId);
      }
      history.push(record);
      options.onStep?.(record, summary);
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
    plan: summary,
    history,
    steps: step,
    interrupted,
    skippedSteps: history.filter((h) => h.skipped).length,
    wallSeconds: stateNow().wallSeconds,
  };
}

function summaryOf(plan: SftPlan): SftPlanSummary {
  const { rows, ...summary } = plan;
  void rows;
  return summary;
}

function checkSamePlan(saved: SftPlanSummary, now: SftPlanSummary): void {
  const differences: string[] = [];
  for (const key of ['examples', 'sequences', 'totalSteps', 'warmupSteps'] as const) {
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
