/**
 * `R1Attention` / `R1AttentionGrad`: the core of a full-sequence (training or prefill) grouped-query attention block
 * — RoPE on q and k, softmax(q·kᵀ/√hd + bias)·v — as one kernel each way, between the projections. Composed from
 * tfjs ops (`nn/attention.ts`) one block is ~15 kernels forward (split-heads transposes, RoPE's matmul and
 * element-wise ops, two batched matmuls, scale, bias, softmax, the merge transpose) and ~40 backward, most of them
 * element-wise passes that tfjs-wasm runs slowly (broadcasts, transposes); here the per-head products are calls of
 * our gemm (in a batch its pool splits over threads) and what lies between them is four SIMD loops
 * (`gemm/attention-train-wat.ts`).
 *
 * Forward inputs (float32): `q` `[B·T, H·hd]`, `k`, `v` `[B·T, Hkv·hd]` (projections with their biases), `cos`, `sin`
 * `[B, A, T, hd]` (`ropeAngles` with any replicated head count A; head 0 is read), `bias` `[B, 1, T, T]` (the
 * additive mask). Attr `heads` (H). Outputs `[out, qr, kr, vh, p]`: `out` `[B·T, H·hd]` (heads merged, o_proj's
 * input), the roped queries `qr` `[B, H, T, hd]`, the roped keys `kr` and the values `vh` `[B, Hkv, T, hd]` (what a
 * KV cache holds) and the probabilities `p` `[B, H, T, ld]` with `ld` = T rounded up to a multiple of 4 (the padding
 * columns hold 0). The backward pass needs `qr`, `kr`, `vh`, `p`; inference may dispose what it does not keep.
 * Backward inputs: `dy` (d out), `qr`, `kr`, `vh`, `p`, `cos`, `sin`; attr `heads`. Outputs `[dq, dk, dv]` in the
 * layouts of `q`, `k`, `v`.
 *
 * GQA without repeating k/v: query head h uses kv head ⌊h / g⌋ (g = H / Hkv, HF `repeat_kv` order), and a kv head's
 * g query heads are contiguous in the head-major layout, so each product runs once per kv head over g·T rows.
 * `hd` must be a multiple of 8 (RoPE's halves are SIMD vectors). Sums run in float32 in a different order than the
 * composition's, so results agree to float32 rounding, not bit for bit.
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { ptrOf, type WasmBackend } from '../wasm-internals';
import { attentionTrainLoopsFor, moeLoopsFor } from './gemm/gemm';
import { gemmBatch } from './gemm/pool';
import { fillOutputs, zero } from './scratch';

export const ATTENTION = 'R1Attention';
export const ATTENTION_GRAD = 'R1AttentionGrad';

export interface AttentionAttrs {
  heads: number;
}

interface KernelArgs {
  inputs: object;
  backend: unknown;
  attrs?: NamedAttrMap;
}

interface Dims {
  batch: number;
  time: number;
  heads: number;
  kvHeads: number;
  hd: number;
  group: number;
  angleHeads: number;
  /** Row stride of the score matrices: T rounded up to a multiple of 4. */
  ld: number;
}

function dimsOf(name: string, tensors: Record<string, TensorInfo>, heads: number, qName: string): Dims {
  for (const [key, t] of Object.entries(tensors))
    if (t.dtype !== 'float32') throw new Error(`${name}: float32 only, got ${key} ${t.dtype} [${t.shape}]`);
  const cos = tensors.cos!;
  if (cos.shape.length !== 4) throw new Error(`${name}: cos must be [B, A, T, hd], got [${cos.shape}]`);
  const [batch, angleHeads, time, hd] = cos.shape as [number, number, number, number];
  const q = tensors[qName]!;
  const qWidth = sizeAfterFirst(q, batch, time);
  if (!Number.isInteger(heads) || heads < 1 || qWidth !== heads * hd)
    throw new Error(`${name}: ${qName} [${q.shape}] does not hold ${heads} heads of ${hd} for B ${batch}, T ${time}`);
  if (hd % 8 !== 0) throw new Error(`${name}: head dim ${hd} is not a multiple of 8`);
  if (tensors.sin!.shape.join() !== cos.shape.join())
    throw new Error(`${name}: sin [${tensors.sin!.shape}] differs from cos [${cos.shape}]`);
  return { batch, time, heads, kvHeads: 0, hd, group: 0, angleHeads, ld: (time + 3) & ~3 };
}

/** Elements per (b, t) of a `[B·T, W]` or `[B, X, T, hd]` tensor. */
function sizeAfterFirst(t: TensorInfo, batch: number, time: number): number {
  let n = 1;
  for (const d of t.shape) n *= d;
  return batch * time === 0 ? 0 : n / (batch * time);
}

function withKv(name: string, dims: Dims, kvWidth: number, what: string): Dims {
  const kvHeads = kvWidth / dims.hd;
  if (!Number.isInteger(kvHeads) || kvHeads < 1 || dims.heads % kvHeads !== 0)
    throw new Error(`${name}: ${what} holds ${kvWidth / dims.hd} heads of ${dims.hd}; need a divisor of ${dims.heads}`);
  return { ...dims, kvHeads, group: dims.heads / kvHeads };
}

function attention(args: KernelArgs): TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const inputs = args.inputs as Record<'q' | 'k' | 'v' | 'cos' | 'sin' | 'bias', TensorInfo>;
  const { heads } = args.attrs as unknown as AttentionAttrs;
  const { q, k, v, cos, sin, bias } = inputs;
  const base = dimsOf(ATTENTION, inputs, heads, 'q');
  const dims = withKv(ATTENTION, base, sizeAfterFirst(k, base.batch, base.time), 'k');
  const { batch: B, time: T, kvHeads: Hkv, hd, group: g, ld } = dims;
  if (sizeAfterFirst(v, B, T) !== Hkv * hd) throw new Error(`${ATTENTION}: v [${v.shape}] differs from k [${k.shape}]`);
  if (bias.shape.join() !== [B, 1, T, T].join())
    throw new Error(`${ATTENTION}: bias must be [${B}, 1, ${T}, ${T}], got [${bias.shape}]`);
  const out = backend.makeOutput([B * T, heads * hd], 'float32');
  const qr = backend.makeOutput([B, heads, T, hd], 'float32');
  const kr = backend.makeOutput([B, Hkv, T, hd], 'float32');
  const vh = backend.makeOutput([B, Hkv, T, hd], 'float32');
  const p = backend.makeOutput([B, heads, T, ld], 'float32');
  const outputs = [out, qr, kr, vh, p];
  if (B * T === 0) return outputs;
  return fillOutputs(backend, outputs, (scratch) => {
    const ptr = (t: TensorInfo) => ptrOf(backend, t);
    const loops = attentionTrainLoopsFor(backend.wasm);
    const transpose = moeLoopsFor(backend.wasm).transpose;
    const [pcos, psin] = [ptr(cos), ptr(sin)];
    loops.rope(ptr(q), ptr(qr), pcos, psin, B, T, heads, hd, dims.angleHeads, 1, 1);
    loops.rope(ptr(k), ptr(kr), pcos, psin, B, T, Hkv, hd, dims.angleHeads, 1, 1);
    loops.headsCopy(ptr(v), ptr(vh), B, T, Hkv, hd, 1);
    // kᵀ per (b, kv head): the B operand of the scores (the gemm reads B row-major only).
    const kT = scratch.floats(B * Hkv * hd * T);
    const block = T * hd;
    for (let i = 0; i < B * Hkv; i++) transpose(ptr(kr) + 4 * i * block, kT + 4 * i * block, T, hd);
    const batch = gemmBatch(backend.wasm);
    const [pq, pp] = [ptr(qr), ptr(p)];
    for (let b = 0; b < B; b++)
      for (let kv = 0; kv < Hkv; kv++) {
        const h0 = b * heads + kv * g; // first query head of this kv head's group
        batch.push(
          pq + 4 * h0 * block,
          kT + 4 * (b * Hkv + kv) * block,
          pp + 4 * h0 * T * ld,
          g * T,
          T,
          hd,
          hd,
          1,
          T,
          ld,
          0,
        );
      }
    batch.run();
    loops.softmaxForward(pp, ptr(bias), B, heads, T, T, ld, 1 / Math.sqrt(hd));
    const [pv, po] = [ptr(v), ptr(out)];
    for (let b = 0; b < B; b++)
      for (let h = 0; h < heads; h++) {
        const kv = Math.floor(h / g);
        const a = pp + 4 * (b * heads + h) * T * ld;
        const values = pv + 4 * (b * T * Hkv + kv) * hd; // token-major v: row stride Hkv·hd
        batch.push(a, values, po + 4 * (b * T * heads + h) * hd, T, hd, T, ld, 1, Hkv * hd, heads * hd, 0);
      }
    batch.run();
  });
}

function attentionGrad(args: KernelArgs): TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const inputs = args.inputs as Record<'dy' | 'qr' | 'kr' | 'vh' | 'p' | 'cos' | 'sin', TensorInfo>;
  const { heads } = args.attrs as unknown as AttentionAttrs;
  const { dy, qr, kr, vh, p, cos, sin } = inputs;
  const base = dimsOf(ATTENTION_GRAD, inputs, heads, 'dy');
  const dims = withKv(ATTENTION_GRAD, base, sizeAfterFirst(kr, base.batch, base.time), 'kr');
  const { batch: B, time: T, kvHeads: Hkv, hd, group: g, ld } = dims;
  const expect = (t: TensorInfo, what: string, shape: number[]) => {
    if (t.shape.join() !== shape.join())
      throw new Error(`${ATTENTION_GRAD}: ${what} must be [${shape}], got [${t.shape}]`);
  };
  expect(qr, 'qr', [B, heads, T, hd]);
  expect(kr, 'kr', [B, Hkv, T, hd]);
  expect(vh, 'vh', [B, Hkv, T, hd]);
  expect(p, 'p', [B, heads, T, ld]);
  const dq = backend.makeOutput([B * T, heads * hd], 'float32');
  const dk = backend.makeOutput([B * T, Hkv * hd], 'float32');
  const dv = backend.makeOutput([B * T, Hkv * hd], 'float32');
  const outputs = [dq, dk, dv];
  if (B * T === 0) return outputs;
  return fillOutputs(backend, outputs, (scratch) => {
    const ptr = (t: TensorInfo) => ptrOf(backend, t);
    const loops = attentionTrainLoopsFor(backend.wasm);
    const transpose = moeLoopsFor(backend.wasm).transpose;
    const block = T * hd;
    // vᵀ per (b, kv head): the B operand of dP = dO·vᵀ.
    const vT = scratch.floats(B * Hkv * block);
    for (let i = 0; i < B * Hkv; i++) transpose(ptr(vh) + 4 * i * block, vT + 4 * i * block, T, hd);
    const dO = scratch.floats(B * heads * block); // d out, head-major
    loops.headsCopy(ptr(dy), dO, B, T, heads, hd, 1);
    const dS = scratch.floats(B * heads * T * ld);
    if (ld !== T) zero(backend, dS, B * heads * T * ld); // the padding columns must be finite for softmax_bwd
    const [pp, pq, pk, pdv] = [ptr(p), ptr(qr), ptr(kr), ptr(dv)];
    const batch = gemmBatch(backend.wasm);
    for (let b = 0; b < B; b++)
      for (let kv = 0; kv < Hkv; kv++) {
        const h0 = b * heads + kv * g;
        const kvBlock = (b * Hkv + kv) * block;
        // dP = dO·vᵀ over the group's g·T rows.
        batch.push(dO + 4 * h0 * block, vT + 4 * kvBlock, dS + 4 * h0 * T * ld, g * T, T, hd, hd, 1, T, ld, 0);
        // dv = Pᵀ·dO: A is the group's probabilities read transposed (g·T × T stored, T × g·T read).
        batch.push(
          pp + 4 * h0 * T * ld,
          dO + 4 * h0 * block,
          pdv + 4 * (b * T * Hkv + kv) * hd,
          T,
          hd,
          g * T,
          1,
          ld,
          hd,
          Hkv * hd,
          0,
        );
      }
    batch.run();
    loops.softmaxBackward(pp, dS, B * heads * T, ld, 1 / Math.sqrt(hd));
    const dQh = scratch.floats(B * heads * block);
    const dKh = scratch.floats(B * Hkv * block);
    for (let b = 0; b < B; b++)
      for (let kv = 0; kv < Hkv; kv++) {
        const h0 = b * heads + kv * g;
        const kvBlock = (b * Hkv + kv) * block;
        // dq = dS·k, dk = dSᵀ·q (the scores' gradient, scale included).
        batch.push(dS + 4 * h0 * T * ld, pk + 4 * kvBlock, dQh + 4 * h0 * block, g * T, hd, T, ld, 1, hd, hd, 0);
        batch.push(dS + 4 * h0 * T * ld, pq + 4 * h0 * block, dKh + 4 * kvBlock, T, hd, g * T, 1, ld, hd, hd, 0);
      }
    batch.run();
    const [pcos, psin] = [ptr(cos), ptr(sin)];
    loops.rope(dQh, ptr(dq), pcos, psin, B, T, heads, hd, dims.angleHeads, 0, -1);
    loops.rope(dKh, ptr(dk), pcos, psin, B, T, Hkv, hd, dims.angleHeads, 0, -1);
  });
}

export const attentionConfig: KernelConfig = {
  kernelName: ATTENTION,
  backendName: 'wasm',
  kernelFunc: attention as unknown as KernelFunc,
};

export const attentionGradConfig: KernelConfig = {
  kernelName: ATTENTION_GRAD,
  backendName: 'wasm',
  kernelFunc: attentionGrad as unknown as KernelFunc,
};
