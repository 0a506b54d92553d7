import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openSafetensors, parseSafetensors, readSafetensors } from './safetensors-read';
import { encodeSafetensors, type WritableTensor, writeSafetensors } from './safetensors-write';
import { rawSafetensors, u16le } from './test-utils/raw-safetensors';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'r1-safetensors-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const shapeArb = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 3 });
const tensorsArb = fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), shapeArb), {
  selector: ([name]) => name,
  maxLength: 5,
});

function bitsOf(a: Float32Array): number[] {
  return [...new Uint32Array(a.buffer, a.byteOffset, a.length)];
}

describe('F32 round trip', () => {
  test('property: encode → parse gives back every name, shape and bit pattern (NaN payloads, −0, inf included)', () => {
    fc.assert(
      fc.property(tensorsArb, fc.integer(), (specs, seed) => {
        const tensors = new Map<string, WritableTensor>();
        let s = seed;
        for (const [name, shape] of specs) {
          if (name === '__metadata__') continue;
          const n = shape.reduce((a, d) => a * d, 1);
          const bits = new Uint32Array(n).map(() => {
            s = (Math.imul(s, 1103515245) + 12345) | 0;
            return s >>> 0;
          });
          tensors.set(name, { shape, data: new Float32Array(bits.buffer) });
        }
        const bytes = encodeSafetensors(tensors, { format: 'pt', note: 'x' });
        const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
        expect(headerLength % 8).toBe(0);
        const back = parseSafetensors(bytes);
        expect(back.metadata).toEqual({ format: 'pt', note: 'x' });
        // Order is by data offset; empty tensors share offsets, so compare names as sets.
        expect([...back.tensors.keys()].sort()).toEqual([...tensors.keys()].sort());
        for (const [name, t] of tensors) {
          const got = back.tensors.get(name)!;
          expect(got.dtype).toBe('float32');
          expect(got.shape).toEqual(t.shape);
          expect(bitsOf(got.data as Float32Array)).toEqual(bitsOf(t.data as Float32Array));
        }
      }),
      { numRuns: 50 },
    );
  });

  test('through a file: lazy (async) sources, int32 tensors, and reading one tensor at a time', async () => {
    const path = join(dir, 'round.safetensors');
    const w = new Float32Array([1, -2.5, 3e-40, Number.POSITIVE_INFINITY, -0, 6]);
    await writeSafetensors(
      path,
      new Map<string, WritableTensor>([
        ['a.weight', { shape: [2, 3], data: async () => w }],
        ['b.ids', { shape: [3], dtype: 'int32', data: new Int32Array([7, -1, 2147483647]) }],
        ['scalar', { shape: [], data: new Float32Array([0.5]) }],
        ['empty', { shape: [0, 4], data: new Float32Array(0) }],
      ]),
    );
    const file = await openSafetensors(path);
    try {
      expect([...file.header.tensors.keys()]).toEqual(['a.weight', 'b.ids', 'scalar', 'empty']);
      expect(file.header.dataStart % 8).toBe(0);
      const ids = await file.read('b.ids');
      expect(ids).toEqual({ dtype: 'int32', shape: [3], data: new Int32Array([7, -1, 2147483647]) });
      const a = await file.read('a.weight');
      expect(a.shape).toEqual([2, 3]);
      expect(bitsOf(a.data as Float32Array)).toEqual(bitsOf(w));
      await expect(file.read('nope')).rejects.toThrow(
        /round\.safetensors: no tensor named "nope" \(the file has 4: a\.weight/,
      );
    } finally {
      await file.close();
    }
    const all = await readSafetensors(path);
    expect(all.tensors.get('scalar')).toEqual({ dtype: 'float32', shape: [], data: new Float32Array([0.5]) });
    expect(all.tensors.get('empty')!.shape).toEqual([0, 4]);
  });

  test('writer rejects bad input before touching the file', async () => {
    const path = join(dir, 'bad-write.safetensors');
    await expect(
      writeSafetensors(path, new Map([['x', { shape: [2, 2], data: new Float32Array(3) }]])),
    ).rejects.toThrow(/tensor "x": shape \[2, 2\] needs 4 values, got 3/);
    await expect(
      writeSafetensors(path, new Map([['x', { shape: [1], dtype: 'int32', data: new Float32Array(1) }]])),
    ).rejects.toThrow(/tensor "x": data must be a Int32Array for dtype int32/);
    expect(() => encodeSafetensors(new Map([['x', { shape: [-1], data: new Float32Array(0) }]]))).toThrow(
      /tensor "x": shape \[-1\] must be non-negative integers/,
    );
    expect(() => encodeSafetensors(new Map([['__metadata__', { shape: [0], data: new Float32Array(0) }]]))).toThrow(
      /"__metadata__" is not a valid tensor name/,
    );
  });
});

describe('reading other dtypes (hand-computed bytes)', () => {
  // F16: 1.5 = 0x3E00, −2 = 0xC000, 65504 = 0x7BFF (max half), 2^-24 = 0x0001 (smallest subnormal), +inf 0x7C00, NaN 0x7E00.
  // BF16: 1.5 = 0x3FC0, −2 = 0xC000, 65280 = 0x477F, 2^-133 = 0x0001 (smallest subnormal), −inf 0xFF80, NaN 0x7FC0.
  const f16 = u16le([0x3e00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x7e00]);
  const bf16 = u16le([0x3fc0, 0xc000, 0x477f, 0x0001, 0xff80, 0x7fc0]);
  const i64 = [5, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]; // 5, −2
  const i32 = [0xff, 0xff, 0xff, 0x7f]; // 2^31 − 1
  const u8 = [0, 200];
  const boolBytes = [1, 0];
  const data = [...f16, ...bf16, ...i64, ...i32, ...u8, ...boolBytes];
  let at = 0;
  const range = (n: number) => {
    at += n;
    return [at - n, at];
  };
  const header = {
    __metadata__: { format: 'pt' },
    h: { dtype: 'F16', shape: [2, 3], data_offsets: range(12) },
    b: { dtype: 'BF16', shape: [6], data_offsets: range(12) },
    l: { dtype: 'I64', shape: [2], data_offsets: range(16) },
    i: { dtype: 'I32', shape: [1], data_offsets: range(4) },
    u: { dtype: 'U8', shape: [2], data_offsets: range(2) },
    t: { dtype: 'BOOL', shape: [2], data_offsets: range(2) },
  };
  const bytes = rawSafetensors(header, data);

  test('F16 and BF16 upcast exactly to float32', () => {
    const { tensors } = parseSafetensors(bytes);
    const h = tensors.get('h')!;
    expect(h.dtype).toBe('float32');
    expect(h.shape).toEqual([2, 3]);
    expect([...h.data]).toEqual([1.5, -2, 65504, 2 ** -24, Number.POSITIVE_INFINITY, Number.NaN]);
    expect([...tensors.get('b')!.data]).toEqual([1.5, -2, 65280, 2 ** -133, Number.NEGATIVE_INFINITY, Number.NaN]);
  });

  test('integers come back as int32', () => {
    const { tensors } = parseSafetensors(bytes);
    expect(tensors.get('l')).toEqual({ dtype: 'int32', shape: [2], data: new Int32Array([5, -2]) });
    expect(tensors.get('i')!.data).toEqual(new Int32Array([2147483647]));
    expect(tensors.get('u')!.data).toEqual(new Int32Array([0, 200]));
    expect(tensors.get('t')!.data).toEqual(new Int32Array([1, 0]));
  });

  test('the same bytes read from a file give the same tensors', async () => {
    const path = join(dir, 'mixed.safetensors');
    await writeFile(path, bytes);
    const fromFile = await readSafetensors(path);
    expect(fromFile).toEqual(parseSafetensors(bytes));
  });

  test('an I64 value outside int32 and an F8 tensor fail naming the tensor', () => {
    const big = rawSafetensors({ ids: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, [0, 0, 0, 0, 1, 0, 0, 0]);
    expect(() => parseSafetensors(big, 'big.safetensors')).toThrow(
      'big.safetensors: tensor "ids": element 0 = 4294967296 does not fit in int32',
    );
    const f8 = rawSafetensors({ q: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, [0]);
    expect(() => parseSafetensors(f8, 'f8.safetensors')).toThrow(
      /f8\.safetensors: tensor "q": dtype F8_E4M3 is not supported/,
    );
  });
});

describe('corrupt files give errors naming the file and tensor', () => {
  const good = { w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const eight = [0, 0, 128, 63, 0, 0, 0, 64];
  const lengthPrefix = (n: bigint) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, n, true);
    return b;
  };
  test.each<[string, Uint8Array, RegExp]>([
    ['empty file', new Uint8Array(0), /f\.st: not a safetensors file: it has 0 bytes/],
    ['length prefix only', lengthPrefix(16n), /f\.st: header length prefix says 16 bytes but only 0 bytes follow it/],
    ['absurd length prefix', lengthPrefix(2n ** 60n), /header length prefix says \d+ bytes but the limit is 100000000/],
    [
      'truncated data',
      rawSafetensors(good, eight).subarray(0, -3),
      /tensor "w": data_offsets \[0, 8\) run past the end of the data buffer \(5 bytes\); the file is truncated/,
    ],
    [
      'trailing bytes',
      rawSafetensors(good, [...eight, 1, 2]),
      /tensors cover 8 bytes of data but the file holds 10 after the header \(trailing bytes\)/,
    ],
    ['header not JSON', rawSafetensors({}, []).fill(0x7b, 8), /f\.st: header is not valid JSON/],
    [
      'header an array',
      (() => {
        const b = rawSafetensors({}, []);
        b.set(new TextEncoder().encode('[]'), 8);
        return b;
      })(),
      /header must be a JSON object of tensors, got an array/,
    ],
    [
      'unknown dtype',
      rawSafetensors({ w: { dtype: 'F17', shape: [2], data_offsets: [0, 8] } }, eight),
      /tensor "w": unknown dtype "F17"; expected one of BOOL, U8/,
    ],
    [
      'shape × dtype ≠ range',
      rawSafetensors({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, eight),
      /tensor "w": shape \[3\] × F32 \(4 bytes\) needs 12 bytes but data_offsets \[0, 8\) hold 8/,
    ],
    [
      'bad shape',
      rawSafetensors({ w: { dtype: 'F32', shape: [2.5], data_offsets: [0, 8] } }, eight),
      /tensor "w": shape must be an array of non-negative integers, got \[2\.5\]/,
    ],
    [
      'bad offsets',
      rawSafetensors({ w: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, eight),
      /tensor "w": data_offsets must be \[begin, end\] with 0 ≤ begin ≤ end, got \[8,0\]/,
    ],
    [
      'overlap',
      rawSafetensors(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
        },
        eight,
      ),
      /tensor "b" bytes \[4, 8\) overlap tensor "a" \(which ends at 8\)/,
    ],
    [
      'hole',
      rawSafetensors({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, eight),
      /bytes \[0, 4\) of the data buffer belong to no tensor \(hole before "a"\)/,
    ],
    ['metadata not strings', rawSafetensors({ __metadata__: { step: 3 } }, []), /__metadata__\.step must be a string/],
  ])('%s', (_, bytes, message) => {
    expect(() => parseSafetensors(bytes, 'f.st')).toThrow(message);
  });

  test('a truncated file on disk is refused by openSafetensors with its path', async () => {
    const path = join(dir, 'cut.safetensors');
    const full = encodeSafetensors(new Map([['w', { shape: [4], data: new Float32Array(4) }]]));
    await writeFile(path, full.subarray(0, full.length - 1));
    await expect(openSafetensors(path)).rejects.toThrow(`${path}: tensor "w": data_offsets [0, 16) run past the end`);
    await writeFile(path, full.subarray(0, 5));
    await expect(readSafetensors(path)).rejects.toThrow(`${path}: not a safetensors file: it has 5 bytes`);
  });

  test('property: any truncation or single-byte corruption either parses or throws an Error naming the file', () => {
    const full = encodeSafetensors(
      new Map<string, WritableTensor>([
        ['model.embed_tokens.weight', { shape: [3, 2], data: new Float32Array([1, 2, 3, 4, 5, 6]) }],
        ['lm_head.weight', { shape: [3, 2], data: new Float32Array(6) }],
      ]),
    );
    fc.assert(
      fc.property(fc.nat(full.length), fc.nat(full.length - 1), fc.integer({ min: 0, max: 255 }), (cut, at, byte) => {
        for (const bytes of [full.subarray(0, cut), full.slice().fill(byte, at, at + 1)]) {
          try {
            parseSafetensors(bytes, 'prop.st');
          } catch (e) {
            expect(e).toBeInstanceOf(Error);
            expect((e as Error).message.startsWith('prop.st')).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
