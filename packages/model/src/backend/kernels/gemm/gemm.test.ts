import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, test } from 'vitest';
import { initBackend } from '../../init-backend';
import { expectClose, randomArray } from '../../test-utils/on-backend';
import type { WasmBackend } from '../../wasm-internals';
import { assembleGemm } from './assemble';
import { gemmFor, moeLoopsFor } from './gemm';
import { GEMM_WASM_BASE64 } from './gemm-binary';

let backend: WasmBackend;

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
  await tf.setBackend('wasm');
  backend = tf.backend() as unknown as WasmBackend;
});

/** Plain triple loop in float64, the reference. */
function reference(a: Float32Array, b: Float32Array, m: number, n: number, k: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) c[i * n + j]! += a[i * k + p]! * b[p * n + j]!;
  return c;
}

/** `a` stored `[k, m]` → its transpose `[m, k]`, row-major. */
function transpose(a: Float32Array, k: number, m: number): Float32Array {
  const t = new Float32Array(m * k);
  for (let p = 0; p < k; p++) for (let i = 0; i < m; i++) t[i * k + p] = a[p * m + i]!;
  return t;
}

interface RunOptions {
  /** `a` is stored `[k, m]` (passed with strides `(1, m)`). */
  transA?: boolean;
  /** C's starting values, added to (accumulate = 1). */
  c0?: Float32Array;
}

/** Runs the kernel on heap copies of `a` and `b`, with a canary-filled C to catch writes outside it. */
function runGemm(
  a: Float32Array,
  b: Float32Array,
  m: number,
  n: number,
  k: number,
  opts: RunOptions = {},
): { c: Float32Array; canaryOk: boolean } {
  const { wasm } = backend;
  const pad = 16; // floats of canary either side of C
  const bytes = 4 * (a.length + b.length + m * n + 2 * pad) + 64;
  const base = wasm._malloc(bytes);
  try {
    const ap = base;
    const bp = ap + 4 * a.length;
    const cp = bp + 4 * b.length + 4 * pad;
    const heap = () => new Float32Array(wasm.HEAPU8.buffer);
    heap().set(a, ap / 4);
    heap().set(b, bp / 4);
    heap().fill(-7, cp / 4 - pad, cp / 4 + m * n + pad);
    if (opts.c0 !== undefined) heap().set(opts.c0, cp / 4);
    const [rsa, csa] = opts.transA ? [1, m] : [k, 1];
    gemmFor(wasm)(ap, bp, cp, m, n, k, rsa, csa, n, n, opts.c0 === undefined ? 0 : 1);
    const h = heap();
    const c = h.slice(cp / 4, cp / 4 + m * n);
    const before = h.subarray(cp / 4 - pad, cp / 4);
    const after = h.subarray(cp / 4 + m * n, cp / 4 + m * n + pad);
    return { c, canaryOk: [...before, ...after].every((v) => v === -7) };
  } finally {
    wasm._free(base);
  }
}

describe('wasm SIMD gemm kernel', () => {
  it('ships the bytes its source assembles to (run generate.ts after editing gemm-wat.ts)', async () => {
    expect(Buffer.from(await assembleGemm(false)).toString('base64')).toBe(GEMM_WASM_BASE64.plain);
    expect(Buffer.from(await assembleGemm(true)).toString('base64')).toBe(GEMM_WASM_BASE64.shared);
  });

  test.each([
    // Every block shape and edge: 4×8 blocks, 4×4, 1×8, 1×4 and scalar columns, rows that are not a multiple of 4.
    [4, 8, 3],
    [4, 4, 5],
    [1, 8, 2],
    [1, 4, 7],
    [1, 1, 1],
    [3, 3, 3],
    [5, 13, 9],
    [64, 64, 32],
    [17, 29, 41],
    [128, 96, 1],
  ])('m %i, n %i, k %i matches the float64 triple loop and writes only C', (m, n, k) => {
    const a = randomArray(m * k, m * 100 + n);
    const b = randomArray(k * n, k * 100 + n);
    const { c, canaryOk } = runGemm(a, b, m, n, k);
    expectClose(c, reference(a, b, m, n, k), 1e-5, 1e-5);
    expect(canaryOk).toBe(true);
  });

  test.each([
    [4, 8, 3],
    [5, 13, 9],
    [128, 128, 64],
    [3, 1, 17],
  ])('transposed A (strides 1, m): m %i, n %i, k %i equals the product with Aᵀ', (m, n, k) => {
    const at = randomArray(k * m, m * 7 + k); // stored [k, m]
    const b = randomArray(k * n, n * 5 + k);
    const { c, canaryOk } = runGemm(at, b, m, n, k, { transA: true });
    expectClose(c, reference(transpose(at, k, m), b, m, n, k), 1e-5, 1e-5);
    expect(canaryOk).toBe(true);
  });

  test.each([
    [4, 8, 3],
    [5, 13, 9],
    [2, 3, 0],
  ])('accumulate = 1 adds the product to C: m %i, n %i, k %i', (m, n, k) => {
    const a = randomArray(m * k, 3);
    const b = randomArray(k * n, 4);
    const c0 = randomArray(m * n, 5);
    const { c, canaryOk } = runGemm(a, b, m, n, k, { c0 });
    expectClose(
      c,
      Float64Array.from(reference(a, b, m, n, k), (v, i) => v + c0[i]!),
      1e-5,
      1e-5,
    );
    expect(canaryOk).toBe(true);
  });

  it('k = 0 gives zeros; m = 0 or n = 0 writes nothing', () => {
    expect(Array.from(runGemm(new Float32Array(0), new Float32Array(0), 2, 5, 0).c)).toEqual(Array(10).fill(0));
    expect(runGemm(new Float32Array(0), randomArray(12, 1), 0, 4, 3).canaryOk).toBe(true);
    expect(runGemm(randomArray(6, 1), new Float32Array(0), 2, 0, 3).canaryOk).toBe(true);
  });

  it('propagates ±Infinity and NaN like IEEE arithmetic', () => {
    const a = Float32Array.from([1, Number.POSITIVE_INFINITY, 2, 3]); // [2, 2]
    const b = Float32Array.from([1, 0, 1, Number.NaN, 0, 0, 0, 1]); // [2, 4]
    const c = runGemm(a, b, 2, 4, 2).c;
    expect(Array.from(c)).toEqual(Array.from(reference(a, b, 2, 4, 2), (v) => Math.fround(v)));
  });

  it('property: any m, n, k up to 40, A transposed or not, overwrite or accumulate, agrees with the reference and stays inside C', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 1 << 20 }),
        fc.boolean(),
        fc.boolean(),
        (m, n, k, seed, transA, accumulate) => {
          const a = randomArray(m * k, seed); // [m, k], or [k, m] when transA
          const b = randomArray(k * n, seed + 1);
          const c0 = accumulate ? randomArray(m * n, seed + 2) : undefined;
          const { c, canaryOk } = runGemm(a, b, m, n, k, { transA, c0 });
          const want = reference(transA ? transpose(a, k, m) : a, b, m, n, k);
          if (c0 !== undefined) for (let i = 0; i < want.length; i++) want[i]! += c0[i]!;
          expectClose(c, want, 1e-5, 1e-5);
          expect(canaryOk).toBe(true);
        },
      ),
      { numRuns: 60, seed: 11 },
    );
  });
});

describe('the MoE row and element-wise loops of the same module', () => {
  /** Copies arrays onto the heap, runs `fn` with their byte offsets, returns the heap contents afterwards. */
  function onHeap(arrays: Array<Float32Array | Int32Array>, fn: (ptrs: number[]) => void): Float32Array[] {
    const { wasm } = backend;
    const ptrs = arrays.map((a) => wasm._malloc(Math.max(4, 4 * a.length)));
    try {
      arrays.forEach((a, i) => {
        if (a instanceof Int32Array) new Int32Array(wasm.HEAPU8.buffer, ptrs[i], a.length).set(a);
        else new Float32Array(wasm.HEAPU8.buffer, ptrs[i], a.length).set(a);
      });
      fn(ptrs);
      return arrays.map((a, i) => new Float32Array(wasm.HEAPU8.buffer, ptrs[i], a.length).slice());
    } finally {
      for (const p of ptrs) wasm._free(p);
    }
  }

  const dims = fc.record({
    n: fc.integer({ min: 1, max: 9 }),
    k: fc.integer({ min: 1, max: 3 }),
    d: fc.integer({ min: 1, max: 13 }),
    seed: fc.nat(1000),
  });
  /** A permutation of the n·k slots (any order is valid input for the row loops). */
  const orderOf = (n: number, k: number, seed: number) =>
    Int32Array.from({ length: n * k }, (_, i) => i).sort((a, b) => ((a * 7919 + seed) % 97) - ((b * 7919 + seed) % 97));

  it('gather_rows, scatter_rows (weighted and not) and dy_rows equal plain loops', () => {
    const loops = moeLoopsFor(backend.wasm);
    fc.assert(
      fc.property(dims, ({ n, k, d, seed }) => {
        const m = n * k;
        const order = orderOf(n, k, seed);
        const x = randomArray(n * d, seed);
        const y = randomArray(m * d, seed + 1);
        const w = randomArray(m, seed + 2);
        const out0 = randomArray(n * d, seed + 3);
        const [, gathered] = onHeap([x, new Float32Array(m * d), order], ([px, pxs, po]) =>
          loops.gatherRows(px!, pxs!, po!, m, k, d),
        );
        const [, weighted] = onHeap([y, out0, order, w], ([py, pout, po, pw]) =>
          loops.scatterRows(py!, pout!, po!, pw!, m, k, d),
        );
        const [, plain] = onHeap([y, out0, order], ([py, pout, po]) => loops.scatterRows(py!, pout!, po!, 0, m, k, d));
        const dy = randomArray(n * d, seed + 4);
        const dw0 = randomArray(m, seed + 5);
        const res = onHeap([dy, y, w, order, new Float32Array(m * d), dw0], ([pdy, py, pw, po, pdys, pdw]) =>
          loops.dyRows(pdy!, py!, pw!, po!, pdys!, pdw!, m, k, d),
        );
        const wantGather = new Float32Array(m * d);
        const wantWeighted = Float64Array.from(out0);
        const wantPlain = Float64Array.from(out0);
        const wantDys = new Float64Array(m * d);
        const wantDw = Float64Array.from(dw0);
        order.forEach((slot, r) => {
          const t = Math.floor(slot / k);
          for (let j = 0; j < d; j++) {
            wantGather[r * d + j] = x[t * d + j]!;
            wantWeighted[t * d + j]! += w[slot]! * y[r * d + j]!;
            wantPlain[t * d + j]! += y[r * d + j]!;
            wantDys[r * d + j] = w[slot]! * dy[t * d + j]!;
            wantDw[slot]! += y[r * d + j]! * dy[t * d + j]!;
          }
        });
        expectClose(gathered!, wantGather, 0, 0);
        expectClose(weighted!, wantWeighted, 1e-5, 1e-5);
        expectClose(plain!, wantPlain, 1e-5, 1e-5);
        expectClose(res[4]!, wantDys, 1e-6, 1e-6);
        expectClose(res[5]!, wantDw, 1e-5, 1e-5);
      }),
      { numRuns: 60, seed: 3 },
    );
  });

  it('swiglu_fwd, swiglu_bwd and transpose equal plain loops (lengths not a multiple of 4)', () => {
    const loops = moeLoopsFor(backend.wasm);
    for (const len of [1, 3, 4, 7, 33]) {
      const g = randomArray(len, len).map((v) => 4 * v);
      const s = g.map((v) => 1 / (1 + Math.exp(-v)));
      const u = randomArray(len, len + 1);
      const dh = randomArray(len, len + 2);
      const [, , , h] = onHeap([g, s, u, new Float32Array(len)], ([pg, ps, pu, ph]) =>
        loops.swigluForward(pg!, ps!, pu!, ph!, len),
      );
      expectClose(
        h!,
        Float64Array.from(g, (gi, i) => gi * s[i]! * u[i]!),
        1e-6,
        1e-6,
      );
      const out = onHeap([g, s, u, dh, new Float32Array(len), new Float32Array(len)], ([pg, ps, pu, pdh, phid, pdg]) =>
        loops.swigluBackward(pg!, ps!, pu!, pdh!, phid!, pdg!, len),
      );
      const silu = Float64Array.from(g, (gi, i) => gi * s[i]!);
      expectClose(
        out[4]!,
        Float64Array.from(silu, (v, i) => v * u[i]!),
        1e-6,
        1e-6,
      );
      expectClose(
        out[5]!,
        Float64Array.from(g, (gi, i) => dh[i]! * u[i]! * s[i]! * (1 + gi - silu[i]!)),
        1e-5,
        1e-5,
      );
      expectClose(
        out[3]!,
        Float64Array.from(silu, (v, i) => dh[i]! * v),
        1e-6,
        1e-6,
      );
    }
    const [rows, cols] = [5, 7];
    const src = randomArray(rows * cols, 9);
    const [, dst] = onHeap([src, new Float32Array(rows * cols)], ([ps, pd]) => loops.transpose(ps!, pd!, rows, cols));
    expectClose(dst!, transpose(src, rows, cols), 0, 0);
  });
});
