import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { hashString, mulberry32, normalArray } from './rng';

describe('rng', () => {
  test.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('FNV-1a of %j', (s, h) => {
    expect(hashString(s)).toBe(h);
  });

  test('mulberry32 is in [0, 1) and deterministic', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });

  test('normalArray has the requested mean and std', () => {
    const xs = normalArray(20_000, 0.5, 7, 'w');
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(std).toBeCloseTo(0.5, 1);
  });

  test('edge cases: odd length, zero length, zero std, bad seed', () => {
    expect(normalArray(3, 1, 0, 'k')).toHaveLength(3);
    expect(normalArray(0, 1, 0, 'k')).toHaveLength(0);
    expect([...normalArray(4, 0, 0, 'k')].every((x) => x === 0)).toBe(true);
    expect(() => normalArray(4, 1, 1.5, 'k')).toThrow(/integer/);
  });

  test('fast-check: same (seed, key) gives the same values; other keys or seeds differ; all finite', () => {
    fc.assert(
      fc.property(fc.integer(), fc.string(), fc.string(), (seed, k1, k2) => {
        const a = normalArray(8, 1, seed, k1);
        expect(a).toEqual(normalArray(8, 1, seed, k1));
        expect(a.every(Number.isFinite)).toBe(true);
        if (k1 !== k2 && hashString(k1) !== hashString(k2)) expect(a).not.toEqual(normalArray(8, 1, seed, k2));
        expect(a).not.toEqual(normalArray(8, 1, seed + 1, k1));
      }),
      { numRuns: 200 },
    );
  });
});
