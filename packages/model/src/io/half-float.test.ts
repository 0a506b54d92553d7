import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { bf16BitsToF32, decodeBF16, decodeF16, f16BitsToF32 } from './half-float';

// Bit patterns worked out by hand from the IEEE 754 layouts:
// f16 = 1 sign, 5 exponent (bias 15), 10 fraction bits; bf16 = 1 sign, 8 exponent (bias 127), 7 fraction bits.
describe('f16', () => {
  test.each([
    [0x3e00, 1.5], // 0 01111 1000000000 = 1.5 × 2^0
    [0xc000, -2], // 1 10000 0000000000
    [0x7bff, 65504], // largest finite half: (2 − 2^-10) × 2^15
    [0x3c00, 1],
    [0x3555, 0.333251953125], // 1.0101010101b × 2^-2
    [0x0001, 2 ** -24], // smallest subnormal
    [0x03ff, 1023 * 2 ** -24], // largest subnormal
    [0x0400, 2 ** -14], // smallest normal
    [0x0000, 0],
    [0x7c00, Number.POSITIVE_INFINITY],
    [0xfc00, Number.NEGATIVE_INFINITY],
  ])('bits 0x%s decode to %s', (bits, value) => {
    expect(f16BitsToF32(bits)).toBe(value);
    expect(decodeF16(new Uint8Array([bits & 0xff, bits >> 8]))[0]).toBe(value);
  });

  test('negative zero keeps its sign, and both NaN encodings decode to NaN', () => {
    expect(Object.is(f16BitsToF32(0x8000), -0)).toBe(true);
    expect(f16BitsToF32(0x7e00)).toBeNaN();
    expect(f16BitsToF32(0xfe01)).toBeNaN();
  });

  test('the table decoder agrees with the scalar decoder on all 65,536 bit patterns', () => {
    const bytes = new Uint8Array(65536 * 2);
    for (let i = 0; i < 65536; i++) {
      bytes[2 * i] = i & 0xff;
      bytes[2 * i + 1] = i >> 8;
    }
    const all = decodeF16(bytes);
    const mismatches: number[] = [];
    for (let i = 0; i < 65536; i++) if (!Object.is(all[i], Math.fround(f16BitsToF32(i)))) mismatches.push(i);
    expect(mismatches).toEqual([]);
  });

  test('odd byte counts are rejected', () => {
    expect(() => decodeF16(new Uint8Array(3))).toThrow(/F16 data must have an even number of bytes, got 3/);
  });

  test('property: the order of non-negative bit patterns is the order of values; the sign bit negates', () => {
    const finite = fc.integer({ min: 0, max: 0x7bff }); // 0x7c00 is +Infinity, and Inf − Inf is NaN
    fc.assert(
      fc.property(finite, finite, (a, b) => {
        expect(Math.sign(f16BitsToF32(a) - f16BitsToF32(b))).toBe(Math.sign(a - b));
        expect(f16BitsToF32(a | 0x8000)).toBe(-f16BitsToF32(a));
      }),
    );
  });
});

describe('bf16', () => {
  test.each([
    [0x3fc0, 1.5],
    [0xc000, -2],
    [0x477f, 65280], // 65504 is not a bf16 value: its neighbours are 65280 (0x477F) and 65536 (0x4780)
    [0x4780, 65536],
    [0x3dcd, 0.10009765625], // bf16 nearest to 0.1: 1.1001101b × 2^-4
    [0x7f7f, 3.3895313892515355e38], // largest finite
    [0x0001, 2 ** -133], // smallest subnormal: 2^-149 × 2^16
    [0x0080, 2 ** -126], // smallest normal
    [0x7f80, Number.POSITIVE_INFINITY],
    [0xff80, Number.NEGATIVE_INFINITY],
  ])('bits 0x%s decode to %s', (bits, value) => {
    expect(bf16BitsToF32(bits)).toBe(value);
    expect(decodeBF16(new Uint8Array([bits & 0xff, bits >> 8]))[0]).toBe(value);
  });

  test('negative zero and NaN', () => {
    expect(Object.is(bf16BitsToF32(0x8000), -0)).toBe(true);
    expect(bf16BitsToF32(0x7fc0)).toBeNaN();
    expect(decodeBF16(new Uint8Array([0xc1, 0xff]))[0]).toBeNaN();
  });

  test('property: bf16 is the top half of an f32, so decoding equals the f32 with its low 16 bits cleared', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true }), (x) => {
        const f = new Float32Array([x]);
        const u = new Uint32Array(f.buffer);
        const top = u[0]! >>> 16;
        u[0] = (top << 16) >>> 0;
        expect(Object.is(bf16BitsToF32(top), f[0])).toBe(true);
        expect(Object.is(decodeBF16(new Uint8Array([top & 0xff, top >> 8]))[0], f[0])).toBe(true);
      }),
    );
  });
});
