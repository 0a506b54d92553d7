import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { LrSchedulerType } from './grpo-config';
import { learningRateAt, lrScheduleFromConfig, warmupStepsFor } from './lr-schedule';

const at = (schedule: LrSchedulerType, step: number, warmupSteps = 10, totalSteps = 110) =>
  learningRateAt(step, { learningRate: 2, schedule, warmupSteps, totalSteps });

describe('learningRateAt worked cases (lr 2, W = 10, N = 110)', () => {
  test.each<[LrSchedulerType, number, number]>([
    ['linear', 0, 0],
    ['linear', 5, 1],
    ['linear', 10, 2],
    ['linear', 60, 1],
    ['linear', 110, 0],
    ['linear', 500, 0],
    ['cosine', 0, 0],
    ['cosine', 10, 2],
    ['cosine', 35, 1 + Math.SQRT1_2], // p = 1/4: ½(1 + cos(π/4))·2
    ['cosine', 60, 1],
    ['cosine', 110, 0],
    ['cosine', 500, 0],
    ['constant', 3, 0.6],
    ['constant', 10, 2],
    ['constant', 10_000, 2],
  ])('%s at step %i = %f', (schedule, step, want) => {
    expect(at(schedule, step)).toBeCloseTo(want, 12);
  });

  test('no warm-up starts at the peak; one total step still works', () => {
    expect(at('linear', 0, 0, 100)).toBe(2);
    expect(at('cosine', 0, 0, 1)).toBe(2);
    expect(at('linear', 1, 0, 1)).toBe(0);
  });

  test.each([
    [-1, 0, 10, /step must be an integer ≥ 0/],
    [1.5, 0, 10, /step must be an integer ≥ 0/],
    [0, -1, 10, /warmupSteps must be an integer ≥ 0/],
    [0, 0, 0, /totalSteps an integer ≥ 1/],
  ])('rejects step %f, warm-up %i, total %i', (step, warmupSteps, totalSteps, message) => {
    expect(() => learningRateAt(step, { learningRate: 1, schedule: 'linear', warmupSteps, totalSteps })).toThrow(
      message,
    );
  });
});

describe('warm-up from config (HF get_warmup_steps)', () => {
  test.each([
    [{ warmupSteps: 7, warmupRatio: 0, maxSteps: 100 }, 7],
    [{ warmupSteps: 0, warmupRatio: 0.1, maxSteps: 95 }, 10],
    [{ warmupSteps: 0, warmupRatio: 0, maxSteps: 95 }, 0],
  ])('%o → %i', (config, want) => {
    expect(warmupStepsFor(config)).toBe(want);
  });

  test('lrScheduleFromConfig carries the config over', () => {
    const s = lrScheduleFromConfig({
      learningRate: 1e-6,
      lrSchedulerType: 'cosine',
      warmupSteps: 0,
      warmupRatio: 0.05,
      maxSteps: 200,
    });
    expect(s).toEqual({ learningRate: 1e-6, schedule: 'cosine', warmupSteps: 10, totalSteps: 200 });
  });
});

describe('learningRateAt properties', () => {
  const arb = fc.record({
    schedule: fc.constantFrom<LrSchedulerType>('linear', 'cosine', 'constant'),
    learningRate: fc.double({ min: 1e-8, max: 1, noNaN: true }),
    warmupSteps: fc.integer({ min: 0, max: 50 }),
    totalSteps: fc.integer({ min: 1, max: 300 }),
  });

  test('stays in [0, lr], rises during warm-up and never rises after it', () => {
    fc.assert(
      fc.property(arb, (o) => {
        fc.pre(o.warmupSteps <= o.totalSteps); // resolveGRPOConfig rejects longer warm-ups
        let previous = Number.NEGATIVE_INFINITY;
        for (let step = 0; step <= o.totalSteps + 5; step++) {
          const lr = learningRateAt(step, o);
          expect(lr).toBeGreaterThanOrEqual(0);
          expect(lr).toBeLessThanOrEqual(o.learningRate * (1 + 1e-12));
          // Step W jumps to the peak, or to 0 when W = N (training is over): no order between W − 1 and W.
          if (step < o.warmupSteps) expect(lr).toBeGreaterThanOrEqual(previous);
          else if (step > o.warmupSteps) expect(lr).toBeLessThanOrEqual(previous * (1 + 1e-12));
          previous = lr;
        }
      }),
      { numRuns: 50 },
    );
  });

  test('reaches the peak right after warm-up and ends at 0 (linear, cosine) or the peak (constant)', () => {
    fc.assert(
      fc.property(arb, (o) => {
        fc.pre(o.warmupSteps < o.totalSteps);
        expect(learningRateAt(o.warmupSteps, o)).toBeCloseTo(o.learningRate, 12);
        const end = learningRateAt(o.totalSteps, o);
        if (o.schedule === 'constant') expect(end).toBe(o.learningRate);
        else expect(end).toBeCloseTo(0, 12);
      }),
    );
  });
});
