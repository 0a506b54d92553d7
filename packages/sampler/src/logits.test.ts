import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { chooseToken, type TokenChoiceParams } from './logits';
import { createRng } from './rng';

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
});
