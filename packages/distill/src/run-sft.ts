/**
 * `runSft`: everything `r1-train sft` does, as a function — resolve the config, read and tokenize the data (train
 * and eval), drop or truncate over-length rows, load the student (or a checkpoint to resume) and the KD teacher,
 * train with `sftTrain`, and write OUT/metrics.jsonl, OUT/checkpoint-<step>, OUT/final, OUT/summary.json and
 * OUT/report.html, with a progress bar on stderr. SIGINT finishes the current step, saves a checkpoint and returns.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { initBackend, loadModel, loadTokenizer, type Model, saveModel, type Tokenizer } from '@r1/model';
import { checkpointName, loadSftCheckpoint, saveSftCheckpoint } from './checkpoint';
import { applyOverLength } from './over-length';
import { ProgressBar } from './progress';
import { renderReport } from './report';
import { resolveSFTConfig, type SFTConfig } from './sft-config';
import { readSftRows, rowName, type SftRow } from './sft-rows';
import { type KdTeacher, type SftStepRecord, sftTrain } from './sft-train';
import { createRowTokenizer, type TokenizedExample } from './tokenize-row';

export interface RunSftOptions {
  /** Student checkpoint directory (HF layout). */
  model: string;
  /** Training data (JSONL or Parquet). */
  data: string;
  /** Output directory. */
  out: string;
  evalData?: string;
  /** Options (camelCase or TRL snake_case), e.g. a config file's with the flags on top. */
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

export interface SftSummary {
  steps: number;
  totalSteps: number;
  epochs: number;
  examples: number;
  sequences: number;
  /** Trained (loss-bearing) tokens over all steps. */
  tokens: number;
  /** Non-padding positions processed over all steps. */
  realTokens: number;
  trainLossFirst: number;
  trainLossLast: number;
  evalLoss: number | null;
  evalLossFirst: number | null;
  dropped: number;
  truncated: number;
  evalDropped: number;
  evalTruncated: number;
  packing: boolean;
  packingEfficiency: number;
  skippedSteps: number;
  tokensPerSecond: number;
  wallSeconds: number;
  interrupted: boolean;
  final: string | null;
  out: string;
}

interface PreparedData {
  examples: TokenizedExample[];
  rows: number;
  dropped: number;
  truncated: number;
  formats: Record<string, number>;
}

async function prepare(
  file: string,
  tokenizer: Tokenizer,
  config: SFTConfig,
  chatTemplate: string | null,
): Promise<PreparedData> {
  const rows: SftRow[] = await readSftRows(file, { textField: config.datasetTextField });
  const tokenize = createRowTokenizer(tokenizer, {
    chatTemplate,
    completionOnlyLoss: config.completionOnlyLoss,
    assistantOnlyLoss: config.assistantOnlyLoss,
  });
  const formats: Record<string, number> = {};
  const tokenized = rows.map((row) => {
    formats[row.format] = (formats[row.format] ?? 0) + 1;
    return tokenize(row);
  });
  const over = applyOverLength(tokenized, config.maxLength, config.overLength, (i) => rowName(rows[i]!.at));
  if (over.examples.length === 0) {
    throw new Error(
      `${file}: all ${rows.length} rows are longer than max_length ${config.maxLength}; raise max_length or use over_length: truncate`,
    );
  }
  return { examples: over.examples, rows: rows.length, dropped: over.dropped, truncated: over.truncated, formats };
}

async function loadTeacher(
  dir: string,
  student: Model,
  tokenizer: Tokenizer,
  kd: NonNullable<SFTConfig['kd']>,
): Promise<KdTeacher> {
  const teacherTokenizer = await loadTokenizer(dir);
  const sameVocab =
    teacherTokenizer.vocabSize === tokenizer.vocabSize &&
    JSON.stringify(teacherTokenizer.files.tokenizerJson.model) ===
      JSON.stringify(tokenizer.files.tokenizerJson.model) &&
    JSON.stringify(teacherTokenizer.files.tokenizerJson.added_tokens) ===
      JSON.stringify(tokenizer.files.tokenizerJson.added_tokens);
  if (!sameVocab) {
    throw new Error(
      `kd.teacher ${dir}: its tokenizer's vocabulary differs from the student's (${teacherTokenizer.vocabSize} vs ` +
        `${tokenizer.vocabSize} tokens, or other token ids); logit distillation needs one shared vocabulary — ` +
        "distil from the teacher's sampled traces (plain SFT) instead",
    );
  }
  const model = await loadModel(dir);
  if (model.config.vocab_size !== student.config.vocab_size) {
    model.dispose();
    throw new Error(
      `kd.teacher ${dir}: vocab_size ${model.config.vocab_size} differs from the student's ${student.config.vocab_size}; logit distillation needs one shared vocabulary`,
    );
  }
  return { model, alpha: kd.alpha, temperature: kd.temperature };
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

/**
 * Runs SFT / distillation end to end.
 *
 * @example
 * ```ts
 * const summary = await runSft({ model: 'ckpt/base', data: 'runs/sample/data.jsonl', out: 'runs/sft',
 *   config: { max_steps: 200, packing: true, learning_rate: 1e-4 } });
 * ```
 */
export async function runSft(options: RunSftOptions): Promise<SftSummary> {
  const log = options.log ?? ((line: string) => console.error(line));
  const config = resolveSFTConfig(options.config ?? {});
  const out = resolve(options.out);
  const backend = await initBackend();
  log(`sft: backend ${backend.name} (${backend.threads} threads); resolved config ${JSON.stringify(config)}`);

  // ---- Data.
  const tokenizer = await loadTokenizer(options.resume ?? options.model);
  const chatTemplate =
    config.chatTemplatePath !== null
      ? await readFile(config.chatTemplatePath, 'utf8')
      : (tokenizer.chatTemplate ?? null);
  const train = await prepare(options.data, tokenizer, config, chatTemplate);
  log(
    `data: ${train.rows} rows (${Object.entries(train.formats)
      .map(([f, n]) => `${n} ${f}`)
      .join(', ')}) → ` +
      `${train.examples.length} examples; over max_length ${config.maxLength}: ${train.dropped} dropped, ${train.truncated} truncated` +
      (train.formats.messages && chatTemplate === null
        ? '; no chat template: messages rendered with the R1-Zero template'
        : ''),
  );
  const evalData = options.evalData ? await prepare(options.evalData, tokenizer, config, chatTemplate) : null;
  if (evalData)
    log(
      `eval data: ${evalData.examples.length} examples (${evalData.dropped} dropped, ${evalData.truncated} truncated)`,
    );

  // ---- Models.
  const resumed = options.resume ? await loadSftCheckpoint(options.resume) : null;
  const model = resumed?.model ?? (await loadModel(options.model));
  const teacher = config.kd ? await loadTeacher(config.kd.teacher, model, tokenizer, config.kd) : null;

  // ---- Outputs.
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'config.json'),
    `${JSON.stringify({ model: options.model, data: options.data, evalData: options.evalData ?? null, ...config }, null, 2)}\n`,
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

  const controller = new AbortController();
  const onSigint = () => {
    log('\nSIGINT: finishing this step, saving a checkpoint, then exiting');
    controller.abort();
  };
  if (options.handleSigint ?? true) process.on('SIGINT', onSigint);
  let bar: ProgressBar | null = null;
  let result: Awaited<ReturnType<typeof sftTrain>>;
  try {
    result = await sftTrain(model, train.examples, {
      config,
      padId: tokenizer.padTokenId ?? tokenizer.eosTokenId,
      ...(evalData ? { evalExamples: evalData.examples } : {}),
      teacher,
      resume: resumed ? { state: resumed.state, optimizerState: resumed.optimizerState } : null,
      signal: controller.signal,
      ...(options.stopAfterSteps !== undefined ? { stopAfterSteps: options.stopAfterSteps } : {}),
      onStep: (record: SftStepRecord, plan) => {
        if (bar === null) {
          bar = new ProgressBar({
            total: plan.totalSteps,
            tty: options.tty ?? process.stderr.isTTY === true,
            everySteps: config.loggingSteps,
          });
          log(
            `plan: ${plan.sequences} sequences${config.packing ? ` (packed, efficiency ${(100 * plan.packingEfficiency).toFixed(1)}%)` : ''}, ` +
              `${plan.stepsPerEpoch} steps/epoch, ${plan.totalSteps} steps, warm-up ${plan.warmupSteps}`,
          );
        }
        appendFileSync(metricsPath, `${JSON.stringify(record)}\n`);
        bar.update(record.step, {
          loss: record.loss,
          ...(record.kl !== undefined ? { kl: record.kl } : {}),
          ...(record.evalLoss !== undefined ? { eval: record.evalLoss } : {}),
          'tok/s': record.tokensPerSecond,
          ...(record.skipped ? { skipped: 1 } : {}),
        });
      },
      save: async (step, state, optimizer) => {
        const dir = join(out, checkpointName(step));
        await saveSftCheckpoint(dir, model, tokenizer, optimizer, state);
        log(`${bar ? '\n' : ''}checkpoint ${dir}`);
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
    (bar as ProgressBar | null)?.done();
    for (const t of resumed?.optimizerState.values() ?? []) t.dispose();
    teacher?.model.dispose();
  }

  // ---- Summary, final model, report.
  const h = result.history;
  const evals = h.filter((r) => r.evalLoss !== undefined).map((r) => r.evalLoss!);
  const tokens = h.reduce((s, r) => s + r.trainedTokens, 0);
  const realTokens = h.reduce((s, r) => s + r.realTokens, 0);
  const finalDir = result.interrupted ? null : join(out, 'final');
  const summary: SftSummary = {
    steps: result.steps,
    totalSteps: result.plan.totalSteps,
    epochs: result.steps / result.plan.stepsPerEpoch,
    examples: result.plan.examples,
    sequences: result.plan.sequences,
    tokens,
    realTokens,
    trainLossFirst: h[0]?.loss ?? Number.NaN,
    trainLossLast: mean(h.slice(-Math.max(1, Math.min(10, Math.ceil(h.length / 10)))).map((r) => r.loss)),
    evalLoss: evals.at(-1) ?? null,
    evalLossFirst: evals[0] ?? null,
    dropped: train.dropped,
    truncated: train.truncated,
    evalDropped: evalData?.dropped ?? 0,
    evalTruncated: evalData?.truncated ?? 0,
    packing: config.packing,
    packingEfficiency: result.plan.packingEfficiency,
    skippedSteps: result.skippedSteps,
    tokensPerSecond:
      realTokens /
      Math.max(
        1e-9,
        h.reduce((s, r) => s + r.seconds, 0),
      ),
    wallSeconds: result.wallSeconds,
    interrupted: result.interrupted,
    final: finalDir,
    out,
  };
  if (finalDir !== null) {
    await saveModel(finalDir, model, {
      tokenizer: tokenizer.files,
      generationConfig: {
        eos_token_id: tokenizer.eosTokenId,
        pad_token_id: tokenizer.padTokenId ?? tokenizer.eosTokenId,
      },
    });
  }
  writeFileSync(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(
    join(out, 'report.html'),
    renderReport({
      title: `SFT ${options.data} → ${out}`,
      summary: { ...summary },
      history: h,
      config: { model: options.model, data: options.data, ...config },
    }),
  );
  log(
    `sft: ${summary.steps}/${summary.totalSteps} steps, loss ${summary.trainLossFirst.toFixed(4)} → ${summary.trainLossLast.toFixed(4)}` +
      (summary.evalLoss !== null ? `, eval loss ${summary.evalLoss.toFixed(4)}` : '') +
      `, ${summary.tokensPerSecond.toFixed(0)} tokens/s, ${summary.wallSeconds.toFixed(1)} s` +
      (summary.interrupted ? ' (interrupted: resume with --resume OUT/checkpoint-<step>)' : `; wrote ${finalDir}`),
  );
  model.dispose();
  return summary;
}
