/**
 * `runRewardModelTraining`: everything `r1-train rm` does, as a function — resolve the config, read and encode the
 * data (train and held-out), make the reward model (from a causal LM: backbone copied, head seeded; or continue an
 * existing reward model; or resume a checkpoint), train with `trainRewardModel`, and write OUT/config.json,
 * OUT/metrics.jsonl, OUT/checkpoint-<step>, OUT/final (a `Qwen2ForSequenceClassification` directory) and
 * OUT/summary.json and OUT/report.html (loss, accuracy and margin curves), with @r1/distill's progress bar (step, elapsed, ETA) on stderr. SIGINT finishes the current
 * step, saves a checkpoint and returns.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkpointName, ProgressBar } from '@r1/distill';
import { initBackend, loadTokenizer, readCheckpointConfig, type Tokenizer } from '@r1/model';
import { loadRewardCheckpoint, saveRewardCheckpoint } from './checkpoint';
import { encodePointwiseRows, encodePreferenceRows, type RowEncodeOptions } from './encode';
import { renderRewardReport } from './report';
import { resolveRewardConfig } from './reward-config';
import type { RewardModel } from './reward-model';
import {
  isRewardModelConfig,
  loadRewardModel,
  REWARD_MODEL_KINDS,
  type RewardModelKind,
  type RewardModelSettings,
  rewardModelFromCausalLm,
  saveRewardModel,
} from './reward-model-io';
import {
  evaluateRewardModel,
  type RewardEvalResult,
  type RewardExamples,
  type RewardStepRecord,
  trainRewardModel,
} from './reward-train';
import { readPointwiseRows, readPreferenceRows } from './rows';
import { checkScoreMode, type ScoreMode } from './scored-text';

export interface RunRewardModelOptions {
  /** A causal-LM checkpoint (a fresh head is added) or a reward-model checkpoint (trained further). */
  model: string;
  /** Training data (JSONL or Parquet): preference rows, or pointwise rows for `kind: 'pointwise'`. */
  data: string;
  out: string;
  evalData?: string;
  /** Default 'preference'. */
  kind?: RewardModelKind;
  /** What of a response is scored. Default 'full'. */
  score?: ScoreMode;
  /** RewardConfig options (camelCase or TRL snake_case). */
  config?: Readonly<Record<string, unknown>>;
  /** An OUT/checkpoint-<step> directory to continue from. */
  resume?: string;
  /** Stop (after saving a checkpoint) once this many steps are done — for tests of resume. */
  stopAfterSteps?: number;
  log?: (line: string) => void;
  /** Progress bar redrawn in place. Default: stderr is a TTY. */
  tty?: boolean;
  /** Save and stop on SIGINT. Default true. */
  handleSigint?: boolean;
}

export interface RewardModelSummary {
  kind: RewardModelKind;
  score: ScoreMode;
  steps: number;
  totalSteps: number;
  epochs: number;
  examples: number;
  dropped: number;
  evalExamples: number;
  evalDropped: number;
  trainLossFirst: number;
  trainLossLast: number;
  /** The held-out numbers before training (step 0) and at the end; null without eval data. */
  evalBefore: RewardEvalResult | null;
  eval: RewardEvalResult | null;
  skippedSteps: number;
  wallSeconds: number;
  interrupted: boolean;
  final: string | null;
  out: string;
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

async function readExamples(
  file: string,
  kind: RewardModelKind,
  tokenizer: Tokenizer,
  options: RowEncodeOptions,
): Promise<{ data: RewardExamples; rows: number; dropped: number }> {
  switch (kind) {
    case 'preference': {
      const rows = await readPreferenceRows(file);
      const e = encodePreferenceRows(rows, tokenizer, options);
      return { data: { kind, examples: e.examples }, rows: rows.length, dropped: e.dropped };
    }
    case 'pointwise': {
      const rows = await readPointwiseRows(file);
      const e = encodePointwiseRows(rows, tokenizer, options);
      return { data: { kind, examples: e.examples }, rows: rows.length, dropped: e.dropped };
    }
    default: {
      const never: never = kind;
      throw new Error(`kind must be ${REWARD_MODEL_KINDS.join(' or ')}, got ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Trains a reward model end to end.
 * @example
 * ```ts
 * const summary = await runRewardModelTraining({ model: 'ckpt/sft', data: 'prefs.jsonl', evalData: 'prefs-eval.jsonl',
 *   out: 'runs/rm', kind: 'preference', score: 'summary', config: { max_steps: 300, center_rewards_coefficient: 0.01 } });
 * console.log(summary.eval?.accuracy);
 * ```
 */
export async function runRewardModelTraining(options: RunRewardModelOptions): Promise<RewardModelSummary> {
  const log = options.log ?? ((line: string) => console.error(line));
  const kind = options.kind ?? 'preference';
  if (!REWARD_MODEL_KINDS.includes(kind))
    throw new Error(`kind must be ${REWARD_MODEL_KINDS.join(' or ')}, got ${JSON.stringify(kind)}`);
  const score = checkScoreMode(options.score ?? 'full', 'runRewardModelTraining');
  const config = resolveRewardConfig(options.config ?? {});
  if (kind === 'pointwise' && config.centerRewardsCoefficient !== null) {
    throw new Error('center_rewards_coefficient applies to preference pairs; remove it for kind: pointwise');
  }
  const out = resolve(options.out);
  const backend = await initBackend();
  log(
    `rm: backend ${backend.name} (${backend.threads} threads); ${kind}, score ${score}; resolved config ${JSON.stringify(config)}`,
  );

  // ---- Data.
  const tokenizer = await loadTokenizer(options.resume ?? options.model);
  const padId = tokenizer.padTokenId ?? tokenizer.eosTokenId;
  const encode: RowEncodeOptions = { score, chatTemplate: tokenizer.chatTemplate ?? null, maxLength: config.maxLength };
  const train = await readExamples(options.data, kind, tokenizer, encode);
  if (train.data.examples.length === 0) {
    throw new Error(
      `${options.data}: all ${train.rows} rows are longer than max_length ${config.maxLength}; raise max_length`,
    );
  }
  log(
    `data: ${train.rows} rows → ${train.data.examples.length} examples (${train.dropped} over max_length ${config.maxLength}, dropped)`,
  );
  const evalSet = options.evalData ? await readExamples(options.evalData, kind, tokenizer, encode) : null;
  if (evalSet) log(`eval data: ${evalSet.data.examples.length} examples (${evalSet.dropped} dropped)`);

  // ---- Model.
  const resumed = options.resume ? await loadRewardCheckpoint(options.resume) : null;
  let model: RewardModel;
  if (resumed) model = resumed.model;
  else {
    const { hfConfig } = await readCheckpointConfig(options.model);
    model = isRewardModelConfig(hfConfig)
      ? await loadRewardModel(options.model)
      : await rewardModelFromCausalLm(options.model, { seed: config.seed });
  }
  const settings: RewardModelSettings = { kind, score, max_length: config.maxLength };

  // ---- Outputs.
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'config.json'),
    `${JSON.stringify({ model: options.model, data: options.data, evalData: options.evalData ?? null, kind, score, ...config }, null, 2)}\n`,
  );
  const metricsPath = join(out, 'metrics.jsonl');
  const keep = resumed?.state.history.length ?? 0;
  const previous =
    existsSync(metricsPath) && keep > 0
      ? readFileSync(metricsPath, 'utf8')
          .split('\n')
          .filter((l) => l.trim() !== '')
          .slice(0, keep)
      : [];
  writeFileSync(metricsPath, previous.map((l) => `${l}\n`).join(''));

  const evalOptions = {
    batchSize: config.perDeviceEvalBatchSize,
    padId,
    centerRewardsCoefficient: config.centerRewardsCoefficient,
  };
  const evalBefore = resumed
    ? (resumed.state.evalBefore ?? null)
    : evalSet && evalSet.data.examples.length > 0
      ? evaluateRewardModel(model, evalSet.data, evalOptions)
      : null;

  const controller = new AbortController();
  const onSigint = () => {
    log('\nSIGINT: finishing this step, saving a checkpoint, then exiting');
    controller.abort();
  };
  if (options.handleSigint ?? true) process.on('SIGINT', onSigint);
  let bar: ProgressBar | null = null;
  let result: Awaited<ReturnType<typeof trainRewardModel>>;
  try {
    result = await trainRewardModel(model, train.data, {
      config,
      padId,
      ...(evalSet ? { evalData: evalSet.data } : {}),
      resume: resumed ? { state: resumed.state, optimizerState: resumed.optimizerState } : null,
      signal: controller.signal,
      ...(options.stopAfterSteps !== undefined ? { stopAfterSteps: options.stopAfterSteps } : {}),
      onStep: (record: RewardStepRecord, plan) => {
        if (bar === null) {
          bar = new ProgressBar({
            total: plan.totalSteps,
            tty: options.tty ?? process.stderr.isTTY === true,
            everySteps: config.loggingSteps,
          });
          log(
            `plan: ${plan.examples} examples, ${plan.stepsPerEpoch} steps/epoch, ${plan.totalSteps} steps, warm-up ${plan.warmupSteps}`,
          );
        }
        appendFileSync(metricsPath, `${JSON.stringify(record)}\n`);
        bar.update(record.step, {
          loss: record.loss,
          acc: record.accuracy,
          ...(record.eval ? { 'eval acc': record.eval.accuracy } : {}),
          ...(record.eval?.meanMargin !== undefined ? { 'eval margin': record.eval.meanMargin } : {}),
          'ex/s': record.examplesPerSecond,
          ...(record.skipped ? { skipped: 1 } : {}),
        });
      },
      save: async (step, state, optimizer) => {
        const dir = join(out, checkpointName(step));
        await saveRewardCheckpoint(dir, model, tokenizer, settings, optimizer, { ...state, evalBefore });
        log(`${bar ? '\n' : ''}checkpoint ${dir}`);
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
    (bar as ProgressBar | null)?.done();
    for (const t of resumed?.optimizerState.values() ?? []) t.dispose();
  }

  // ---- Summary and final model.
  const h = result.history;
  const finalDir = result.interrupted ? null : join(out, 'final');
  const lastEval = [...h].reverse().find((r) => r.eval !== undefined)?.eval ?? null;
  const summary: RewardModelSummary = {
    kind,
    score,
    steps: result.steps,
    totalSteps: result.plan.totalSteps,
    epochs: result.steps / result.plan.stepsPerEpoch,
    examples: result.plan.examples,
    dropped: train.dropped,
    evalExamples: evalSet?.data.examples.length ?? 0,
    evalDropped: evalSet?.dropped ?? 0,
    trainLossFirst: h[0]?.loss ?? Number.NaN,
    trainLossLast: mean(h.slice(-Math.max(1, Math.min(10, Math.ceil(h.length / 10)))).map((r) => r.loss)),
    evalBefore,
    eval: lastEval,
    skippedSteps: result.skippedSteps,
    wallSeconds: result.wallSeconds,
    interrupted: result.interrupted,
    final: finalDir,
    out,
  };
  if (finalDir !== null) {
    await saveRewardModel(finalDir, model, { tokenizer: tokenizer.files, padTokenId: padId, settings });
  }
  writeFileSync(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(
    join(out, 'report.html'),
    renderRewardReport({
      title: `Reward model (${kind}, score ${score}) ${options.data} → ${out}`,
      summary: { ...summary },
      history: h,
      config: { model: options.model, data: options.data, kind, score, ...config },
    }),
  );
  const acc = (e: RewardEvalResult | null) => (e === null ? 'n/a' : e.accuracy.toFixed(3));
  log(
    `rm: ${summary.steps}/${summary.totalSteps} steps, loss ${summary.trainLossFirst.toFixed(4)} → ${summary.trainLossLast.toFixed(4)}` +
      (lastEval ? `, held-out accuracy ${acc(evalBefore)} → ${acc(lastEval)}` : '') +
      (lastEval?.meanMargin !== undefined ? `, mean margin ${lastEval.meanMargin.toFixed(3)}` : '') +
      `, ${summary.wallSeconds.toFixed(1)} s` +
      (summary.interrupted ? ' (interrupted: resume with resume: OUT/checkpoint-<step>)' : `; wrote ${finalDir}`),
  );
  model.dispose();
  return summary;
}
