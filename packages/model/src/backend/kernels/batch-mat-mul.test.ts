import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, test } from 'vitest';
import { initBackend } from '../init-backend';
import { expectClose, onBackend, randomArray } from '../test-utils/on-backend';
import { tensorData, type WasmBackend } from '../wasm-internals';
import { broadcastIndices, K_BLOCK, K_BLOCK_FROM } from './batch-mat-mul';
import { gemmFor } from './gemm/gemm';
import { transposeCacheStats } from './transpose-cache';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

type Case = [aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean];

function matmulOn(name: 'cpu' | 'wasm', [aShape, bShape, ta, tb]: Case, seed = 1): Promise<Float32Array> {
  return onBackend(name, () =>
    tf.tidy(() => {
      const a = tf.tensor(randomArray(tf.util.sizeFromShape(aShape), seed), aShape);
      const b = tf.tensor(randomArray(tf.util.sizeFromShape(bShape), seed + 1), bShape);
      return tf.matMul(a, b, ta, tb).dataSync() as Float32Array;
    }),
  );
}

/** Gradients of Σ w ⊙ matMul(a, b) w.r.t. a and b (w random, so every output element matters). */
function gradsOn(name: 'cpu' | 'wasm', [aShape, bShape, ta, tb]: Case): Promise<Float32Array[]> {
  return onBackend(name, () =>
    tf.tidy(() => {
      const a = tf.tensor(randomArray(tf.util.sizeFromShape(aShape), 7), aShape);
      const b = tf.tensor(randomArray(tf.util.sizeFromShape(bShape), 8), bShape);
      const f = (x: tf.Tensor, y: tf.Tensor) => {
        const out = tf.matMul(x, y, ta, tb);
        const w = tf.tensor(randomArray(out.size, 9), out.shape);
        return tf.sum(tf.mul(out, w));
      };
      return tf
        .grads(f)([a, b])
        .map((g) => g.dataSync() as Float32Array);
    }),
  );
}

const cases: Case[] = [
  // 2-D, every transpose combination, odd sizes.
  [[37, 53], [53, 29], false, false],
  [[53, 37], [53, 29], true, false],
  [[37, 53], [29, 53], false, true],
  [[53, 37], [29, 53], true, true],
  // Batched a with a 2-D (or batch-1) b: folded into one call.
  [[3, 17, 40], [40, 23], false, false],
  [[3, 17, 40], [23, 40], false, true],
  [[3, 40, 17], [40, 23], true, false],
  [[2, 3, 20, 16], [1, 1, 16, 24], false, false],
  // Batched on both sides, every transpose combination.
  [[4, 20, 33], [4, 33, 18], false, false],
  [[4, 33, 20], [4, 33, 18], true, false],
  [[4, 20, 33], [4, 18, 33], false, true],
  [[4, 33, 20], [4, 18, 33], true, true],
  // Attention-like rank 4.
  [[2, 3, 24, 16], [2, 3, 24, 16], false, true],
  [[2, 3, 24, 24], [2, 3, 24, 16], false, false],
  // Batch 1 on either side (broadcast), batch 1 on both.
  [[1, 20, 16], [5, 16, 24], false, false],
  [[1, 16, 20], [5, 24, 16], true, true],
  [[1, 30, 40], [1, 40, 20], false, false],
  // Tiny, and a vector product.
  [[2, 3], [3, 2], false, false],
  [[1, 64], [64, 96], false, false],
  // One query row against transposed batched keys (decode attention), a broadcast batch, and transposeA too.
  [[2, 3, 1, 16], [2, 3, 24, 16], false, true],
  [[2, 3, 16, 1], [2, 3, 24, 16], true, true],
  [[1, 1, 16], [4, 24, 16], false, true],
  // Deep products (k ≥ K_BLOCK_FROM: passes over k), k not a multiple of K_BLOCK, row-major and strided A.
  [[37, 300], [300, 29], false, false],
  [[300, 37], [300, 29], true, false],
  [[2, 9, 257], [257, 13], false, false],
  // Large enough for the gemm pool (≥ 1M multiply-adds), with and without transposes and folding.
  [[2, 100, 130], [130, 90], false, false],
  [[130, 200], [90, 130], true, true],
  [[200, 130], [90, 130], false, true],
  [[130, 200], [130, 90], true, false],
];

describe('BatchMatMul on wasm matches cpu', () => {
  test.each(cases)('a %j · b %j (transposeA %s, transposeB %s)', async (...c) => {
    const expected = await matmulOn('cpu', c);
    const actual = await matmulOn('wasm', c);
    expectClose(actual, expected, 1e-4, 1e-4);
  });

  test.each([
    cases[1]!,
    cases[2]!,
    cases[3]!,
    cases[5]!,
    cases[9]!,
    cases[11]!,
    cases[12]!,
    cases[15]!,
    cases[19]!,
    cases[20]!,
    cases[22]!,
    cases[23]!,
    cases[26]!,
    cases[27]!,
  ])('gradients for a %j · b %j (transposeA %s, transposeB %s)', async (...c) => {
    const expected = await gradsOn('cpu', c);
    const actual = await gradsOn('wasm', c);
    expect(actual).toHaveLength(2);
    expectClose(actual[0]!, expected[0]!, 1e-3, 1e-4);
    expectClose(actual[1]!, expected[1]!, 1e-3, 1e-4);
  });

  it('a deep product in passes over k gives the one-pass sums bit for bit (the kernel adds in k order)', async () => {
    await onBackend('wasm', () => {
      const backend = tf.backend() as unknown as WasmBackend;
      const [m, n, k] = [12, 20, K_BLOCK_FROM + K_BLOCK + 5];
      expect(k).toBeGreaterThanOrEqual(K_BLOCK_FROM);
      const a = tf.tensor(randomArray(k * m, 21), [k, m]);
      const b = tf.tensor(randomArray(k * n, 22), [k, n]);
      const blocked = tf.matMul(a, b, true, false); // passes over k
      const one = tf.zeros([m, n]);
      const ptr = (t: tf.Tensor) => tensorData(backend, t).memoryOffset;
      gemmFor(backend.wasm)(ptr(a), ptr(b), ptr(one), m, n, k, 1, m, n, n, 0); // one pass
      expect(Array.from(blocked.dataSync())).toEqual(Array.from(one.dataSync()));
      tf.dispose([a, b, blocked, one]);
    });
  });

  it('keeps a transposed copy of a reused 2-D operand, and frees it with its source', async () => {
    await onBackend('wasm', () => {
      const backend = tf.backend() as unknown as WasmBackend;
      const x = tf.tensor(randomArray(8 * 64, 3), [8, 64]);
      const w = tf.tensor(randomArray(512 * 64, 4), [512, 64]); // 32 K floats: cached
      const before = transposeCacheStats(backend);
      const first = tf.matMul(x, w, false, true);
      const second = tf.matMul(x, w, false, true);
      expect(transposeCacheStats(backend).entries).toBe(before.entries + 1);
      expect(Array.from(second.dataSync())).toEqual(Array.from(first.dataSync()));
      const ids = tf.engine().backend.numDataIds();
      w.dispose();
      // The weight and its copy both go.
      expect(tf.engine().backend.numDataIds()).toBe(ids - 2);
      expect(transposeCacheStats(backend)).toEqual(before);
      tf.dispose([x, first, second]);
    });
  });

  it('a cached copy never outlives its data: a reshaped view of the same data is transposed afresh', async () => {
    const run = (name: 'cpu' | 'wasm') =>
      onBackend(name, () =>
        tf.tidy(() => {
          const w = tf.tensor(randomArray(256 * 128, 5), [256, 128]);
          const x = tf.tensor(randomArray(4 * 128, 6), [4, 128]);
          const y = tf.tensor(randomArray(4 * 256, 7), [4, 256]);
          const a = tf.matMul(x, w, false, true).dataSync();
          const b = tf.matMul(y, tf.reshape(w, [128, 256]), false, true).dataSync(); // same data, other shape
          return [Array.from(a), Array.from(b)];
        }),
      );
    const [wasm, cpu] = [await run('wasm'), await run('cpu')];
    expectClose(wasm[0]!, cpu[0]!, 1e-4, 1e-4);
    expectClose(wasm[1]!, cpu[1]!, 1e-4, 1e-4);
  });

  it('handles empty operands and k = 0', async () => {
    for (const c of [
      [[0, 5], [5, 3], false, false],
      [[4, 0], [0, 3], false, false],
      [[2, 0, 8], [2, 8, 3], false, false],
    ] as Case[]) {
      expect(Array.from(await matmulOn('wasm', c))).toEqual(Array.from(await matmulOn('cpu', c)));
    }
  });

  it('rejects mismatched inner dimensions with tfjs’s message', async () => {
    await expect(matmulOn('wasm', [[4, 5], [6, 3], false, false])).rejects.toThrow(/inner shapes/);
  });

  it('leaves no tensors or heap entries behind', async () => {
    await onBackend('wasm', () => {
      const a = tf.tensor(randomArray(4 * 33 * 20, 1), [4, 33, 20]);
      const b = tf.tensor(randomArray(4 * 18 * 33, 2), [4, 18, 33]);
      const before = tf.engine().backend.numDataIds();
      tf.matMul(a, b, true, true).dispose();
      expect(tf.engine().backend.numDataIds()).toBe(before);
      tf.dispose([a, b]);
    });
  });

  it('property: any shape, transpose and batch-broadcast combination agrees with cpu', async () => {
    const arb = fc.record({
      m: fc.integer({ min: 1, max: 40 }),
      k: fc.integer({ min: 1, max: 40 }),
      n: fc.integer({ min: 1, max: 40 }),
      batch: fc.integer({ min: 1, max: 3 }),
      broadcast: fc.constantFrom('none', 'a', 'b'),
      ta: fc.boolean(),
      tb: fc.boolean(),
      seed: fc.integer({ min: 0, max: 1000 }),
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ m, k, n, batch, broadcast, ta, tb, seed }) => {
        const aBatch = broadcast === 'a' ? 1 : batch;
        const bBatch = broadcast === 'b' ? 1 : batch;
        const c: Case = [[aBatch, ...(ta ? [k, m] : [m, k])], [bBatch, ...(tb ? [n, k] : [k, n])], ta, tb];
        expectClose(await matmulOn('wasm', c, seed), await matmulOn('cpu', c, seed), 1e-4, 1e-4);
      }),
      { numRuns: 40, seed: 42 },
    );
  });
});

describe('batch broadcasting', () => {
  test.each([
    [
      [2, 1],
      [2, 3],
      [0, 0, 0, 1, 1, 1],
    ],
    [
      [1, 3],
      [2, 3],
      [0, 1, 2, 0, 1, 2],
    ],
    [[3], [2, 3], [0, 1, 2, 0, 1, 2]],
    [[], [2, 2], [0, 0, 0, 0]],
    [
      [2, 3],
      [2, 3],
      [0, 1, 2, 3, 4, 5],
    ],
    [
      [2, 1, 2],
      [2, 2, 2],
      [0, 1, 0, 1, 2, 3, 2, 3],
    ],
  ])('operand batch %j in output batch %j reads %j', (batch, out, expected) => {
    expect(Array.from(broadcastIndices(batch, out))).toEqual(expected);
  });

  it('property: indices are in range and equal batches map to themselves', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 4 }),
        fc.array(fc.boolean(), { maxLength: 4 }),
        (out, ones) => {
          const own = out.map((d, i) => (ones[i] ? 1 : d));
          const idx = broadcastIndices(own, out);
          const size = own.reduce((p, d) => p * d, 1);
          expect(Array.from(idx).every((i) => i >= 0 && i < size)).toBe(true);
          expect(Array.from(broadcastIndices(out, out))).toEqual(Array.from(idx, (_, i) => i));
        },
      ),
      { seed: 7 },
    );
  });

  it('a broadcast dimension that is not leading gives the tiled product on wasm', async () => {
    const [aShape, bShape] = [
      [2, 1, 9, 20],
      [2, 3, 20, 11],
    ];
    const result = await onBackend('wasm', () =>
      tf.tidy(() => {
        const a = tf.tensor(randomArray(2 * 9 * 20, 3), aShape);
        const b = tf.tensor(randomArray(2 * 3 * 20 * 11, 4), bShape);
        return [tf.matMul(a, b).dataSync(), tf.matMul(tf.tile(a, [1, 3, 1, 1]), b).dataSync()];
      }),
    );
    expectClose(result[0]!, result[1]!, 1e-5, 1e-5);
  });
});
