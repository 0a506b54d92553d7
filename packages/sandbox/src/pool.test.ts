import { describe, expect, test } from 'vitest';
import { Pool } from './pool';

describe('Pool', () => {
  test('runs at most size tasks at once, in order, and passes results and errors through', async () => {
    const pool = new Pool(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (i: number) =>
      pool.run(async () => {
        running++;
        peak = Math.max(peak, running);
        order.push(i);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        if (i === 3) throw new Error('three');
        return i;
      });
    const results = await Promise.allSettled([0, 1, 2, 3, 4].map(task));
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      0,
      1,
      2,
      'three',
      4,
    ]);
    expect(pool.load).toEqual({ running: 0, waiting: 0 });
  });

  test('rejects a bad size', () => {
    expect(() => new Pool(0)).toThrow(/≥ 1/);
    expect(() => new Pool(1.5)).toThrow(/integer/);
  });
});
