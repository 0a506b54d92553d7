/**
 * The gemm pool: a batch gives bit-identical results to running its calls one by one on this thread (rows are split
 * between threads, never the sums inside a row), including overwrite-then-accumulate pairs and transposed A.
 */
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../init-backend';
import { randomArray } from '../../test-utils/on-backend';
import type { WasmBackend } from '../../wasm-internals';
import { gemmFor } from './gemm';
import { gemmBatch, gemmThreads, rowRange } from './pool';

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
            pair: fc.boolean(), // an accumulate into the same C right after
          }),
          { minLength: 1, maxLength: 6 },
        ),
        fc.nat(1000),
        (jobs, seed) => {
          // Each job gets its own A, B, C; a pair adds a second product into the same C.
          const layout = jobs.map((j) => ({ ...j, size: 2 * j.m * j.k + 2 * j.k * j.n + j.m * j.n }));
          const total = layout.reduce((s, j) => s + j.size, 0);
          const run = (batched: boolean): Float32Array => {
            const base = wasm._malloc(4 * total);
            try {
              new Float32Array(wasm.HEAPU8.buffer, base, total).set(randomArray(total, seed));
              const batch = gemmBatch(wasm, { minMacs: 0 }); // every batch on the pool, however small
              let at = base;
              for (const { m, n, k, transA, pair, size } of layout) {
                const [a, a2, b, b2, c] = [
                  at,
                  at + 4 * m * k,
                  at + 8 * m * k,
                  at + 8 * m * k + 4 * k * n,
                  at + 8 * m * k + 8 * k * n,
                ];
                const [rsa, csa] = transA ? [1, m] : [k, 1];
                const calls: Array<[number, number, 0 | 1]> = [[a, b, 0]];
                if (pair) calls.push([a2, b2, 1]);
                for (const [pa, pb, acc] of calls) {
                  if (batched) batch.push(pa, pb, c, m, n, k, rsa, csa, n, n, acc);
                  else gemm(pa, pb, c, m, n, k, rsa, csa, n, n, acc);
                }
                at += 4 * size;
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
    'a worker that traps fails the batch with a clear error, and the pool keeps working',
    () => {
      const { wasm } = backend;
      if (gemmThreads(wasm) < 2) return; // single-threaded build: nothing runs on a worker
      const buf = wasm._malloc(4 * 64);
      try {
        const batch = gemmBatch(wasm, { minMacs: 0 });
        // m = 4 rows is one band, which goes to the worker whole; A lies beyond the heap, so its first load traps
        // before anything is written.
        batch.push(2 ** 31 - 64, buf, buf, 4, 4, 4, 4, 1, 4, 4, 0);
        expect(() => batch.run()).toThrow(/gemm pool: a worker thread failed .* R1_WASM_THREADS=1/);
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
