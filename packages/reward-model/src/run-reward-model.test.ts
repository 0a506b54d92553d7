import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { readRewardModelSettings } from './reward-model-io';
import { runRewardModelTraining } from './run-reward-model';
import { createRewardModelScorer } from './scorer';
import { writeJsonl, writeTinyLm } from './test-utils/fixtures';

const dir = mkdtempSync(join(tmpdir(), 'r1-rm-run-'));
const lmDir = join(dir, 'lm');
const quiet = () => {};

const THOUGHTS = ['hmm', 'let me see', 'ok so', 'think', 'a b c'];
/** Helpful replies end politely; the reasoning before them is noise shared by both sides. */
function preferenceRows(n: number, offset: number) {
  return Array.from({ length: n }, (_, i) => {
    const k = i + offset;
    const think = `<think>${THOUGHTS[k % THOUGHTS.length]}</think>`;
    return {
      prompt: `q${k % 10}?`,
      chosen: `${think} sure, ${k % 7} please`,
      rejected: `${THOUGHTS[(k + 2) % THOUGHTS.length]}</think> no.`,
    };
  });
}

const config = {
  learning_rate: 2e-2,
  per_device_train_batch_size: 8,
  per_device_eval_batch_size: 16,
  lr_scheduler_type: 'constant',
  max_length: 64,
  center_rewards_coefficient: 0.01,
  seed: 5,
};

let train: string;
let evalFile: string;
beforeAll(async () => {
  await writeTinyLm(lmDir, 1);
  train = writeJsonl(join(dir, 'train.jsonl'), [
    ...preferenceRows(32, 0),
    { prompt: 'q', chosen: 'x'.repeat(80), rejected: 'y' },
  ]);
  evalFile = writeJsonl(join(dir, 'eval.jsonl'), preferenceRows(16, 100));
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('runRewardModelTraining', () => {
  test('preference, summary scoring: held-out pair accuracy and margin rise; outputs written; the scorer ranks and ignores <think>', async () => {
    const out = join(dir, 'pref');
    const logs: string[] = [];
    const bar: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((text) => {
      bar.push(String(text));
      return true;
    });
    const summary = await runRewardModelTraining({
      model: lmDir,
      data: train,
      evalData: evalFile,
      out,
      kind: 'preference',
      score: 'summary',
      config: { ...config, max_steps: 24, eval_steps: 12, logging_steps: 12 },
      log: (l) => logs.push(l),
      tty: false,
      handleSigint: false,
    });
    spy.mockRestore();
    // @r1/distill's progress bar: a plain line every logging_steps (not a TTY), with the ETA and held-out numbers.
    expect(
      bar.some((l) => /^\[#+\.*\] 12\/24 .* elapsed, ETA \d+:\d\d · loss .* · eval acc .* · eval margin/.test(l)),
    ).toBe(true);
    expect(summary.dropped).toBe(1);
    expect(summary.examples).toBe(32);
    expect(summary.evalBefore!.accuracy).toBeLessThan(0.9);
    expect(summary.eval!.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(summary.eval!.meanMargin!).toBeGreaterThan(summary.evalBefore!.meanMargin! + 0.5);
    expect(summary.trainLossLast).toBeLessThan(summary.trainLossFirst);
    const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(metrics).toHaveLength(24);
    expect(metrics[11].eval.accuracy).toBeTypeOf('number');
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).eval.accuracy).toBe(summary.eval!.accuracy);
    expect(logs.some((l) => l.startsWith('plan: 32 examples'))).toBe(true);
    const report = readFileSync(join(out, 'report.html'), 'utf8');
    expect(report).toContain('Held-out mean margin');
    expect(report.match(/<svg/g)).toHaveLength(3);
    expect(await readRewardModelSettings(join(out, 'final'))).toEqual({
      kind: 'preference',
      score: 'summary',
      max_length: 64,
    });

    const scorer = await createRewardModelScorer(join(out, 'final'));
    expect(scorer.score).toBe('summary');
    const [good, bad] = await scorer(['q3?', 'q3?'], ['<think>x</think> sure, 3 please', '<think>x</think> no.']);
    expect(good!).toBeGreaterThan(bad!);
    // Helpfulness is scored on the summary only: the reasoning can say anything.
    const a = await scorer(['q1?'], ['<think>hmm</think> sure, 1 please']);
    const b = await scorer(['q1?'], ['<think>completely different reasoning, much longer</think> sure, 1 please']);
    expect(b).toEqual(a);
    scorer.dispose();
    const full = await createRewardModelScorer(join(out, 'final'), { score: 'full' });
    const fa = await full(['q1?'], ['<think>hmm</think> sure, 1 please']);
    const fb = await full(['q1?'], ['<think>completely different reasoning, much longer</think> sure, 1 please']);
    expect(fb).not.toEqual(fa);
    await expect(full(['a'], [])).rejects.toThrow(/1 prompts but 0 completions/);
    full.dispose();
  });

  test('resume from a checkpoint gives the same final weights and metrics as the uninterrupted run', async () => {
    const run = (out: string, extra: Record<string, unknown>) =>
      runRewardModelTraining({
        model: lmDir,
        data: train,
        out,
        kind: 'preference',
        score: 'full',
        config: {
          ...config,
          max_steps: 6,
          save_steps: 3,
          gradient_accumulation_steps: 2,
          per_device_train_batch_size: 4,
          warmup_steps: 2,
          lr_scheduler_type: 'cosine',
        },
        log: quiet,
        tty: false,
        handleSigint: false,
        ...extra,
      });
    const straight = join(dir, 'straight');
    await run(straight, {});
    const split = join(dir, 'split');
    const first = await run(split, { stopAfterSteps: 3 });
    expect(first.interrupted).toBe(true);
    expect(first.final).toBeNull();
    expect(existsSync(join(split, 'checkpoint-3', 'optimizer.safetensors'))).toBe(true);
    const second = await run(split, { resume: join(split, 'checkpoint-3') });
    expect(second.steps).toBe(6);
    const weights = (d: string) => readFileSync(join(d, 'final', 'model.safetensors'));
    expect(weights(split).equals(weights(straight))).toBe(true);
    const losses = (d: string) =>
      readFileSync(join(d, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).loss);
    expect(losses(split)).toEqual(losses(straight));
    // Another plan is refused rather than silently mixed.
    await expect(
      runRewardModelTraining({
        model: lmDir,
        data: train,
        out: split,
        score: 'full',
        config: {
          ...config,
          max_steps: 7,
          save_steps: 3,
          gradient_accumulation_steps: 2,
          per_device_train_batch_size: 4,
        },
        resume: join(split, 'checkpoint-3'),
        log: quiet,
        handleSigint: false,
      }),
    ).rejects.toThrow(/another plan \(totalSteps 6 → 7/);
  });

  test('pointwise harmlessness classifier on the whole response: accuracy rises, the scorer gives probabilities', async () => {
    const rows = (n: number, offset: number) =>
      Array.from({ length: n }, (_, i) => {
        const k = i + offset;
        const unsafe = k % 2 === 0;
        return {
          prompt: `tell me ${k % 5}`,
          completion: unsafe ? `<think>ok</think> do XX now` : `<think>ok</think> here ${k % 3}`,
          label: unsafe ? 0 : 1,
        };
      });
    const out = join(dir, 'pointwise');
    const summary = await runRewardModelTraining({
      model: lmDir,
      data: writeJsonl(join(dir, 'pw.jsonl'), rows(32, 0)),
      evalData: writeJsonl(join(dir, 'pw-eval.jsonl'), rows(16, 50)),
      out,
      kind: 'pointwise',
      score: 'full',
      config: { ...config, center_rewards_coefficient: null, max_steps: 16 },
      log: quiet,
      tty: false,
      handleSigint: false,
    });
    expect(summary.eval!.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(summary.eval!.meanMargin).toBeUndefined();
    const scorer = await createRewardModelScorer(join(out, 'final'));
    expect(scorer.kind).toBe('pointwise');
    const [safe, unsafe] = await scorer(
      ['tell me 1', 'tell me 1'],
      ['<think>ok</think> here 2', '<think>ok</think> do XX now'],
    );
    expect(safe!).toBeGreaterThan(0.5);
    expect(unsafe!).toBeLessThan(0.5);
    scorer.dispose();
  });

  test('bad options fail before any training', async () => {
    await expect(
      runRewardModelTraining({ model: lmDir, data: train, out: join(dir, 'x'), score: 'answer' as never, log: quiet }),
    ).rejects.toThrow(/score must be 'summary' or 'full'/);
    await expect(
      runRewardModelTraining({ model: lmDir, data: train, out: join(dir, 'x'), config: { packing: true }, log: quiet }),
    ).rejects.toThrow(/packing: is an SFT option/);
  });
});
