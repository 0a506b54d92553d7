/**
 * `R1DecodeAttention`: one decode step of grouped-query attention for one new token per row, against a KV cache
 * that is written in place. Composed from tfjs ops a step is ~25 kernels per layer (split-heads transposes, RoPE's
 * matmul and element-wise ops for q and k, two concatenations that copy the whole cache, two batched matmuls, scale,
 * bias, softmax, the merge transpose); here it is one: RoPE on q and k, k and v stored into slot `length − 1` of the
 * cache, then attention over the first `length` slots: three SIMD wasm loops (`gemm/attention-wat.ts`).
 *
 * Inputs (float32): `q` `[B, H·hd]`, `k`, `v` `[B, Hkv·hd]` (projections without their bias, which this adds:
 * `qBias` `[H·hd]`, `kBias`, `vBias` `[Hkv·hd]`), `cos`, `sin`
 * (`B·hd` floats: each row's angles, `ropeAngles` with one head and one position), `bias` (`B·length` floats, the
 * additive key mask), `keys`, `values` `[B, Hkv, cap, hd]` with cap ≥ length. Attrs: `heads`, `length`.
 * Output: `[B, H·hd]`, heads merged (o_proj's input).
 *
 * **It writes into `keys` and `values`**, which tfjs treats as immutable: only `KVCache` may pass them, on buffers
 * it allocated itself and shares with no other tensor (`KVCache.reserve`). `hd` must be a multiple of 4.
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { ptrOf, sizeOf, type WasmBackend } from '../wasm-internals';
import { attentionLoopsFor } from './gemm/gemm';

export const DECODE_ATTENTION = 'R1DecodeAttention';

export interface DecodeAttentionAttrs {
  heads: number;
  length: number;
}

interface KernelArgs {
  inputs: object;
  backend: unknown;
  attrs?: NamedAttrMap;
}

type Inputs = Record<
  'q' | 'k' | 'v' | 'qBias' | 'kBias' | 'vBias' | 'cos' | 'sin' | 'bias' | 'keys' | 'values',
  TensorInfo
>;

function decodeAttention(args: KernelArgs): TensorInfo {
  const backend = args.backend as WasmBackend;
  const t = args.inputs as Inputs;
  const { heads, length } = args.attrs as unknown as DecodeAttentionAttrs;
  const [rows, kvHeads, cap, hd] = t.keys.shape as [number, number, number, number];
  const fail = (why: string) => {
    throw new Error(`${DECODE_ATTENTION}: ${why}`);
  };
  for (const x of Object.values(t)) if (x.dtype !== 'float32') fail(`float32 only, got ${x.dtype} [${x.shape}]`);
  if (t.keys.shape.length !== 4 || t.values.shape.some((d, i) => d !== t.keys.shape[i]))
    fail(`keys [${t.keys.shape}] and values [${t.values.shape}] must be one [B, Hkv, cap, hd] shape`);
  if (hd % 4 !== 0 || heads % kvHeads !== 0 || !(length >= 1 && length <= cap))
    fail(`needs hd % 4 = 0, Hkv | H and 1 ≤ length ≤ cap; got hd ${hd}, H ${heads}, Hkv ${kvHeads}, ${length}/${cap}`);
  const expect = (x: TensorInfo, n: number, what: string) => {
    if (sizeOf(x.shape) !== n) fail(`${what} [${x.shape}] should hold ${n} floats`);
  };
  expect(t.q, rows * heads * hd, 'q');
  expect(t.k, rows * kvHeads * hd, 'k');
  expect(t.v, rows * kvHeads * hd, 'v');
  expect(t.qBias, heads * hd, 'qBias');
  expect(t.kBias, kvHeads * hd, 'kBias');
  expect(t.vBias, kvHeads * hd, 'vBias');
  expect(t.cos, rows * hd, 'cos');
  expect(t.sin, rows * hd, 'sin');
  expect(t.bias, rows * length, 'bias');

  const out = backend.makeOutput([rows, heads * hd], 'float32');
  const scratch = backend.wasm._malloc(4 * (rows * heads * hd + ((length + 3) & ~3))); // roped q, then the scores
  try {
    const p = (x: TensorInfo) => ptrOf(backend, x);
    const loops = attentionLoopsFor(backend.wasm);
    const slot = 4 * (length - 1) * hd;
    loops.rope(p(t.q), p(t.qBias), scratch, p(t.cos), p(t.sin), rows, heads, hd, hd);
    loops.rope(p(t.k), p(t.kBias), p(t.keys) + slot, p(t.cos), p(t.sin), rows, kvHeads, hd, cap * hd);
    loops.biasHeads(p(t.v), p(t.vBias), p(t.values) + slot, rows, kvHeads, hd, cap * hd);
    const scores = scratch + 4 * rows * heads * hd;
    loops.decode(
      scratch,
      p(t.keys),
      p(t.values),
      p(t.bias),
      p(out),
      scores,
      rows,
      heads,
      kvHeads,
      cap,
      length,
      hd,
      1 / Math.sqrt(hd),
    );
  } finally {
    backend.wasm._free(scratch);
  }
  return out;
}

export const decodeAttentionConfig: KernelConfig = {
  kernelName: DECODE_ATTENTION,
  backendName: 'wasm',
  kernelFunc: decodeAttention as unknown as KernelFunc,
};
