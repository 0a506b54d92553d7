/**
 * The gemm pool: a batch gives bit-identical results to running its calls one by one on this thread (rows are split
 * between threads, never the sums inside a row), including chains of accumulates into one C pushed between other
 * calls, and transposed A; the planning helpers (`chainsOf`, `tasksFor`, `rowRange`) on tables and properties.
 */
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../init-backend';
import { randomArray } from '../../test-utils/on-backend';
import type { WasmBackend } from '../../wasm-internals';
import { gemmFor } from './gemm';
import { chainsOf, gemmBatch, gemmThreads, rowRange, TASK_MACS, tasksFor } from './pool';

let backend: WasmBackend;
let threads = 1;

beforeAll(async () => {
  threads = (await initBackend('wasm', { log: () => {} })).threads;
  await tf.setBackend('wasm');
  backend = tf.backend() as unknown as WasmBackend;
});

describe('rowRange', () => {
  it('splits m rows into contiguous parts on 4-row bands that cover every row once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 8 }), (m, parts) => {
        let next = 0;
        for (let p = 0; p < parts; p++) {
          const [from, to] = rowRange(m, p, parts);
          expect(from).toBe(next);
          expect(to).toBeGreaterThanOrEqual(from);
          if (to < m) expect(to % 4).toBe(0);
          next = to;
        }
        expect(next).toBe(m);
      }),
    );
  });

  it.each([
    [10, 2, [0, 4], [4, 10]],
    [128, 2, [0, 64], [64, 128]],
    [3, 2, [0, 0], [0, 3]],
  ])('m %i in %i parts → %j, %j', (m, parts, first, second) => {
    expect(rowRange(m, 0, parts)).toEqual(first);
    expect(rowRange(m, 1, parts)).toEqual(second);
  });
});

/** A job buffer (11 words a call) from [c, m, accumulate] triples; the other words do not matter to planning. */
function jobWords(calls: Array<[number, number, 0 | 1]>): Int32Array {
  const words = new Int32Array(11 * calls.length);
  calls.forEach(([c, m, acc], j) => {
    words.set([0, 0, c, m, 8, 8, 8, 1, 8, 8, acc], 11 * j);
  });
  return words;
}

describe('chainsOf', () => {
  it.each([
    [
      'independent calls',
      [
        [100, 4, 0],
        [200, 4, 0],
      ],
      [[0], [1]],
    ],
    [
      'overwrite then accumulate',
      [
        [100, 4, 0],
        [100, 4, 1],
      ],
      [[0, 1]],
    ],
    [
      'accumulates pushed between other calls',
      [
        [100, 4, 0],
        [200, 4, 0],
        [100, 4, 1],
        [200, 4, 1],
        [100, 4, 1],
      ],
      [
        [0, 2, 4],
        [1, 3],
      ],
    ],
  ] as const)('%s', (_, calls, chains) => {
    expect(chainsOf(jobWords(calls.map((c) => [...c] as [number, number, 0 | 1])))).toEqual(chains);
  });
});

describe('tasksFor', () => {
  it.each([
    [0, 64, 2, 1], // no work: one task
    [TASK_MACS, 1024, 2, 1],
    [TASK_MACS * 5, 1024, 2, 5],
    [TASK_MACS * 100, 1024, 2, 16], // at most 8 a thread
    [TASK_MACS * 100, 10, 2, 3], // never more than the 4-row bands
  ])('%i MACs over %i rows at %i threads → %i', (macs, m, threads, tasks) => {
    expect(tasksFor(macs, m, threads)).toBe(tasks);
  });

  it('property: between 1 and the number of 4-row bands', () => {
    fc.assert(
      fc.property(fc.nat(2 ** 30), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 16 }), (macs, m, t) => {
        const n = tasksFor(macs, m, t);
        expect(n).toBeGreaterThanOrEqual(1);
        expect(n).toBeLessThanOrEqual(Math.max(1, Math.ceil(m / 4)));
      }),
    );
  });
});

describe('gemmBatch', () => {
  it('runs on as many threads as the backend has when the heap is shared', () => {
    expect(gemmThreads(backend.wasm)).toBe(backend.wasm.HEAPU8.buffer instanceof SharedArrayBuffer ? threads : 1);
  });

  it('property: a batch equals its calls run one by one, bit for bit', () => {
    const { wasm } = backend;
    const gemm = gemmFor(wasm);
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            m: fc.integer({ min: 1, max: 37 }),
            n: fc.integer({ min: 1, max: 21 }),
            k: fc.integer({ min: 1, max: 19 }),
            transA: fc.boolean(),
            extra: fc.integer({ min: 0, max: 2 }), // accumulates into the same C, pushed after other jobs' calls
          }),
          { minLength: 1, maxLength: 6 },
        ),
        fc.nat(1000),
        (jobs, seed) => {
          // Each job gets its own A, B, C; a pair adds a second product into the same C.
          const layout = jobs.map((j) => ({ ...j, size: 3 * j.m * j.k + 3 * j.k * j.n + j.m * j.n }));
          const total = layout.reduce((s, j) => s + j.size, 0);
          const run = (batched: boolean): Float32Array => {
            const base = wasm._malloc(4 * total);
            try {
              new Float32Array(wasm.HEAPU8.buffer, base, total).set(randomArray(total, seed));
              const batch = gemmBatch(wasm, { minMacs: 0 }); // every batch on the pool, however small
              // Round r pushes every job's r-th call: the overwrites first, then the accumulates, interleaved.
              const calls: Array<Array<Parameters<typeof gemm>>> = [[], [], []];
              let at = base;
              for (const { m, n, k, transA, extra, size } of layout) {
                const c = at + 12 * m * k + 12 * k * n;
                const [rsa, csa] = transA ? [1, m] : [k, 1];
                for (let r = 0; r <= extra; r++) {
                  const [a, b] = [at + 4 * r * m * k, at + 12 * m * k + 4 * r * k * n];
                  calls[r]!.push([a, b, c, m, n, k, rsa, csa, n, n, r > 0 ? 1 : 0]);
                }
                at += 4 * size;
              }
              for (const call of calls.flat()) {
                if (batched) batch.push(...call);
                else gemm(...call);
              }
              if (batched) batch.run();
              return new Float32Array(wasm.HEAPU8.buffer, base, total).slice();
            } finally {
              wasm._free(base);
            }
          };
          expect(run(true)).toEqual(run(false));
        },
      ),
      { numRuns: 40, seed: 5 },
    );
  });

  it.skipIf(typeof SharedArrayBuffer === 'undefined')(
    'a thread that traps fails the batch with a clear error, and the pool keeps working',
    () => {
      const { wasm } = backend;
      if (gemmThreads(wasm) < 2) return; // single-threaded build: nothing runs on a worker
      const buf = wasm._malloc(4 * 64);
      try {
        const batch = gemmBatch(wasm, { minMacs: 0 });
        // A lies beyond the heap, so each call's first load traps before anything is written; with many tasks the
        // worker as well as the caller is likely to claim some, and whichever fails, the batch fails in words.
        for (let i = 0; i < 32; i++) batch.push(2 ** 31 - 64, buf, buf + 4 * i, 4, 4, 4, 4, 1, 4, 4, 0);
        expect(() => batch.run()).toThrow(/gemm pool: (a worker|the calling) thread failed .*R1_WASM_THREADS=1/);
        const heap = new Float32Array(wasm.HEAPU8.buffer, buf, 32);
        heap.set(Float32Array.from({ length: 32 }, (_, i) => i % 5));
        batch.push(buf, buf, buf + 64, 4, 4, 4, 4, 1, 4, 4, 0); // A = B = the first 16 floats, C after them
        batch.run();
        // A = B = [[0,1,2,3],[4,0,1,2],[3,4,0,1],[2,3,4,0]]; C's first row = 1·B₁ + 2·B₂ + 3·B₃.
        expect(Array.from(new Float32Array(wasm.HEAPU8.buffer, buf + 64, 4))).toEqual([16, 17, 13, 4]);
      } finally {
        wasm._free(buf);
      }
    },
  );
});
