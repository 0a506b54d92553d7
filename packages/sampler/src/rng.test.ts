import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createRng, deriveSeed, hashString } from './rng';

describe('rng', () => {
  test('same seed gives the same stream; different seeds differ', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(sa);
    expect(Array.from({ length: 5 }, c)).not.toEqual(sa);
  });

  test('values stay in [0, 1)', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const r = createRng(seed);
        for (let i = 0; i < 50; i++) {
          const x = r();
          if (!(x >= 0 && x < 1)) return false;
        }
        return true;
      }),
    );
  });

  test('mean of many draws is near 1/2', () => {
    const r = createRng(7);
    let s = 0;
    for (let i = 0; i < 100_000; i++) s += r();
    expect(s / 100_000).toBeCloseTo(0.5, 2);
  });

  test('deriveSeed separates indices and is deterministic', () => {
    const seeds = new Set(Array.from({ length: 1000 }, (_, i) => deriveSeed(1, i)));
    expect(seeds.size).toBe(1000);
    expect(deriveSeed(5, 1, 2)).toBe(deriveSeed(5, 1, 2));
    expect(deriveSeed(5, 1, 2)).not.toBe(deriveSeed(5, 2, 1));
    expect(hashString('aime24-I-01')).toBe(hashString('aime24-I-01'));
    expect(hashString('a')).not.toBe(hashString('b'));
  });
});
