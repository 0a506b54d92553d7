import { createRng } from '@r1/sampler';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { bootstrapCI, pairedBootstrap } from './bootstrap';

describe('bootstrapCI', () => {
  test('constant scores give a zero-width interval at the value', () => {
    expect(bootstrapCI([0.5, 0.5, 0.5], { iterations: 200 })).toEqual({ mean: 0.5, lo: 0.5, hi: 0.5 });
  });

  test('deterministic per seed', () => {
    const s = [0.13, 0.92, 0.71, 0.05, 0.66, 0.5, 0.25, 0.31, 0.88];
    expect(bootstrapCI(s, { seed: 3 })).toEqual(bootstrapCI(s, { seed: 3 }));
    expect(bootstrapCI(s, { seed: 3 })).not.toEqual(bootstrapCI(s, { seed: 4 }));
  });

  test('a 95% interval covers the true mean in 93–97% of 1,000 seeded Bernoulli experiments', () => {
    const p = 0.3;
    const problems = 100;
    const rng = createRng(2026);
    let covered = 0;
    for (let e = 0; e < 1000; e++) {
      const scores = Array.from({ length: problems }, () => (rng() < p ? 1 : 0));
      const ci = bootstrapCI(scores, { iterations: 1000, seed: e });
      if (ci.lo <= p && p <= ci.hi) covered++;
    }
    expect(covered / 1000).toBeGreaterThanOrEqual(0.93);
    expect(covered / 1000).toBeLessThanOrEqual(0.97);
  });

  test('property: lo ≤ mean ≤ hi within the range of the data', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 50 }), (s) => {
        const { mean, lo, hi } = bootstrapCI(s, { iterations: 300 });
        const min = Math.min(...s);
        const max = Math.max(...s);
        return lo <= hi && lo >= min - 1e-12 && hi <= max + 1e-12 && mean >= min - 1e-12 && mean <= max + 1e-12;
      }),
    );
  });

  test.each([
    [[], /no problems/],
    [[0.5, Number.NaN], /problem 1 is NaN/],
  ])('rejects %j', (s, msg) => expect(() => bootstrapCI(s)).toThrow(msg));
  test('rejects bad options', () => {
    expect(() => bootstrapCI([1], { level: 95 })).toThrow(/level/);
    expect(() => bootstrapCI([1], { iterations: 0 })).toThrow(/iterations/);
  });
});

describe('pairedBootstrap', () => {
  test('a uniform improvement gives a CI above 0 and p = 0', () => {
    const a = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const b = a.map((x, i) => (i % 2 === 0 ? 1 : x));
    const r = pairedBootstrap(a, b, { iterations: 2000 });
    expect(r.diff).toBeCloseTo(r.meanB - r.meanA, 12);
    expect(r.diff).toBeGreaterThan(0);
    expect(r.ci[0]).toBeGreaterThan(0);
    expect(r.pNotBetter).toBe(0);
  });

  test('identical runs give diff 0 and a zero-width CI', () => {
    const a = [0, 1, 0.5];
    expect(pairedBootstrap(a, a, { iterations: 100 })).toMatchObject({ diff: 0, ci: [0, 0], pNotBetter: 1 });
  });

  test('pairing is tighter than independent intervals when problems differ in difficulty', () => {
    const rng = createRng(5);
    const difficulty = Array.from({ length: 200 }, () => rng());
    const a = difficulty.map((d) => d);
    const b = difficulty.map((d) => Math.min(1, d + 0.05));
    const paired = pairedBootstrap(a, b);
    const ia = bootstrapCI(a);
    expect(paired.ci[1] - paired.ci[0]).toBeLessThan((ia.hi - ia.lo) / 4);
  });

  test('mismatched lengths are rejected with the fix', () => {
    expect(() => pairedBootstrap([1, 0], [1])).toThrow(/same problems/);
  });
});
