import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { EXAMPLE_SAMPLE as sample } from '../testing/index';
import type { GroupRewardFn, RewardFn } from '../types';
import { combineGroupRewards, combineRewards, totalOf } from './combine';
import { formatReward } from './format';
import { kimiLengthScores } from './length';
import { tagCountReward } from './tag-count';

const constant =
  (v: unknown): RewardFn =>
  () =>
    v as number | null;
const throwing: RewardFn = () => {
  throw new Error('reward exploded');
};

describe('combineRewards', () => {
  test('total is the weighted sum, and every component is reported', () => {
    const reward = combineRewards([
      { name: 'format', fn: formatReward, weight: 1 },
      { name: 'tags', fn: tagCountReward, weight: 0.5 },
    ]);
    expect(reward('<think>r</think><answer>4</answer>', sample)).toEqual({
      total: 1.5,
      components: [
        { name: 'format', weight: 1, value: 1 },
        { name: 'tags', weight: 0.5, value: 1 },
      ],
    });
    expect(reward('<think>r</think>', sample).total).toBe(0.25);
  });

  test.each<[unknown[], 'null-total' | 'skip', number | null]>([
    [[1, null, 2], 'null-total', null],
    [[1, null, 2], 'skip', 1 * 1 + 3 * 2],
    [[null, null, null], 'skip', null],
    [[0, 0, 0], 'null-total', 0],
  ])('values %j with onNull %s → total %j', (values, onNull, total) => {
    const reward = combineRewards(
      values.map((v, i) => ({ name: `r${i}`, fn: constant(v), weight: i + 1 })),
      { onNull },
    );
    expect(reward('x', sample).total).toBe(total);
  });

  test('a throwing or misbehaving component is caught, reported and counted as null', () => {
    const reward = combineRewards([
      { name: 'ok', fn: constant(1), weight: 1 },
      { name: 'boom', fn: throwing, weight: 1 },
      { name: 'nan', fn: constant(Number.NaN), weight: 1 },
      { name: 'text', fn: constant('1'), weight: 1 },
    ]);
    const out = reward('x', sample);
    expect(out.total).toBeNull();
    expect(out.components.map((c) => [c.name, c.value, c.error])).toEqual([
      ['ok', 1, undefined],
      ['boom', null, 'reward exploded'],
      ['nan', null, 'returned NaN, not a finite number or null'],
      ['text', null, 'returned string, not a finite number or null'],
    ]);
    const skipping = combineRewards(
      [
        { name: 'ok', fn: constant(1), weight: 2 },
        { name: 'boom', fn: throwing, weight: 1 },
      ],
      { onNull: 'skip' },
    );
    expect(skipping('x', sample).total).toBe(2);
  });

  test.each<[unknown, RegExp]>([
    [[], /give at least one component/],
    [[{ name: '', fn: constant(1), weight: 1 }], /component 0 needs a name/],
    [
      [
        { name: 'a', fn: constant(1), weight: 1 },
        { name: 'a', fn: constant(1), weight: 1 },
      ],
      /'a' is used twice/,
    ],
    [[{ name: 'a', weight: 1 }], /component 'a' needs a function/],
    [[{ name: 'a', fn: constant(1), weight: Number.NaN }], /component 'a' has weight NaN; use a finite number/],
    [[{ name: 'a', fn: constant(1), weight: '1' }], /component 'a' has weight 1; use a finite number/],
  ])('bad components %# are refused at setup', (components, message) => {
    expect(() => combineRewards(components as never)).toThrow(message);
  });

  test.each<[object, RegExp]>([
    [{ onNull: 'zero' }, /onNull must be one of null-total, skip/],
    [{ nullPolicy: 'skip' }, /unknown option 'nullPolicy'/],
  ])('bad options %j', (options, message) => {
    expect(() => combineRewards([{ name: 'a', fn: constant(1), weight: 1 }], options as never)).toThrow(message);
  });

  test('property: total = Σ weight · component (null-total when any is null)', () => {
    const value = fc.oneof(fc.double({ min: -10, max: 10, noNaN: true }), fc.constant(null));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(value, fc.double({ min: -10, max: 10, noNaN: true })), { minLength: 1, maxLength: 8 }),
        fc.constantFrom('null-total', 'skip'),
        (parts, onNull) => {
          const reward = combineRewards(
            parts.map(([v, w], i) => ({ name: `c${i}`, fn: constant(v), weight: w })),
            { onNull: onNull as 'skip' },
          );
          const { total, components } = reward('x', sample);
          const nonNull = parts.filter(([v]) => v !== null);
          const expected =
            (onNull === 'null-total' && nonNull.length < parts.length) || nonNull.length === 0
              ? null
              : nonNull.reduce((acc, [v, w]) => acc + w * v!, 0);
          if (expected === null) expect(total).toBeNull();
          else expect(total).toBeCloseTo(expected, 9);
          expect(components.map((c) => c.value)).toEqual(parts.map(([v]) => v));
          expect(totalOf(components, onNull as 'skip')).toBe(total);
        },
      ),
    );
  });
});

describe('combineGroupRewards', () => {
  const lengthOnly: GroupRewardFn = (completions) =>
    kimiLengthScores(
      completions.map((c) => c.length),
      completions.map(() => true),
    );

  test('mixes per-completion and group rewards', () => {
    const reward = combineGroupRewards([
      { name: 'format', fn: formatReward, weight: 1 },
      { name: 'length', groupFn: lengthOnly, weight: 2 },
    ]);
    const out = reward(
      ['<think>r</think><answer>4</answer>', 'no format at all, and much longer than the first completion'],
      sample,
    );
    expect(out.map((o) => o.total)).toEqual([1 + 2 * 0.5, 0 + 2 * -0.5]);
    expect(out[0]!.components.map((c) => c.name)).toEqual(['format', 'length']);
  });

  test('a group reward that throws or returns the wrong number of scores fails only its own column', () => {
    const reward = combineGroupRewards(
      [
        { name: 'tags', fn: tagCountReward, weight: 1 },
        {
          name: 'boom',
          groupFn: () => {
            throw new Error('group exploded');
          },
          weight: 1,
        },
        { name: 'short', groupFn: () => [1], weight: 1 },
      ],
      { onNull: 'skip' },
    );
    const out = reward(['<think>', 'x'], sample);
    expect(out.map((o) => o.total)).toEqual([0.25, 0]);
    expect(out[1]!.components[1]).toEqual({ name: 'boom', weight: 1, value: null, error: 'group exploded' });
    expect(out[1]!.components[2]!.error).toBe('returned 1 scores for 2 completions');
  });

  test('an empty group gives no results', () => {
    expect(combineGroupRewards([{ name: 'tags', fn: tagCountReward, weight: 1 }])([], sample)).toEqual([]);
  });
});
