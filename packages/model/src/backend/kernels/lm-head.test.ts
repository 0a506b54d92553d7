import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { tokenStats } from '../../nn/token-stats';
import { initBackend } from '../init-backend';
import { expectClose, onBackend, randomArray } from '../test-utils/on-backend';
import { LM_HEAD, LM_HEAD_GRAD, laneStride } from './lm-head';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

interface Case {
  n: number;
  d: number;
  vocab: number;
  temperature: number;
  /** Kernel blocking (rows × vocabulary entries). */
  rows: number;
  block: number;
  /** Scale of the random inputs (logits grow with scale² · d). */
  scale?: number;
  seed?: number;
  /** Targets; default spreads them, with row 0 at V − 1 and row 1 at 0. */
  targets?: number[];
}

function targetsOf(c: Case): Int32Array {
  if (c.targets) return Int32Array.from(c.targets);
  const t = Int32Array.from({ length: c.n }, (_, i) => (i * 7 + 3) % c.vocab);
  if (c.n > 0) t[0] = c.vocab - 1;
  if (c.n > 1) t[1] = 0;
  return t;
}

/** Stats and the gradients of Σ a ⊙ stats w.r.t. h and W, on one backend (wasm: the kernels; cpu: composed ops). */
function run(c: Case) {
  return tf.tidy(() => {
    const seed = c.seed ?? 1;
    const scale = c.scale ?? 1;
    const h = tf.mul(tf.tensor2d(randomArray(c.n * c.d, seed), [c.n, c.d]), scale) as tf.Tensor2D;
    const w = tf.mul(tf.tensor2d(randomArray(c.vocab * c.d, seed + 1), [c.vocab, c.d]), scale) as tf.Tensor2D;
    const a = tf.tensor2d(randomArray(c.n * 2, seed + 2), [c.n, 2]);
    const targets = targetsOf(c);
    const opts = { temperature: c.temperature, chunkRows: 3, blocks: { rows: c.rows, vocab: c.block } };
    const f = (hh: tf.Tensor, ww: tf.Tensor) =>
      tf.sum(tf.mul(tokenStats(hh as tf.Tensor2D, ww as tf.Tensor2D, targets, opts), a));
    const stats = tokenStats(h, w, targets, opts);
    const [dh, dw] = tf.grads(f)([h, w]);
    return { stats: Array.from(stats.dataSync()), dh: Array.from(dh!.dataSync()), dw: Array.from(dw!.dataSync()) };
  });
}

/** Float64 host reference: log p(target) and entropy per row, and d(Σ a ⊙ stats)/dh. */
function host(c: Case): number[] {
  return hostWithGrad(c).stats;
}

function hostWithGrad(c: Case): { stats: number[]; dh: number[] } {
  const scale = c.scale ?? 1;
  const seed = c.seed ?? 1;
  const h = Array.from(randomArray(c.n * c.d, seed), (x) => Math.fround(x * scale));
  const w = Array.from(randomArray(c.vocab * c.d, seed + 1), (x) => Math.fround(x * scale));
  const targets = targetsOf(c);
  const a = randomArray(c.n * 2, seed + 2);
  const out: number[] = [];
  const dh: number[] = [];
  for (let i = 0; i < c.n; i++) {
    const z = Array.from({ length: c.vocab }, (_, v) => {
      let s = 0;
      for (let k = 0; k < c.d; k++) s += h[i * c.d + k]! * w[v * c.d + k]!;
      return s / c.temperature;
    });
    const m = Math.max(...z);
    const sum = z.reduce((acc, x) => acc + Math.exp(x - m), 0);
    const lse = m + Math.log(sum);
    const ent = lse - z.reduce((acc, x) => acc + Math.exp(x - lse) * x, 0);
    out.push(z[targets[i]!]! - lse, ent);
    // dz = a₀·(onehot − p) − a₁·p·(log p + H), then dh = dz·W / τ
    const g = new Array(c.d).fill(0);
    z.forEach((x, v) => {
      const p = Math.exp(x - lse);
      const dz = a[2 * i]! * ((v === targets[i] ? 1 : 0) - p) - a[2 * i + 1]! * p * (x - lse + ent);
      for (let k = 0; k < c.d; k++) g[k] += (dz * w[v * c.d + k]!) / c.temperature;
    });
    dh.push(...g);
  }
  return { stats: out, dh };
}

async function compare(c: Case, tol = { atol: 1e-5, rtol: 1e-5, grad: 1e-5 }) {
  const wasm = await onBackend('wasm', () => run(c));
  const cpu = await onBackend('cpu', () => run(c));
  expectClose(wasm.stats, cpu.stats, tol.atol, tol.rtol);
  expectClose(wasm.dh, cpu.dh, tol.grad, tol.rtol);
  expectClose(wasm.dw, cpu.dw, tol.grad, tol.rtol);
  return wasm;
}

describe('R1LmHead / R1LmHeadGrad on wasm match the composed ops on cpu', () => {
  test('the kernels are registered for wasm only', () => {
    expect(tf.getKernel(LM_HEAD, 'wasm')).toBeDefined();
    expect(tf.getKernel(LM_HEAD_GRAD, 'wasm')).toBeDefined();
    expect(tf.getKernel(LM_HEAD, 'cpu')).toBeUndefined();
  });

  test.each<Case>([
    { n: 7, d: 5, vocab: 11, temperature: 1, rows: 4, block: 3 }, // several row and vocabulary blocks
    { n: 1, d: 3, vocab: 5, temperature: 0.7, rows: 1, block: 8 }, // one row, block larger than the vocabulary
    { n: 33, d: 16, vocab: 1001, temperature: 1.3, rows: 8, block: 100 }, // vocab not a multiple of 4 or 8
    { n: 64, d: 8, vocab: 130, temperature: 1, rows: 64, block: 64 }, // 64 rows: the padded lane stride
    { n: 5, d: 4, vocab: 9, temperature: 2, rows: 2, block: 1 }, // one vocabulary entry per block
    { n: 3, d: 2, vocab: 6, temperature: 1, rows: 3, block: 4, targets: [5, 5, 0] }, // shared and edge targets
  ])('n $n, d $d, V $vocab, τ $temperature, blocks $rows × $block', async (c) => {
    await compare(c);
  });

  test('default blocking, D 64, τ 0.5: as close to float64 as the composed ops, on peaked rows', async () => {
    // Peaked rows are where entropy cancels: the kernel sums relative to the max; the composed ops sum Σ p·(lse − z)
    // (non-negative terms). Before that change the composed ops lost ~3.6e-5 here to H = lse − Σ p·z.
    const c: Case = { n: 70, d: 64, vocab: 3001, temperature: 0.5, rows: 1024, block: 256 };
    const wasm = await compare(c, { atol: 1e-4, rtol: 1e-5, grad: 1e-4 });
    const exact = hostWithGrad(c);
    expectClose(wasm.stats, exact.stats, 2e-6, 1e-6);
    const cpu = await onBackend('cpu', () => run(c));
    const err = (xs: number[]) => Math.max(...xs.map((x, i) => Math.abs(x - exact.dh[i]!)));
    // measured: wasm 7.2e-6, cpu 5.0e-6
    expect(err(wasm.dh)).toBeLessThan(1e-5);
    expect(err(cpu.dh)).toBeLessThan(1e-5);
  });

  test('log-probs and entropies match a float64 host reference to ~1e-6 relative', async () => {
    const c: Case = { n: 9, d: 16, vocab: 2003, temperature: 0.8, rows: 4, block: 256, scale: 1.5 };
    const wasm = await onBackend('wasm', () => run(c));
    expectClose(wasm.stats, host(c), 1e-6, 1e-6);
  });

  test('edge: large logits (|z| ~ 1000) stay finite and exact', async () => {
    const c: Case = { n: 4, d: 2, vocab: 7, temperature: 1, rows: 4, block: 3, scale: 30 };
    const wasm = await compare(c, { atol: 1e-3, rtol: 1e-5, grad: 1e-3 });
    for (const x of [...wasm.stats, ...wasm.dh, ...wasm.dw]) expect(Number.isFinite(x)).toBe(true);
    expectClose(wasm.stats, host(c), 1e-3, 1e-6);
  });

  test('edge: no rows gives empty stats and a zero head gradient', async () => {
    const out = await onBackend('wasm', () =>
      tf.tidy(() => {
        const w = tf.ones([5, 3]) as tf.Tensor2D;
        const f = (hh: tf.Tensor, ww: tf.Tensor) =>
          tf.sum(tokenStats(hh as tf.Tensor2D, ww as tf.Tensor2D, new Int32Array(0), { temperature: 1, chunkRows: 1 }));
        const [dh, dw] = tf.grads(f)([tf.zeros([0, 3]), w]);
        return { dh: dh!.shape, dw: Array.from(dw!.dataSync()) };
      }),
    );
    expect(out.dh).toEqual([0, 3]);
    expect(out.dw).toEqual(new Array(15).fill(0));
  });

  test('edge: a target outside the vocabulary is rejected', async () => {
    await onBackend('wasm', () => {
      const h = tf.zeros([1, 2]) as tf.Tensor2D;
      const w = tf.zeros([3, 2]) as tf.Tensor2D;
      expect(() => tokenStats(h, w, Int32Array.from([3]), { temperature: 1, chunkRows: 1 })).toThrow(/outside/);
      tf.dispose([h, w]);
    });
  });

  test('laneStride: rows rounded to 4, padded off multiples of 64', () => {
    expect([1, 4, 5, 63, 64, 1024, 1025].map(laneStride)).toEqual([4, 4, 8, 72, 72, 1032, 1028]);
  });

  test('fast-check: any shape, blocking, temperature and targets agree with cpu', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          n: fc.integer({ min: 1, max: 12 }),
          d: fc.integer({ min: 1, max: 9 }),
          vocab: fc.integer({ min: 2, max: 40 }), // the composed path needs V ≥ 2 (tf.oneHot)
          temperature: fc.double({ min: 0.3, max: 3, noNaN: true }),
          rows: fc.integer({ min: 1, max: 16 }),
          block: fc.integer({ min: 1, max: 48 }),
          seed: fc.integer({ min: 0, max: 1e6 }),
        }),
        async (c) => {
          await compare(c);
        },
      ),
      { numRuns: 30 },
    );
  });
});
