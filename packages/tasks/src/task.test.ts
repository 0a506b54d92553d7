import { describe, expect, test } from 'vitest';
import { defineTask, MAX_ATTEMPTS_PER_ITEM } from './task';

/** A toy task over the integers 0..size-1, to test the driver apart from any real generator. */
function toyTask(size: number, testFraction: number, failEvery = 0) {
  let draws = 0;
  const task = defineTask({
    name: 'toy',
    reward: 'accuracy',
    options: { size },
    testFraction,
    draw: (rng) => {
      draws++;
      if (failEvery > 0 && draws % failEvery === 0) return null;
      const n = rng.int(0, size - 1);
      return { canonical: String(n), prompt: `n=${n}`, answer: String(n), meta: { n } };
    },
    canonicalOf: (item) => String(item.meta.n),
    exhaustedHint: 'Make the toy bigger.',
  });
  return { task, draws: () => draws };
}

describe('defineTask', () => {
  test('streams lazily: taking 3 items draws only what those need', () => {
    const { task, draws } = toyTask(1000, 0.5);
    const it = task.stream({ split: 'train', seed: 1 });
    for (let i = 0; i < 3; i++) it.next();
    expect(draws()).toBeLessThan(50);
  });

  test('stream checks its options when called, before any iteration', () => {
    const { task } = toyTask(10, 0.5);
    expect(() => task.stream({ split: 'validation' as 'train', seed: 0 })).toThrow(/toy\.stream split must be one of/);
  });

  test('a count-limited stream ends', () => {
    const { task } = toyTask(1000, 0.5);
    expect([...task.stream({ split: 'test', seed: 1, count: 7 })]).toHaveLength(7);
  });

  test('testFraction 0 leaves the test split empty: a clear error, not a hang', () => {
    const { task } = toyTask(10, 0);
    expect(() => task.generate({ split: 'test', count: 1, seed: 0 })).toThrow(
      new RegExp(
        `toy: ${MAX_ATTEMPTS_PER_ITEM} draws in a row gave no new test problem after 0 items .*Make the toy bigger`,
      ),
    );
  });

  test('failed draws are retried and counted in the error', () => {
    const { task } = toyTask(10, 0.5, 2);
    expect(task.generate({ split: 'train', count: 20, seed: 0 })).toHaveLength(20);
    const { task: never } = toyTask(10, 0.5, 1);
    expect(() => never.generate({ split: 'train', count: 1, seed: 0 })).toThrow(/\d+ broke the knobs/);
  });

  test('unique never repeats; the split is respected', () => {
    const { task } = toyTask(200, 0.5);
    const items = task.generate({ split: 'test', count: 60, seed: 2, unique: true });
    expect(new Set(items.map((i) => i.meta.n)).size).toBe(60);
    for (const i of items) expect(task.splitOf(i)).toBe('test');
  });

  test('the two splits partition the space', () => {
    const { task } = toyTask(50, 0.3);
    const train = task.generate({ split: 'train', count: 500, seed: 0 }).map((i) => i.meta.n);
    const test = task.generate({ split: 'test', count: 500, seed: 0 }).map((i) => i.meta.n);
    const all = new Set([...train, ...test]);
    expect(all.size).toBe(50);
    for (const n of test) expect(train).not.toContain(n);
  });

  test('seeds mix with the split: train and test with one seed are not one filtered sequence', () => {
    const { task } = toyTask(1_000_000, 0.5);
    const a = task.generate({ split: 'train', count: 5, seed: 0 }).map((i) => i.meta.n);
    const b = task.generate({ split: 'test', count: 5, seed: 0 }).map((i) => i.meta.n);
    expect(a).not.toEqual(b);
  });
});
