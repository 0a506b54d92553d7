import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ADVANTAGE_STD_EPSILON, groupAdvantages, type ScaleRewards } from './advantages';

const EPS = ADVANTAGE_STD_EPSILON;

function expectAllClose(actual: readonly number[], expected: readonly number[], tol = 1e-9): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    expect(Math.abs(a - (expected[i] ?? Number.NaN))).toBeLessThanOrEqual(
      tol * Math.max(1, Math.abs(expected[i] ?? 0)),
    );
  });
}

describe('groupAdvantages worked cases', () => {
  // Group [1, 0, 0]: mean 1/3, Bessel std sqrt(((2/3)² + 2·(1/3)²)/2) = sqrt(1/3).
  const s3 = Math.sqrt(1 / 3);
  test.each<{ name: string; rewards: (number | null)[]; G: number; scale: ScaleRewards; want: number[]; zero: number }>(
    [
      {
        name: 'one correct of three, group std',
        rewards: [1, 0, 0],
        G: 3,
        scale: 'group',
        want: [2 / 3 / (s3 + EPS), -(1 / 3) / (s3 + EPS), -(1 / 3) / (s3 + EPS)],
        zero: 0,
      },
      {
        name: 'no scaling only centres (Dr. GRPO)',
        rewards: [1, 0, 0, 2],
        G: 2,
        scale: 'none',
        want: [0.5, -0.5, -1, 1],
        zero: 0,
      },
      {
        name: 'pair [0, 2]: std √2',
        rewards: [0, 2],
        G: 2,
        scale: 'group',
        want: [-1 / (Math.SQRT2 + EPS), 1 / (Math.SQRT2 + EPS)],
        zero: 0,
      },
      {
        name: 'batch std: group means, one std for all',
        // groups [0, 2] and [4, 4]; batch mean 2.5, batch std sqrt((6.25 + 0.25 + 2.25 + 2.25)/3) = sqrt(11/3)
        rewards: [0, 2, 4, 4],
        G: 2,
        scale: 'batch',
        want: [-1 / (Math.sqrt(11 / 3) + EPS), 1 / (Math.sqrt(11 / 3) + EPS), 0, 0],
        zero: 0.5,
      },
      {
        name: 'all-equal group gives exact zeros',
        rewards: [0.7, 0.7, 0.7, 1, 0, 1],
        G: 3,
        scale: 'group',
        want: [0, 0, 0, 1 / 3 / (s3 + EPS), -2 / 3 / (s3 + EPS), 1 / 3 / (s3 + EPS)],
        zero: 0.5,
      },
      {
        name: 'null is left out of mean and std and gets 0',
        // scored [1, 0, 0] — identical to the first case
        rewards: [1, null, 0, 0],
        G: 4,
        scale: 'group',
        want: [2 / 3 / (s3 + EPS), 0, -(1 / 3) / (s3 + EPS), -(1 / 3) / (s3 + EPS)],
        zero: 0,
      },
      {
        name: 'one scored reward: no spread, 0',
        rewards: [null, 5, null, null],
        G: 4,
        scale: 'group',
        want: [0, 0, 0, 0],
        zero: 1,
      },
      { name: 'all null: 0', rewards: [null, null, 1, 3], G: 2, scale: 'none', want: [0, 0, -1, 1], zero: 0.5 },
    ],
  )('$name', ({ rewards, G, scale, want, zero }) => {
    const out = groupAdvantages(rewards, G, { scaleRewards: scale });
    expectAllClose(out.advantages, want, 1e-6);
    expect(out.fracZeroStd).toBe(zero);
  });

  test('reports group means and stds, null for an unscored group', () => {
    const out = groupAdvantages([1, 0, null, null, 2, 2], 2, { scaleRewards: 'group' });
    expect(out.groupMean).toEqual([0.5, null, 2]);
    expect(out.groupStd[0]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(out.groupStd.slice(1)).toEqual([null, 0]);
    expect(out.fracZeroStd).toBeCloseTo(2 / 3, 12);
    expect(out.batchStd).toBeCloseTo(Math.sqrt((1.25 ** 2 + 0.25 ** 2 + 2 * 0.75 ** 2) / 3), 12);
  });
});

describe('groupAdvantages edge cases', () => {
  test('±1000 rewards', () => {
    const out = groupAdvantages([1000, -1000], 2, { scaleRewards: 'group' });
    const std = Math.sqrt(2) * 1000;
    expectAllClose(out.advantages, [1000 / (std + EPS), -1000 / (std + EPS)]);
  });

  test('huge but finite rewards do not overflow', () => {
    const out = groupAdvantages([1e307, 1.5e308, -1e307, 0], 4, { scaleRewards: 'group' });
    expect(out.advantages.every(Number.isFinite)).toBe(true);
    expect(Math.abs(out.advantages.reduce((a, b) => a + b, 0))).toBeLessThan(1e-9);
  });

  test('tiny spread is not "zero spread" unless within 1e-8', () => {
    expect(groupAdvantages([0, 1e-6], 2, { scaleRewards: 'group' }).fracZeroStd).toBe(0);
    expect(groupAdvantages([0, 1e-9], 2, { scaleRewards: 'group' }).fracZeroStd).toBe(1);
  });

  test.each<[string, (number | null)[], number, string, RegExp]>([
    ['groupSize 1', [1, 2], 1, 'group', /groupSize must be an integer ≥ 2 \(got 1\)/],
    ['fractional groupSize', [1, 2], 1.5, 'group', /groupSize must be an integer/],
    ['empty rewards', [], 2, 'group', /rewards is empty/],
    ['not divisible', [1, 2, 3], 2, 'group', /3 rewards do not split into groups of 2 \(1 left over\)/],
    ['NaN', [1, Number.NaN], 2, 'group', /rewards\[1\] is NaN/],
    ['Infinity', [1, 0, Number.POSITIVE_INFINITY, 0], 2, 'group', /rewards\[2\] is Infinity/],
    ['-Infinity', [Number.NEGATIVE_INFINITY, 0], 2, 'none', /rewards\[0\] is -Infinity/],
    ['unknown scaleRewards', [1, 0], 2, 'std', /scaleRewards must be one of 'group', 'batch', 'none'/],
  ])('rejects %s', (_name, rewards, G, scale, message) => {
    expect(() => groupAdvantages(rewards, G, { scaleRewards: scale as ScaleRewards })).toThrow(message);
  });
});

// ---- Properties

const reward = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.double({ min: -100, max: 100, noNaN: true, noDefaultInfinity: true }),
);
const batchArb = (nullable: boolean) =>
  fc.integer({ min: 2, max: 8 }).chain((G) =>
    fc.record({
      G: fc.constant(G),
      rewards: fc.integer({ min: 1, max: 5 }).chain((groups) =>
        fc.array(nullable ? fc.option(reward, { nil: null, freq: 4 }) : reward, {
          minLength: groups * G,
          maxLength: groups * G,
        }),
      ),
    }),
  );
const scaleArb = fc.constantFrom<ScaleRewards>('group', 'batch', 'none');

function groups<T>(values: readonly T[], G: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += G) out.push(values.slice(i, i + G));
  return out;
}

describe('groupAdvantages properties', () => {
  test('advantages of each group sum to 0 (nulls included, they are 0)', () => {
    fc.assert(
      fc.property(batchArb(true), scaleArb, ({ G, rewards }, scaleRewards) => {
        const { advantages } = groupAdvantages(rewards, G, { scaleRewards });
        for (const g of groups(advantages, G)) {
          const scale = Math.max(1, ...g.map(Math.abs));
          expect(Math.abs(g.reduce((a, b) => a + b, 0))).toBeLessThanOrEqual(1e-9 * scale);
        }
      }),
    );
  });

  test('null rewards get 0 and the others equal the advantages of the batch without them', () => {
    fc.assert(
      fc.property(batchArb(true), scaleArb, ({ G, rewards }, scaleRewards) => {
        const { advantages } = groupAdvantages(rewards, G, { scaleRewards });
        rewards.forEach((r, i) => {
          if (r === null) expect(advantages[i]).toBe(0);
        });
        if (scaleRewards === 'batch') return; // the batch std legitimately changes with which rewards are scored
        // Each group on its own with its nulls dropped must give the same advantages to the scored rewards.
        groups(rewards, G).forEach((group, g) => {
          const scored = group.filter((r): r is number => r !== null);
          if (scored.length < 2) return;
          const alone = groupAdvantages(scored, scored.length, { scaleRewards }).advantages;
          const got = group.map((_r, j) => advantages[g * G + j] ?? Number.NaN).filter((_a, j) => group[j] !== null);
          expectAllClose(got, alone, 1e-9);
        });
      }),
    );
  });

  test('an all-equal group gives exactly 0 and counts as zero spread', () => {
    fc.assert(
      fc.property(reward, fc.integer({ min: 2, max: 8 }), scaleArb, (r, G, scaleRewards) => {
        const out = groupAdvantages(Array(G).fill(r), G, { scaleRewards });
        expect(out.advantages.every((a) => a === 0)).toBe(true);
        expect(out.fracZeroStd).toBe(1);
      }),
    );
  });

  test('std-scaled advantages are invariant under positive affine maps a·r + b (up to the 1e-4 in the denominator)', () => {
    fc.assert(
      fc.property(
        batchArb(true),
        fc.constantFrom<ScaleRewards>('group', 'batch'),
        fc.double({ min: 0.5, max: 50, noNaN: true }),
        fc.double({ min: -100, max: 100, noNaN: true }),
        ({ G, rewards }, scaleRewards, a, b) => {
          const base = groupAdvantages(rewards, G, { scaleRewards });
          const mapped = groupAdvantages(
            rewards.map((r) => (r === null ? null : a * r + b)),
            G,
            { scaleRewards },
          );
          // a·d/(a·s + ε) and d/(s + ε) differ by the relative amount ε·|a − 1|/(a·s + ε) ≤ ε/s (as |a − 1|/a ≤ 1 for
          // a ≥ 0.5), so < 2e-3 when s ≥ 0.05. Tiny stds (near-equal rewards) are where ε deliberately dominates: skip.
          // Group stds matter in both modes: near the 1e-8 "zero spread" threshold, scaling by a moves a group across it.
          const stds = scaleRewards === 'group' ? base.groupStd : [...base.groupStd, base.batchStd];
          fc.pre(stds.every((s) => s === null || s === 0 || s >= 0.05));
          base.advantages.forEach((adv, i) => {
            expect(Math.abs((mapped.advantages[i] ?? Number.NaN) - adv)).toBeLessThanOrEqual(
              4e-3 * Math.abs(adv) + 1e-7,
            );
          });
          expect(mapped.fracZeroStd).toBe(base.fracZeroStd);
        },
      ),
    );
  });

  test("'none' is invariant under shifts and scales linearly", () => {
    fc.assert(
      fc.property(
        batchArb(false),
        fc.double({ min: 0.5, max: 50, noNaN: true }),
        fc.integer({ min: -100, max: 100 }),
        ({ G, rewards }, a, b) => {
          const base = groupAdvantages(rewards, G, { scaleRewards: 'none' }).advantages;
          const shifted = groupAdvantages(
            rewards.map((r) => (r ?? 0) + b),
            G,
            { scaleRewards: 'none' },
          ).advantages;
          const scaled = groupAdvantages(
            rewards.map((r) => a * (r ?? 0)),
            G,
            { scaleRewards: 'none' },
          ).advantages;
          expectAllClose(shifted, base, 1e-9 * 200);
          expectAllClose(
            scaled,
            base.map((x) => a * x),
            1e-9 * 50,
          );
        },
      ),
    );
  });

  test('group-scaled advantages of a group with ≥ 2 distinct scored rewards have Bessel variance ≈ 1', () => {
    fc.assert(
      fc.property(batchArb(false), ({ G, rewards }) => {
        const out = groupAdvantages(rewards, G, { scaleRewards: 'group' });
        groups(out.advantages, G).forEach((g, i) => {
          const s = out.groupStd[i] ?? 0;
          fc.pre(s >= 0.01);
          const variance = g.reduce((acc, x) => acc + x * x, 0) / (G - 1);
          const expected = (s / (s + EPS)) ** 2;
          expect(Math.abs(variance - expected)).toBeLessThan(1e-9);
        });
      }),
    );
  });
});
