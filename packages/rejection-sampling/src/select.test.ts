import { describe, expect, it } from 'vitest';
import { DEFAULT_FILTER_OPTIONS, resolveFilterOptions } from './options';
import { selectTraces } from './select';

const t = (sampleIndex: number, completion: string, reward = 1) => ({ sampleIndex, completion, reward });
const traces = [t(0, 'xxxx'), t(1, 'xx', 0.5), t(2, 'xxx'), t(3, 'x', 0.8)];
const o = (partial: object) => ({ ...DEFAULT_FILTER_OPTIONS, ...partial });

describe('selectTraces', () => {
  it.each([
    [{ select: 'all-correct' }, 0.5, [0, 1, 2, 3]],
    [{ select: 'all-correct', maxPerProblem: 2 }, 0.5, [0, 1]],
    [{ select: 'best-n', bestN: 2, bestBy: 'shortest' }, 0.5, [1, 3]],
    [{ select: 'best-n', bestN: 2, bestBy: 'reward' }, 0.5, [0, 2]],
    [{ select: 'best-n', bestN: 10 }, 0.5, [0, 1, 2, 3]],
    [{ select: 'pass-band', passBand: [0.2, 0.8] }, 0.5, [0, 1, 2, 3]],
    [{ select: 'pass-band', passBand: [0.2, 0.8] }, 1, []],
    [{ select: 'pass-band', passBand: [0.2, 0.8] }, 0, []],
    [{ select: 'pass-band', passBand: [0.5, 0.5], maxPerProblem: 1 }, 0.5, [0]],
  ])('%j at pass rate %f → %j', (partial, passRate, indices) => {
    expect(selectTraces(traces, passRate, o(partial)).map((x) => x.sampleIndex)).toEqual(indices);
  });

  it('keeps sample order in what it returns', () => {
    const chosen = selectTraces(traces, 1, o({ select: 'best-n', bestN: 3 }));
    expect(chosen.map((x) => x.sampleIndex)).toEqual([1, 2, 3]);
  });
});

describe('resolveFilterOptions', () => {
  it.each([
    [{ minLanguageShare: 1.5 }, /minLanguageShare/],
    [{ select: 'best' }, /select.*all-correct, best-n, pass-band/],
    [{ passBand: [0.9, 0.1] }, /lo ≤ hi/],
    [{ maxParagraphChars: 0 }, /maxParagraphChars/],
    [{ dedup: 'fuzzy' }, /dedup/],
    [{ nearDup: 0.9 }, /unknown option 'nearDup'/],
  ])('%j is refused', (partial, message) => {
    expect(() => resolveFilterOptions(partial as never)).toThrow(message);
  });

  it('documents the defaults of the issue', () => {
    const d = resolveFilterOptions();
    expect([d.minLanguageShare, d.targetLanguage, d.maxParagraphChars, d.nearDupThreshold, d.select]).toEqual([
      0.95,
      'en',
      1500,
      0.9,
      'all-correct',
    ]);
  });
});
