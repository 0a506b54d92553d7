import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { chooseToken, softmaxPass, type TokenChoiceParams } from '../logits';
import { createRng } from '../rng';
import { chooseTokenBySort } from '../test-utils/reference-logits';
import { assembleSoftmax } from './assemble';
import { expInWasm, loadRow, samplerThreads, THREAD_MIN } from './softmax';
import { SOFTMAX_WASM_BASE64 } from './softmax-binary';

/** `chooseToken`'s JS pass 2 (no penalty): the numbers the kernel must reproduce bit for bit. */
function jsSoftmax(row: Float32Array, max: number, t: number, tModel: number, maxModel: number) {
  const probs = new Float64Array(row.length);
  return { probs, ...softmaxPass(row, probs, max, t, tModel, maxModel) };
}

function jsMax(row: Float32Array): { max: number; nan: boolean } {
  let max = Number.NEGATIVE_INFINITY;
  let nan = false;
  for (const w of row) {
    if (w > max) max = w;
    else if (Number.isNaN(w)) nan = true;
  }
  return { max, nan };
}

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let bad = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) bad++;
  return a.length === b.length ? bad : -1;
}

const kernel = loadRow(new Float32Array(1)) !== null;

test('the shipped bytes are the assembled source', async () => {
  expect(Buffer.from(await assembleSoftmax()).toString('base64')).toBe(SOFTMAX_WASM_BASE64);
});

test('this engine runs the kernel (node 20 has WebAssembly SIMD and threads)', () => {
  expect(kernel).toBe(true);
});

describe('exp: fdlibm, as V8 computes Math.exp, bit for bit', () => {
  test('table: every branch of e_exp.c and the lanes’ range edges', () => {
    const f64 = (hi: number, lo = 0) => new Float64Array(new Uint32Array([lo, hi]).buffer)[0]!;
    const edges = [
      0,
      -0,
      1,
      -1,
      0.5,
      -0.5,
      Number.MIN_VALUE,
      -Number.MIN_VALUE,
      2 ** -28,
      -(2 ** -28),
      2 ** -29,
      -(2 ** -29),
      Math.LN2 / 2,
      -Math.LN2 / 2,
      1.5 * Math.LN2,
      -1.5 * Math.LN2,
      708,
      -708,
      708.0000001,
      -708.0000001,
      709.78,
      709.79,
      -745.13,
      -745.14,
      -1000,
      1000,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      Infinity,
      -Infinity,
      Number.NaN,
      // High words at fdlibm's thresholds and either side of them.
      ...[0x3e300000, 0x3fd62e42, 0x3fd62e43, 0x3ff0a2b2, 0x40862000, 0x40862e42].flatMap((hi) => [
        f64(hi),
        f64(hi - 1, 0xffffffff),
        f64(hi, 1),
        -f64(hi),
        -f64(hi - 1, 0xffffffff),
        -f64(hi, 1),
      ]),
    ];
    // Pair each edge with every other in one call, so each lands in both lanes beside a fast and a slow partner.
    const values = Float64Array.from(edges.flatMap((a) => edges.flatMap((b) => [a, b])));
    expect(sameBits(expInWasm(values)!, values.map(Math.exp))).toBe(0);
  });

  test('a million values over the whole range', () => {
    const rng = createRng(7);
    const values = Float64Array.from({ length: 1_000_000 }, (_, i) => {
      const r = rng();
      if (i % 4 === 0) return r * 1500 - 750;
      if (i % 4 === 1) return -40 * r;
      if (i % 4 === 2) return 4 * r - 2;
      return (r - 0.5) * 1e-7;
    });
    expect(sameBits(expInWasm(values)!, values.map(Math.exp))).toBe(0);
  });

  test('fast-check: any double', () => {
    fc.assert(
      fc.property(fc.array(fc.double(), { minLength: 1, maxLength: 9 }), (xs) => {
        const values = Float64Array.from(xs);
        expect(sameBits(expInWasm(values)!, values.map(Math.exp))).toBe(0);
      }),
    );
  });
});

describe('the row passes equal the JS loops bit for bit', () => {
  const logitRow = (n: number, seed: number, scale: number) => {
    const rng = createRng(seed);
    return Float32Array.from({ length: n }, () => (rng() * 2 - 1) * scale);
  };

  test.each([
    [1, 1],
    [2, 3],
    [7, 0.6],
    [1001, 0.6],
    [THREAD_MIN - 1, 0.6],
    [THREAD_MIN + 3, 0.6],
    [151_936, 0.6],
    [151_936, 1],
    [151_937, 0.35],
  ])('a row of %i at T %f (sampling and model log-normaliser, T and raw)', (n, t) => {
    const row = logitRow(n, n, 12);
    const w = loadRow(row)!;
    const { max, nan } = w.max();
    expect({ max, nan }).toEqual(jsMax(row));
    for (const tModel of [t, 1]) {
      const maxModel = max / tModel;
      const want = jsSoftmax(row, max, t, tModel, maxModel);
      const got = w.softmax(max, t, tModel, maxModel, true);
      expect(sameBits(got.probs, want.probs)).toBe(0);
      expect(Object.is(got.total, want.total)).toBe(true);
      expect(Object.is(got.modelSum, want.modelSum)).toBe(true);
    }
    const noModel = w.softmax(max, t, t, max / t, false);
    expect(Object.is(noModel.total, jsSoftmax(row, max, t, t, max / t).total)).toBe(true);
    expect(noModel.modelSum).toBe(0);
    for (const floor of [max, max - 1, -Infinity, Infinity, Number.NaN, 0]) {
      const want = [...row.keys()].filter((i) => row[i]! >= floor);
      expect([...w.atLeast(floor)]).toEqual(want);
    }
  });

  test('fast-check: rows with NaN, infinities, zeros and huge values', () => {
    const logit = fc.oneof(
      fc.float({ noDefaultInfinity: false, noNaN: false }),
      fc.constantFrom(0, -0, Number.NaN, Infinity, -Infinity, 3.4e38, -3.4e38, 1e-45),
      fc.float({ min: -20, max: 20, noNaN: true }),
    );
    fc.assert(
      fc.property(fc.array(logit, { minLength: 1, maxLength: 40 }), fc.constantFrom(0.6, 1, 0.01, 7), (values, t) => {
        const row = Float32Array.from(values);
        const w = loadRow(row)!;
        const js = jsMax(row);
        const got = w.max();
        expect(got.nan).toBe(js.nan);
        // Equal as numbers; a zero maximum's sign may differ (chooseToken then takes the JS pass).
        expect(got.max === js.max || (Number.isNaN(got.max) && Number.isNaN(js.max))).toBe(true);
        const max = js.max;
        for (const tModel of [t, 1]) {
          const want = jsSoftmax(row, max, t, tModel, max / tModel);
          const s = w.softmax(max, t, tModel, max / tModel, true);
          expect(sameBits(s.probs, want.probs)).toBe(0);
          expect(Object.is(s.total, want.total)).toBe(true);
          expect(Object.is(s.modelSum, want.modelSum)).toBe(true);
        }
        const floor = Number.isFinite(max) ? max - 1 : 0;
        expect([...w.atLeast(floor)]).toEqual([...row.keys()].filter((i) => row[i]! >= floor));
      }),
    );
  });
});

test('chooseToken at 151,936 logits (threaded softmax) picks what the full sort picks, bit for bit', () => {
  const none = new Set<number>();
  const base: TokenChoiceParams = {
    temperature: 0.6,
    topK: 0,
    topP: 0.95,
    minP: 0,
    repetitionPenalty: 1,
    logprobsMode: 'temperature',
  };
  const rng = createRng(3);
  for (const [i, params] of [
    base,
    { ...base, logprobsMode: 'raw' as const },
    { ...base, topP: 1 },
    { ...base, temperature: 1.3, logprobsMode: 'processed' as const },
  ].entries()) {
    const row = Float32Array.from({ length: 151_936 }, () => 4 * (rng() - 0.5));
    for (let k = 0; k < 50; k++) row[Math.floor(rng() * row.length)] = 10 - k * 0.1 * (i + 1);
    const got = chooseToken(row, params, none, createRng(i));
    const want = chooseTokenBySort(row, params, none, createRng(i));
    expect(got.token).toBe(want.token);
    expect(Object.is(got.logprob, want.logprob)).toBe(true);
  }
});

test('R1_SAMPLER_THREADS: a positive integer, or the cores up to 4', () => {
  expect(samplerThreads({ R1_SAMPLER_THREADS: '3' })).toBe(3);
  expect(samplerThreads({})).toBeGreaterThanOrEqual(1);
  expect(samplerThreads({})).toBeLessThanOrEqual(4);
  for (const bad of ['0', '-1', '1.5', 'two', '65'])
    expect(() => samplerThreads({ R1_SAMPLER_THREADS: bad })).toThrow(/R1_SAMPLER_THREADS must be an integer/);
});
