/**
 * The relaxed-SIMD (FMA) variant of the gemm: shipped bytes match the source, it computes the plain kernel's
 * products to float32 rounding (property over shapes and strides), and `R1_WASM_RELAXED_SIMD` is parsed strictly.
 * Node 20 accepts relaxed SIMD only behind a V8 flag; this file turns it on for its own process (vitest runs each
 * file in its own fork), as `useRelaxedSimd` does by default.
 */
import { setFlagsFromString } from 'node:v8';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomArray } from '../../test-utils/on-backend';
import { assembleGemm } from './assemble';
import { type Gemm, relaxedSimdValidates, useRelaxedSimd } from './gemm';
import { GEMM_WASM_BASE64 } from './gemm-binary';

interface WasmApi {
  Memory: new (d: { initial: number }) => { buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const memory = new wasmApi.Memory({ initial: 64 });
let plain: Gemm;
let relaxed: Gemm;

beforeAll(() => {
  if (!relaxedSimdValidates()) setFlagsFromString('--experimental-wasm-relaxed-simd');
  const make = (b64: string) =>
    new wasmApi.Instance(new wasmApi.Module(Buffer.from(b64, 'base64')), { env: { memory } }).exports.gemm as Gemm;
  plain = make(GEMM_WASM_BASE64.plain);
  relaxed = make(GEMM_WASM_BASE64.plainRelaxed);
});

/** C = A·B by `gemm` on the test heap: A [m, k] (or stored [k, m] when transposed), B [k, n]. */
function run(gemm: Gemm, m: number, n: number, k: number, transposeA: boolean, seed: number): Float32Array {
  const f = new Float32Array(memory.buffer);
  const [a, b, c] = [0, 64 * 1024, 128 * 1024]; // float offsets
  f.set(randomArray(m * k, seed), a);
  f.set(randomArray(k * n, seed + 1), b);
  const [rsa, csa] = transposeA ? [1, m] : [k, 1];
  gemm(4 * a, 4 * b, 4 * c, m, n, k, rsa, csa, n, n, 0);
  return f.slice(c, c + m * n);
}

describe('relaxed-SIMD gemm', () => {
  it('ships the bytes its source assembles to', async () => {
    expect(Buffer.from(await assembleGemm(false, true)).toString('base64')).toBe(GEMM_WASM_BASE64.plainRelaxed);
    expect(Buffer.from(await assembleGemm(true, true)).toString('base64')).toBe(GEMM_WASM_BASE64.sharedRelaxed);
  });

  it('property: the same products as the plain kernel, to float32 rounding', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 37 }),
        fc.integer({ min: 1, max: 37 }),
        fc.integer({ min: 1, max: 70 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 1000 }),
        (m, n, k, transposeA, seed) => {
          const want = run(plain, m, n, k, transposeA, seed);
          const got = run(relaxed, m, n, k, transposeA, seed);
          for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-5 * k);
        },
      ),
      { numRuns: 60, seed: 3 },
    );
  });

  it('R1_WASM_RELAXED_SIMD: 0 is off, 1 and unset are on (the flag is on), anything else is an error', () => {
    expect(useRelaxedSimd({ R1_WASM_RELAXED_SIMD: '0' })).toBe(false);
    expect(useRelaxedSimd({ R1_WASM_RELAXED_SIMD: '1' })).toBe(true);
    expect(useRelaxedSimd({})).toBe(true);
    expect(() => useRelaxedSimd({ R1_WASM_RELAXED_SIMD: 'yes' })).toThrow(/must be 0 or 1, got "yes"/);
  });
});
