import { tf } from '@r1/model';
import { describe, expect, test } from 'vitest';
import { examplesFromPairs } from './pairs';
import { resolveSFTConfig } from './sft-config';
import { microBatchesOf, planSft, sftTrain } from './sft-train';
import { tinyModel } from './test-utils/fixtures';

const VOCAB = 30;
const examples = examplesFromPairs(
  Array.from({ length: 12 }, (_, i) => ({
    prompt: [1 + (i % 5), 2 + (i % 3)],
    completion: Array.from({ length: 2 + (i % 4) }, (_, j) => 3 + ((i + j) % 20)),
  })),
);

const weights = (m: ReturnType<typeof tinyModel>) =>
  [...m.parameters().values()].map((v) => Float32Array.from(v.dataSync()));

describe('sftTrain', () => {
  test('plan: HF step arithmetic (ceil over micro-batches, then accumulation; fractional epochs)', () => {
    const plan = planSft(
      examples,
      resolveSFTConfig({ per_device_train_batch_size: 5, gradient_accumulation_steps: 2, num_train_epochs: 1.5 }),
    );
    expect([plan.sequences, plan.microBatchesPerEpoch, plan.stepsPerEpoch, plan.totalSteps]).toEqual([12, 3, 2, 3]);
    // Each epoch visits every sequence once, in a seeded order.
    const seen = [...microBatchesOf(plan, 0), ...microBatchesOf(plan, 1)].flat().sort((a, b) => a - b);
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(microBatchesOf(plan, 2)).not.toEqual(microBatchesOf(plan, 0));
  });

  test('gradient accumulation: 2 micro-batches of 2 = 1 batch of 4 (token mean over the step)', async () => {
    const run = async (batch: number, accum: number) => {
      const model = tinyModel(VOCAB, 4);
      const config = resolveSFTConfig({
        max_steps: 1,
        per_device_train_batch_size: batch,
        gradient_accumulation_steps: accum,
        learning_rate: 1e-2,
        seed: 3,
      });
      const r = await sftTrain(model, examples.slice(0, 4), { config, padId: 0 });
      const w = weights(model);
      model.dispose();
      return { loss: r.history[0]!.loss, w };
    };
    const a = await run(2, 2);
    const b = await run(4, 1);
    expect(a.loss).toBeCloseTo(b.loss, 5);
    let worst = 0;
    a.w.forEach((x, i) => {
      x.forEach((v, j) => {
        worst = Math.max(worst, Math.abs(v - b.w[i]![j]!));
      });
    });
    expect(worst).toBeLessThan(1e-5);
  });

  test('a non-finite loss skips the update and is counted', async () => {
    const model = tinyModel(VOCAB, 4);
    const norm = model.parameters().get('model.norm.weight')!;
    const poisoned = tf.fill(norm.shape, Number.NaN);
    norm.assign(poisoned);
    poisoned.dispose();
    const before = weights(model);
    const config = resolveSFTConfig({ max_steps: 3, per_device_train_batch_size: 4, learning_rate: 1e-2 });
    const r = await sftTrain(model, examples, { config, padId: 0 });
    expect(r.skippedSteps).toBe(3);
    expect(r.history.every((h) => h.skipped && !Number.isFinite(h.loss))).toBe(true);
    const after = weights(model);
    expect(after.map((w) => Array.from(w))).toEqual(before.map((w) => Array.from(w)));
    model.dispose();
  });

  test('an aborted run stops after the current step and saves once', async () => {
    const model = tinyModel(VOCAB, 4);
    const controller = new AbortController();
    const saved: number[] = [];
    const config = resolveSFTConfig({ max_steps: 10, per_device_train_batch_size: 4, save_steps: 0 });
    const r = await sftTrain(model, examples, {
      config,
      padId: 0,
      signal: controller.signal,
      onStep: (rec) => {
        if (rec.step === 2) controller.abort();
      },
      save: async (step) => {
        saved.push(step);
      },
    });
    expect(r.interrupted).toBe(true);
    expect(r.steps).toBe(2);
    expect(saved).toEqual([2]);
    model.dispose();
  });

  test('a teacher with another vocabulary size is refused', async () => {
    const model = tinyModel(VOCAB, 4);
    const teacher = tinyModel(VOCAB + 1, 4);
    await expect(
      sftTrain(model, examples, {
        config: resolveSFTConfig({ max_steps: 1 }),
        padId: 0,
        teacher: { model: teacher, alpha: 0.5, temperature: 1 },
      }),
    ).rejects.toThrow(/shared vocabulary/);
    model.dispose();
    teacher.dispose();
  });
});
