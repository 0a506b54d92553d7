import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { canonicalJson, jobId } from './job-id';

describe('jobId', () => {
  const parts = { model: '/ckpt', settings: { temperature: 0.6, topP: 0.95 }, problem: 'p1', range: [0, 16] };

  test('is deterministic and BullMQ-safe (not an integer, no ":")', () => {
    const id = jobId(parts);
    expect(id).toBe(jobId(structuredClone(parts)));
    expect(id).toMatch(/^j[0-9a-f]{40}$/);
  });

  test('does not depend on key order at any depth', () => {
    const reordered = { range: [0, 16], problem: 'p1', settings: { topP: 0.95, temperature: 0.6 }, model: '/ckpt' };
    expect(jobId(reordered)).toBe(jobId(parts));
  });

  test.each([
    ['model', { ...parts, model: '/other' }],
    ['a setting', { ...parts, settings: { temperature: 0.7, topP: 0.95 } }],
    ['the problem', { ...parts, problem: 'p2' }],
    ['the range', { ...parts, range: [16, 16] }],
  ])('changes with %s', (_what, changed) => {
    expect(jobId(changed)).not.toBe(jobId(parts));
  });

  test('array order matters (a range [0, 16] is not [16, 0])', () => {
    expect(canonicalJson([0, 16])).not.toBe(canonicalJson([16, 0]));
  });

  test('distinct JSON values get distinct ids', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        fc.pre(canonicalJson(a) !== canonicalJson(b));
        return jobId(a) !== jobId(b);
      }),
    );
  });

  test('undefined is refused', () => {
    expect(() => jobId(undefined)).toThrow(/give the parts/);
  });
});
