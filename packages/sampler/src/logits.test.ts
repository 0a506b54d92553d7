import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { bucketOf, chooseToken, RADIX_MIN, Ranking, radixSortByLogit, type TokenChoiceParams } from './logits';
import { createRng, type Uniform } from './rng';
import { chooseTokenBySort } from './test-utils/reference-logits';

const base: TokenChoiceParams = {
  temperature: 1,
  topK: 0,
  topP: 1,
  minP: 0,
  repetitionPenalty: 1,
  logprobsMode: 'raw',
};
const none = new Set<number>();

function softmax(xs: number[], t = 1): number[] {
  const m = Math.max(...xs.map((x) => x / t));
  const e = xs.map((x) => Math.exp(x / t - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

function histogram(logits: number[], params: TokenChoiceParams, draws: number, seed = 1): number[] {
  const row = Float32Array.from(logits);
  const rng = createRng(seed);
  const counts = new Array(logits.length).fill(0);
  for (let i = 0; i < draws; i++) counts[chooseToken(row, params, none, rng).token]++;
  return counts.map((c) => c / draws);
}

describe('chooseToken', () => {
  test.each([
    [[0, 3, 1], 1],
    [[5, -1, 4.9], 0],
    [[-2, -2, -1], 2],
  ])('greedy picks argmax of %j', (logits, expected) => {
    const choice = chooseToken(Float32Array.from(logits), { ...base, temperature: 0 }, none, createRng(0));
    expect(choice.token).toBe(expected);
    expect(choice.logprob).toBeCloseTo(Math.log(softmax(logits)[expected]!), 6);
  });

  test('temperature 1 samples the softmax distribution', () => {
    const logits = [0, 1, 2, -1];
    const freq = histogram(logits, base, 40_000);
    const p = softmax(logits);
    for (const [i, f] of freq.entries()) expect(f).toBeCloseTo(p[i]!, 1);
  });

  test('temperature 0.5 sharpens as softmax(l / T)', () => {
    const logits = [0, 1, 0.5];
    const freq = histogram(logits, { ...base, temperature: 0.5 }, 40_000);
    for (const [i, p] of softmax(logits, 0.5).entries()) expect(freq[i]).toBeCloseTo(p, 1);
  });

  test('topK keeps only the k most likely tokens, renormalised', () => {
    const logits = [0, 3, 2, 1];
    const freq = histogram(logits, { ...base, topK: 2 }, 20_000);
    expect(freq[0]).toBe(0);
    expect(freq[3]).toBe(0);
    const p = softmax([3, 2]);
    expect(freq[1]).toBeCloseTo(p[0]!, 1);
    const choice = chooseToken(
      Float32Array.from(logits),
      { ...base, topK: 2, logprobsMode: 'processed' },
      none,
      () => 0,
    );
    expect(choice.token).toBe(1);
    expect(choice.logprob).toBeCloseTo(Math.log(p[0]!), 6);
  });

  test('topP keeps the smallest prefix reaching the mass', () => {
    // probabilities ≈ [0.64, 0.24, 0.09, 0.03]
    const logits = [3, 2, 1, 0];
    const freq = histogram(logits, { ...base, topP: 0.85 }, 20_000);
    expect(freq[2]).toBe(0);
    expect(freq[3]).toBe(0);
    const tiny = histogram(logits, { ...base, topP: 1e-6 }, 200);
    expect(tiny[0]).toBe(1);
  });

  test('minP drops tokens below minP × top probability', () => {
    const logits = [3, 2, 1, 0]; // relative probs 1, 0.37, 0.135, 0.05
    const freq = histogram(logits, { ...base, minP: 0.2 }, 20_000);
    expect(freq[2]).toBe(0);
    expect(freq[3]).toBe(0);
    expect(freq[1]).toBeGreaterThan(0.2);
  });

  test('repetition penalty makes a seen token less likely', () => {
    const logits = Float32Array.from([2, 2]);
    const rng = createRng(3);
    let zeros = 0;
    for (let i = 0; i < 5000; i++)
      if (chooseToken(logits, { ...base, repetitionPenalty: 2 }, new Set([0]), rng).token === 0) zeros++;
    expect(zeros / 5000).toBeCloseTo(softmax([1, 2])[0]!, 1);
  });

  test('logprob modes: raw ignores temperature, temperature uses logits / T', () => {
    const logits = [1, 2, 3];
    const row = Float32Array.from(logits);
    const raw = chooseToken(row, { ...base, temperature: 0.5, logprobsMode: 'raw' }, none, () => 0.5);
    const temp = chooseToken(row, { ...base, temperature: 0.5, logprobsMode: 'temperature' }, none, () => 0.5);
    expect(raw.token).toBe(temp.token);
    expect(raw.logprob).toBeCloseTo(Math.log(softmax(logits)[raw.token]!), 6);
    expect(temp.logprob).toBeCloseTo(Math.log(softmax(logits, 0.5)[temp.token]!), 6);
  });

  test('edge cases: one-token vocabulary, huge logits, -Infinity entries', () => {
    expect(chooseToken(Float32Array.from([7]), base, none, createRng(1))).toEqual({ token: 0, logprob: 0 });
    const huge = chooseToken(Float32Array.from([1e30, -1e30]), base, none, createRng(1));
    expect(huge.token).toBe(0);
    expect(Number.isFinite(huge.logprob)).toBe(true);
    const masked = Float32Array.from([Number.NEGATIVE_INFINITY, 0, Number.NEGATIVE_INFINITY]);
    for (let s = 0; s < 20; s++) expect(chooseToken(masked, base, none, createRng(s)).token).toBe(1);
  });

  test('top-k ranks by logits: a logit a denormal above the rest wins even where exp() rounds the gap away', () => {
    // Found by the property below: exp(−1.4e−45 / 0.05) is exactly 1, so ranking by probability tied all three.
    const row = Float32Array.from([0, 1.401298464324817e-45, 0]);
    const params = { ...base, temperature: 0.05, topK: 1, topP: 0.01, logprobsMode: 'raw' as const };
    for (let s = 0; s < 5; s++) expect(chooseToken(row, params, none, createRng(s)).token).toBe(1);
  });

  test('property: the token is in range, kept by the filters, and its logprob is ≤ 0', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -20, max: 20, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.record({
          temperature: fc.oneof(fc.constant(0), fc.double({ min: 0.05, max: 3, noNaN: true })),
          topK: fc.integer({ min: 0, max: 10 }),
          topP: fc.double({ min: 0.01, max: 1, noNaN: true }),
          minP: fc.double({ min: 0, max: 0.9, noNaN: true }),
          repetitionPenalty: fc.double({ min: 1, max: 2, noNaN: true }),
          logprobsMode: fc.constantFrom('raw' as const, 'temperature' as const, 'processed' as const),
        }),
        fc.integer(),
        (logits, params, seed) => {
          const { token, logprob } = chooseToken(Float32Array.from(logits), params, new Set([0]), createRng(seed));
          if (!(token >= 0 && token < logits.length)) return false;
          if (params.topK > 0) {
            const better = logits.filter((l) => l > logits[token]!).length;
            if (params.repetitionPenalty === 1 && better >= params.topK) return false;
          }
          return logprob <= 1e-9 && !Number.isNaN(logprob);
        },
      ),
    );
  });

  test('an empty row is refused with a message', () => {
    expect(() => chooseToken(new Float32Array(0), base, none, createRng(1))).toThrow(/empty/);
  });
});

/** Standard normal draws from a seeded stream (Box–Muller). */
function gaussian(rng: Uniform): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

type RowKind = 'gauss' | 'ties' | 'peaked' | 'masked' | 'wild' | 'flat' | 'ulps' | 'degenerate';
const ROW_KINDS: readonly RowKind[] = ['gauss', 'ties', 'peaked', 'masked', 'wild', 'flat', 'ulps', 'degenerate'];

/** A row of `vocab` logits of one shape, from a seed (large rows are built, not shrunk, by fast-check). */
function makeRow(kind: RowKind, vocab: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const row = new Float32Array(vocab);
  const scale = 0.1 + 5 * rng();
  const bits = new Uint32Array(row.buffer);
  for (let i = 0; i < vocab; i++) {
    switch (kind) {
      case 'gauss':
        row[i] = scale * gaussian(rng);
        break;
      case 'ties':
        row[i] = 0.5 * Math.floor(7 * rng() - 3);
        break;
      case 'peaked':
        row[i] = 2 * gaussian(rng);
        break;
      case 'masked':
        row[i] = rng() < 0.6 ? Number.NEGATIVE_INFINITY : scale * gaussian(rng);
        break;
      case 'wild': {
        // Any finite float32: denormals, ±0, ±3.4e38.
        let b = (rng() * 4294967296) >>> 0;
        if (((b >>> 23) & 0xff) === 0xff) b &= 0xbfffffff;
        bits[i] = b;
        break;
      }
      case 'flat':
        row[i] = 0;
        break;
      case 'ulps':
        bits[i] = 0x41200000 + Math.floor(8 * rng()); // 10 and the next 7 floats above it
        break;
      case 'degenerate':
        row[i] = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1][Math.floor(4 * rng())]!;
        break;
    }
  }
  if (kind === 'peaked') {
    // A Zipf-like head above a Gaussian bulk, as a language model's logits look.
    const head = Math.min(vocab, 1 + Math.floor(200 * rng()));
    const s = 0.2 + 6 * rng();
    for (let k = 0; k < head; k++) row[Math.floor(rng() * vocab)] = 14 - s * Math.log1p(k);
  }
  return row;
}

const paramsArb = fc.record({
  temperature: fc.oneof(
    fc.constant(0),
    fc.constantFrom(5e-324, 1e-30, 1e-6, 0.05, 0.6, 1, 1e6, 1e30),
    fc.double({ min: 0.01, max: 5, noNaN: true }),
  ),
  topK: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 5000 })),
  topP: fc.oneof(
    fc.constant(1),
    fc.constantFrom(0.95, 0.5, 1e-9, 0.999999, 1 - 1e-12, 1 - 2 ** -53),
    fc.double({ min: 1e-6, max: 1, maxExcluded: true, noNaN: true }),
  ),
  minP: fc.oneof(
    fc.constant(0),
    fc.constantFrom(1e-300, 1e-12, 0.05, 0.5),
    fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  ),
  repetitionPenalty: fc.oneof(fc.constant(1), fc.double({ min: 0.5, max: 3, noNaN: true })),
  logprobsMode: fc.constantFrom('raw' as const, 'temperature' as const, 'processed' as const),
});
const drawArb = fc.oneof(
  fc.constantFrom(0, 0.5, 1 - 2 ** -53),
  fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
);
const seenArb = fc.array(fc.integer({ min: -2, max: 5000 }), { maxLength: 24 }).map((ids) => new Set(ids));

function same(row: Float32Array, params: TokenChoiceParams, seen: ReadonlySet<number>, u: number): boolean {
  const got = chooseToken(row, params, seen, () => u);
  const want = chooseTokenBySort(row, params, seen, () => u);
  return Object.is(got.token, want.token) && Object.is(got.logprob, want.logprob);
}

describe('chooseToken against the full-sort reference', () => {
  test('property: the same token and log-probability, bit for bit, on rows up to a few thousand tokens', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ROW_KINDS),
        fc.integer({ min: 2, max: 3000 }),
        fc.integer(),
        paramsArb,
        seenArb,
        drawArb,
        (kind, vocab, seed, params, seen, u) => same(makeRow(kind, vocab, seed), params, seen, u),
      ),
      { numRuns: 600 },
    );
  });

  test("property: the same on short rows of fast-check's own floats (NaN, ±Infinity, −0, denormals, ties)", () => {
    fc.assert(
      fc.property(
        fc.float32Array({ minLength: 2, maxLength: 24 }),
        paramsArb,
        seenArb.map((s) => new Set([...s].map((id) => id % 30))),
        drawArb,
        (row, params, seen, u) => same(row, params, seen, u),
      ),
      { numRuns: 1000 },
    );
  });

  const qwenLike = makeRow('peaked', 20_000, 7);
  test.each([
    ['T 0.6, top-p 0.95', { temperature: 0.6, topP: 0.95 }],
    ['T 0.6, top-k 50', { temperature: 0.6, topK: 50 }],
    ['top-k 50 at a tiny temperature (the 50th is far down in −log p)', { temperature: 1e-4, topK: 50 }],
    ['top-k 50 at a huge temperature (every p ≈ 1)', { temperature: 1e6, topK: 50 }],
    ['top-p just under 1 (the cut walks almost the whole row)', { temperature: 1, topP: 1 - 1e-15 }],
    ['min-p alone', { temperature: 0.6, minP: 0.05 }],
    ['min-p 1e-300 (keeps nearly everything)', { temperature: 1, minP: 1e-300 }],
    ['all three', { temperature: 0.9, topK: 40, topP: 0.9, minP: 0.01 }],
  ])('worked case on a 20k-token row: %s', (_, partial) => {
    const params = { ...base, logprobsMode: 'temperature' as const, ...partial };
    for (const u of [0, 0.123, 0.5, 0.999, 1 - 2 ** -53]) expect(same(qwenLike, params, none, u)).toBe(true);
    expect(same(qwenLike, { ...params, repetitionPenalty: 1.3 }, new Set([1, 2, 3, 19_999]), 0.77)).toBe(true);
  });

  test.each([
    ['all −Infinity', [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]],
    ['+Infinity twice', [0, Number.POSITIVE_INFINITY, 1, Number.POSITIVE_INFINITY]],
    ['NaN among finite logits', [1, Number.NaN, 3, 2, Number.NaN]],
    ['two tokens, tied', [0.5, 0.5]],
    ['a denormal apart', [0, 1.401298464324817e-45, 0]],
    ['±3.4e38', [3.4e38, -3.4e38, 3.4e38]],
  ])('degenerate and extreme rows match: %s', (_, values) => {
    const row = Float32Array.from(values);
    for (const partial of [{}, { topP: 0.5 }, { topK: 1 }, { minP: 0.5 }, { topK: 2, topP: 0.9, minP: 0.1 }])
      for (const temperature of [1e-30, 0.6, 1e30])
        for (const u of [0, 0.5, 0.99]) expect(same(row, { ...base, ...partial, temperature }, none, u)).toBe(true);
  });

  test('scratch buffers left by a longer row do not leak into a shorter one', () => {
    const params = { ...base, temperature: 0.7, topP: 0.9, repetitionPenalty: 1.2 };
    const long = makeRow('gauss', 5000, 1);
    const short = makeRow('gauss', 7, 2);
    expect(same(long, params, new Set([1, 4999]), 0.3)).toBe(true);
    expect(same(short, params, new Set([1]), 0.3)).toBe(true);
    expect(same(short, { ...params, topP: 1, topK: 3 }, new Set([6]), 0.9)).toBe(true);
  });
});

describe('the bucketed rank order', () => {
  test('property: bucketOf is a non-decreasing map of x ≥ 0 (and +Infinity) onto a small range of integers', () => {
    const x = fc.oneof(fc.double({ min: 0, noNaN: true }), fc.double({ min: 0, max: 5000, noNaN: true }));
    fc.assert(
      fc.property(x, x, (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const [bl, bh] = [bucketOf(lo), bucketOf(hi)];
        return Number.isInteger(bl) && bl >= 0 && bl <= bh && bh <= bucketOf(Number.POSITIVE_INFINITY);
      }),
    );
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(Number.POSITIVE_INFINITY)).toBeLessThan(2000);
  });

  test('property: started at any bucket (or above any logit floor) and extended on demand, it lists the first ranks of the full sort', () => {
    const kinds = ROW_KINDS.filter((k) => k !== 'degenerate');
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer(),
        fc.constantFrom(1e-30, 0.01, 0.6, 1, 50, 1e30),
        fc.oneof(fc.constant(-1), fc.integer({ min: -1, max: 120 }), fc.integer({ min: -1, max: 1700 })),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 12 }),
        fc.oneof(fc.double({ noNaN: true }), fc.constantFrom(0, 14, Number.NEGATIVE_INFINITY)),
        (kind, vocab, seed, t, through, asks, floor) => {
          const work = makeRow(kind, vocab, seed);
          const order = Array.from({ length: vocab }, (_, i) => i).sort((a, b) => work[b]! - work[a]! || a - b);
          const max = work[order[0]!]!;
          if (max === Number.NEGATIVE_INFINITY) return true; // chooseToken ranks such a row whole
          const inv = Math.min(64 / Math.min(t, 1), 1e300);
          const ranking = new Ranking();
          for (const w of work) ranking.counts[bucketOf((max - w) * inv)]!++;
          // Mostly near the top, where the walks ask; sometimes anywhere.
          const ranks = asks.map((a, j) => Math.floor(a ** (j % 2 ? 1 : 6) * vocab)).sort((a, b) => a - b);
          const listsFirstRanks = (): boolean =>
            ranks.every((r) => {
              ranking.ensure(r);
              return ranking.size > r && ranking.ids.subarray(0, ranking.size).every((id, k) => id === order[k]);
            });
          ranking.start(work, max, inv, through);
          if (!listsFirstRanks()) return false;
          // Top-p alone: first every token at or above the floor, the rest when asked.
          ranking.startAbove(work, floor);
          if (ranking.size !== work.filter((w) => w >= floor).length) return false;
          return listsFirstRanks();
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** The rank order of the full-sort implementation: logit descending, ties by id. */
function fullOrder(row: ArrayLike<number>, ids: readonly number[] = Array.from({ length: row.length }, (_, i) => i)) {
  return [...ids].sort((a, b) => row[b]! - row[a]! || a - b);
}

describe('radixSortByLogit', () => {
  test.each([
    ['±0 tie, by id', [0, -0, 0, -0]],
    ['−Infinity ties', [Number.NEGATIVE_INFINITY, 1, Number.NEGATIVE_INFINITY, -1]],
    ['denormals either side of 0', [1.401298464324817e-45, -1.401298464324817e-45, 0, -0, 2.802596928649634e-45]],
    ['all equal (every digit shared: nothing moves)', [3.5, 3.5, 3.5, 3.5, 3.5]],
    ['one token', [7]],
    ['±3.4e38 and ±Infinity', [3.4e38, -3.4e38, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0]],
  ])('%s: the full-sort order', (_, values) => {
    const row = Float32Array.from(values);
    const ids = Int32Array.from(row.keys());
    radixSortByLogit(ids, row);
    expect(Array.from(ids)).toEqual(fullOrder(row));
  });

  test('property: any float32 row without NaN, any ascending subset of ids: the full-sort order', () => {
    const value = fc.oneof(
      fc.float({ noNaN: true }),
      fc.constantFrom(0, -0, Number.NEGATIVE_INFINITY, 1, 1.401298464324817e-45),
    );
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 3000 }), fc.integer(), (values, seed) => {
        const row = Float32Array.from(values);
        const rng = createRng(seed);
        const subset = Array.from(row.keys()).filter(() => rng() < 0.7);
        const ids = Int32Array.from(subset);
        radixSortByLogit(ids, row);
        return Array.from(ids).join() === fullOrder(row, subset).join();
      }),
      { numRuns: 200 },
    );
  });

  test('long ranges (two 16-bit digits) and a view into a larger buffer', () => {
    const whole = new Float32Array(50_001);
    const row = whole.subarray(1);
    const rng = createRng(3);
    for (let i = 0; i < row.length; i++) row[i] = i % 7 === 0 ? 0.25 : 0.1 * gaussian(rng);
    const ids = Int32Array.from(row.keys());
    radixSortByLogit(ids, row);
    expect(Array.from(ids)).toEqual(fullOrder(row));
  });
});

describe('top-p alone on long rows', () => {
  test.each([
    ['a flat 40k row: the nucleus is most of it (radix-sorted, 16-bit digits)', 'flat40k'],
    ['a peaked 40k row', 'peaked'],
  ])('chooseToken at top-p 0.95 matches the full sort on %s', (_, kind) => {
    const row = kind === 'peaked' ? makeRow('peaked', 40_000, 11) : Float32Array.from(makeRow('gauss', 40_000, 12));
    if (kind === 'flat40k') for (let i = 0; i < row.length; i++) row[i]! *= 0.05;
    for (const logprobsMode of ['temperature', 'raw', 'processed'] as const) {
      const params = { ...base, temperature: 0.6, topP: 0.95, logprobsMode };
      for (const u of [0, 0.37, 1 - 2 ** -53]) expect(same(row, params, none, u)).toBe(true);
    }
    expect(RADIX_MIN).toBeLessThan(40_000);
  });
});

/** log Σ exp(x / t) over the whole row, in float64 (independent of logits.ts). */
function fullLogSumExp(row: ArrayLike<number>, t: number): number {
  const xs = Array.from(row, (x) => x / t);
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
}

describe('padded vocabularies: ids ≥ sampleable are never drawn', () => {
  test('worked case: padding with the largest logits loses to the real ids; raw and temperature log-probs keep it', () => {
    const row = Float32Array.from([1, 2, 3, 100, 100]);
    const greedy = chooseToken(row, { ...base, temperature: 0 }, none, createRng(0), 3);
    expect(greedy.token).toBe(2);
    expect(greedy.logprob).toBeCloseTo(3 - (100 + Math.log(2)), 9);
    expect(chooseToken(row, { ...base, temperature: 0, logprobsMode: 'processed' }, none, createRng(0), 3)).toEqual({
      token: 2,
      logprob: 0,
    });
    // Sampling at T 1 follows softmax of the first three logits.
    const rng = createRng(5);
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[chooseToken(row, base, none, rng, 3).token]!++;
    const want = softmax([1, 2, 3]);
    for (let i = 0; i < 3; i++) expect(counts[i]! / 30_000).toBeCloseTo(want[i]!, 2);
    expect(counts[3]! + counts[4]!).toBe(0);
    const processed = chooseToken(row, { ...base, logprobsMode: 'processed' }, none, () => 0.99, 3);
    expect(processed.logprob).toBeCloseTo(Math.log(want[processed.token]!), 9);
    const tempered = chooseToken(row, { ...base, temperature: 0.5, logprobsMode: 'temperature' }, none, () => 0.5, 3);
    expect(tempered.logprob).toBeCloseTo(row[tempered.token]! / 0.5 - fullLogSumExp(row, 0.5), 9);
  });

  test('property: the draw is the reference draw over the real ids; processed is its log-prob, raw/temperature the full row', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<RowKind>('gauss', 'ties', 'peaked', 'masked'),
        fc.integer({ min: 2, max: 3000 }),
        fc.integer({ min: 0, max: 300 }),
        fc.constantFrom('random', 'dominant', 'neg-inf'),
        fc.integer(),
        paramsArb,
        seenArb,
        drawArb,
        (kind, real, pad, tail, seed, params, seen, u) => {
          const head = makeRow(kind, real, seed);
          if (!head.some((x) => x > Number.NEGATIVE_INFINITY)) head[0] = 0;
          const row = new Float32Array(real + pad);
          row.set(head);
          const padding = makeRow('gauss', pad, seed + 1);
          for (let i = 0; i < pad; i++) {
            row[real + i] = tail === 'dominant' ? 80 + padding[i]! : tail === 'neg-inf' ? -Infinity : padding[i]!;
          }
          const got = chooseToken(row, params, seen, () => u, real);
          const want = chooseTokenBySort(head, params, seen, () => u);
          if (got.token !== want.token || got.token >= real) return false;
          if (params.logprobsMode === 'processed') return Object.is(got.logprob, want.logprob);
          const t = params.logprobsMode === 'raw' || params.temperature === 0 ? 1 : params.temperature;
          const expected = row[got.token]! / t - fullLogSumExp(row, t);
          if (!Number.isFinite(expected)) return Object.is(got.logprob, expected);
          return Math.abs(got.logprob - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
        },
      ),
      { numRuns: 400 },
    );
  });

  test('sampleable = the row length is the unpadded call, bit for bit', () => {
    const row = makeRow('peaked', 5000, 3);
    for (const params of [base, { ...base, temperature: 0.6, topP: 0.95, logprobsMode: 'temperature' as const }]) {
      for (const u of [0, 0.4, 0.999]) {
        expect(chooseToken(row, params, none, () => u, 5000)).toEqual(chooseToken(row, params, none, () => u));
      }
    }
  });

  test.each([0, -1, 1.5, 6, Number.NaN])('sampleable %s is refused with the allowed range', (s) => {
    expect(() => chooseToken(Float32Array.from([1, 2, 3, 4, 5]), base, none, createRng(0), s)).toThrow(
      /sampleable must be an integer in \[1, 5\]/,
    );
  });
});
