/**
 * The LM head + per-token statistics of `nn/token-stats.ts` as two wasm kernels that never hold a `[N, V]` tensor:
 * `R1LmHead` (forward) gives each row's log p(target) and entropy, `R1LmHeadGrad` their gradients w.r.t. the hidden
 * states and the `[V, D]` head. Both walk the vocabulary in blocks of `vocabBlock` entries (and the rows in blocks of
 * `rowBlock`): a block's logits `Zᵀ = W_b · Hᵀ` (laid out `[vb, ld]`, vocabulary down and rows across, so the SIMD
 * loops work on four rows per f32x4 with no horizontal reductions) come from our gemm straight off the head, with no
 * transpose of W; the softmax statistics and their gradient are loops of our wasm module (`lmBlockStats`,
 * `lmBlockDz` in `gemm/gemm-wat.ts`, with a vectorised exp); the backward products `dW_b = dZᵀ_b · H` and
 * `dH += dZ_b · W_b` are two more gemm calls per block, run together (the pool splits them over its threads). A block
 * is ~1 MiB, so the products work out of cache. With z = (h·Wᵀ)/τ:
 *
 *   logp = z[target] − lse,  H = lse − Σ p·z,  ∂/∂z of (gl·logp + ge·H) = gl·(onehot − p) − ge·p·(log p + H)
 *
 * The forward pass keeps a running max, Σ e^(z − max) and Σ e^(z − max)(z − max) per row, combined across blocks
 * in float64 on the host. It also returns each row's log-sum-exp (`[N]`) for the backward pass, which recomputes the
 * logits block by block instead of storing them. Float32 only; `attrs.targets` are host ints in [0, V).
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { ptrOf, type WasmBackend } from '../wasm-internals';
import { heapFloats, lmHeadLoopsFor } from './gemm/gemm';
import { gemmBatch } from './gemm/pool';

export const LM_HEAD = 'R1LmHead';
export const LM_HEAD_GRAD = 'R1LmHeadGrad';

/** Default blocking: 1024 rows × 256 vocabulary entries (1 MiB of logits, what the products run fastest on). */
export const LM_HEAD_ROW_BLOCK = 1024;
export const LM_HEAD_VOCAB_BLOCK = 256;

export interface LmHeadAttrs {
  /** Target id of each of the N rows, in [0, V). */
  targets: Int32Array;
  /** 1 / temperature. */
  invTemp: number;
  /** Rows per block (≥ 1). */
  rowBlock: number;
  /** Vocabulary entries per block (≥ 1). */
  vocabBlock: number;
}

/**
 * Row stride of a logits block: rows rounded up to 4 (a lane group), plus 8 when that is a multiple of 64 — a stride
 * of a large power of two bytes makes the column walks of the loops and the gemm alias in the L1 cache (measured:
 * 1024 rows took the `dH` product from 40 to 27 GFLOP/s).
 */
export function laneStride(rows: number): number {
  const ld = Math.ceil(rows / 4) * 4;
  return ld % 64 === 0 ? ld + 8 : ld;
}

interface Plan {
  n: number;
  d: number;
  vocab: number;
  rowBlock: number;
  vocabBlock: number;
  inv: number;
  targets: Int32Array;
}

function planOf(name: string, h: TensorInfo, w: TensorInfo, attrs: LmHeadAttrs, others: TensorInfo[]): Plan {
  for (const t of [h, w, ...others])
    if (t.dtype !== 'float32') throw new Error(`${name}: float32 only, got a ${t.dtype} input of shape [${t.shape}]`);
  const [n, d] = h.shape as [number, number];
  const [vocab, dw] = w.shape as [number, number];
  if (dw !== d) throw new Error(`${name}: hidden [${h.shape}] and head [${w.shape}] disagree on D`);
  if (attrs.targets.length !== n) throw new Error(`${name}: ${attrs.targets.length} targets for ${n} rows`);
  for (const b of [attrs.rowBlock, attrs.vocabBlock])
    if (!Number.isInteger(b) || b < 1) throw new Error(`${name}: blocks must be integers ≥ 1, got ${b}`);
  return {
    n,
    d,
    vocab,
    rowBlock: Math.min(attrs.rowBlock, Math.max(1, n)),
    vocabBlock: Math.min(attrs.vocabBlock, vocab),
    inv: attrs.invTemp,
    targets: attrs.targets,
  };
}

/**
 * One heap allocation carved into float arrays (byte offsets, each a multiple of 16 past the start). The views are
 * made after the allocation, since allocating may grow (and replace) the heap's buffer.
 */
class Arena {
  readonly base: number;
  private next: number;
  constructor(
    private readonly backend: WasmBackend,
    floats: number,
  ) {
    this.base = backend.wasm._malloc(4 * floats + 16);
    this.next = Math.ceil(this.base / 16) * 16;
  }
  take(floats: number): number {
    const at = this.next;
    this.next += 4 * Math.ceil(floats / 4) * 4;
    return at;
  }
  release(): void {
    this.backend.wasm._free(this.base);
  }
}

/** Per row chunk: Hᵀ `[D, ld]` (zero lanes past the rows) and, per vocabulary block, the rows whose target is in it. */
interface Chunk {
  r0: number;
  rows: number;
  ld: number;
  /** `first[b]`: a row (chunk-relative) with its target in block b, −1 if none; `next[i]` the following one. */
  first: Int32Array;
  next: Int32Array;
}

function* chunks(plan: Plan, f32: Float32Array, hIndex: number, ht: number): Generator<Chunk> {
  const { n, d, rowBlock, vocabBlock, targets } = plan;
  const blocks = Math.ceil(plan.vocab / vocabBlock);
  for (let r0 = 0; r0 < n; r0 += rowBlock) {
    const rows = Math.min(rowBlock, n - r0);
    const ld = laneStride(rows);
    const t0 = ht / 4;
    f32.fill(0, t0, t0 + d * ld);
    for (let i = 0; i < rows; i++) {
      const src = hIndex + (r0 + i) * d;
      for (let c = 0; c < d; c++) f32[t0 + c * ld + i] = f32[src + c]!;
    }
    const first = new Int32Array(blocks).fill(-1);
    const next = new Int32Array(rows);
    for (let i = rows - 1; i >= 0; i--) {
      const b = Math.floor(targets[r0 + i]! / vocabBlock);
      next[i] = first[b]!;
      first[b] = i;
    }
    yield { r0, rows, ld, first, next };
  }
}

function checkTargets(name: string, plan: Plan): void {
  for (const t of plan.targets)
    if (!(Number.isInteger(t) && t >= 0 && t < plan.vocab))
      throw new Error(`${name}: target ${t} outside the vocabulary [0, ${plan.vocab})`);
}

function forward(args: { inputs: object; backend: unknown; attrs?: NamedAttrMap }): TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { h, w } = args.inputs as Record<'h' | 'w', TensorInfo>;
  const plan = planOf(LM_HEAD, h, w, args.attrs as unknown as LmHeadAttrs, []);
  checkTargets(LM_HEAD, plan);
  const { n, d, vocab, vocabBlock, inv, targets } = plan;
  const stats = backend.makeOutput([n, 2], 'float32');
  const lse = backend.makeOutput([n], 'float32');
  if (n === 0) return [stats, lse];
  const ldMax = laneStride(plan.rowBlock);
  const arena = new Arena(backend, d * ldMax + vocabBlock * ldMax + 3 * ldMax + 20);
  try {
    const ht = arena.take(d * ldMax);
    const z = arena.take(vocabBlock * ldMax);
    const [bm, sb, tb] = [arena.take(ldMax), arena.take(ldMax), arena.take(ldMax)] as [number, number, number];
    const loops = lmHeadLoopsFor(backend.wasm);
    const batch = gemmBatch(backend.wasm);
    const f32 = heapFloats(backend.wasm);
    const wPtr = ptrOf(backend, w);
    const [statsAt, lseAt] = [ptrOf(backend, stats) / 4, ptrOf(backend, lse) / 4];
    for (const { r0, rows, ld, first, next } of chunks(plan, f32, ptrOf(backend, h) / 4, ht)) {
      const m = new Float64Array(rows).fill(Number.NEGATIVE_INFINITY);
      const s = new Float64Array(rows);
      const t = new Float64Array(rows);
      const picked = new Float64Array(rows);
      for (let v0 = 0, b = 0; v0 < vocab; v0 += vocabBlock, b++) {
        const vb = Math.min(vocabBlock, vocab - v0);
        batch.push(wPtr + 4 * v0 * d, ht, z, vb, ld, d, d, 1, ld, ld, 0);
        batch.run();
        loops.blockStats(z, vb, ld, inv, bm, sb, tb);
        for (let i = 0; i < rows; i++) {
          const bmax = f32[bm / 4 + i]!;
          let mi = m[i]!;
          if (bmax > mi) {
            // rescale what the earlier blocks summed to the new maximum (nothing to rescale on the first block)
            if (s[i]! > 0) {
              const a = Math.exp(mi - bmax);
              t[i] = a * (t[i]! + (mi - bmax) * s[i]!);
              s[i] = a * s[i]!;
            }
            m[i] = mi = bmax;
          }
          const e = Math.exp(bmax - mi);
          const sbi = f32[sb / 4 + i]!;
          s[i] = s[i]! + e * sbi;
          t[i] = t[i]! + e * (f32[tb / 4 + i]! + (bmax - mi) * sbi);
        }
        for (let i = first[b]!; i >= 0; i = next[i]!) picked[i] = f32[z / 4 + (targets[r0 + i]! - v0) * ld + i]! * inv;
      }
      for (let i = 0; i < rows; i++) {
        const logS = Math.log(s[i]!);
        const l = m[i]! + logS;
        f32[lseAt + r0 + i] = l;
        f32[statsAt + 2 * (r0 + i)] = picked[i]! - l;
        f32[statsAt + 2 * (r0 + i) + 1] = logS - t[i]! / s[i]!;
      }
    }
  } catch (error) {
    for (const o of [stats, lse]) backend.disposeData(o.dataId);
    throw error;
  } finally {
    arena.release();
  }
  return [stats, lse];
}

function backward(args: { inputs: object; backend: unknown; attrs?: NamedAttrMap }): TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { dy, h, w, lse, stats } = args.inputs as Record<'dy' | 'h' | 'w' | 'lse' | 'stats', TensorInfo>;
  const plan = planOf(LM_HEAD_GRAD, h, w, args.attrs as unknown as LmHeadAttrs, [dy, lse, stats]);
  checkTargets(LM_HEAD_GRAD, plan);
  const { n, d, vocab, vocabBlock, inv, targets } = plan;
  const dh = backend.makeOutput([n, d], 'float32');
  const dw = backend.makeOutput([vocab, d], 'float32');
  const dwPtr = ptrOf(backend, dw);
  if (n === 0) {
    heapFloats(backend.wasm).fill(0, dwPtr / 4, dwPtr / 4 + vocab * d);
    return [dh, dw];
  }
  const ldMax = laneStride(plan.rowBlock);
  const arena = new Arena(backend, d * ldMax + vocabBlock * ldMax + 4 * ldMax + 20);
  try {
    const ht = arena.take(d * ldMax);
    const z = arena.take(vocabBlock * ldMax);
    const lanes = [arena.take(ldMax), arena.take(ldMax), arena.take(ldMax), arena.take(ldMax)];
    const [lseL, entL, glL, geL] = lanes as [number, number, number, number];
    const loops = lmHeadLoopsFor(backend.wasm);
    const batch = gemmBatch(backend.wasm);
    const f32 = heapFloats(backend.wasm);
    const [hPtr, wPtr, dhPtr] = [ptrOf(backend, h), ptrOf(backend, w), ptrOf(backend, dh)];
    const [dyAt, lseAt, statsAt] = [dy, lse, stats].map((t) => ptrOf(backend, t) / 4) as [number, number, number];
    for (const { r0, rows, ld, first, next } of chunks(plan, f32, hPtr / 4, ht)) {
      for (const p of lanes) f32.fill(0, p / 4, p / 4 + ld);
      for (let i = 0; i < rows; i++) {
        f32[lseL / 4 + i] = f32[lseAt + r0 + i]!;
        f32[entL / 4 + i] = f32[statsAt + 2 * (r0 + i) + 1]!;
        f32[glL / 4 + i] = f32[dyAt + 2 * (r0 + i)]!;
        f32[geL / 4 + i] = f32[dyAt + 2 * (r0 + i) + 1]!;
      }
      for (let v0 = 0, b = 0; v0 < vocab; v0 += vocabBlock, b++) {
        const vb = Math.min(vocabBlock, vocab - v0);
        batch.push(wPtr + 4 * v0 * d, ht, z, vb, ld, d, d, 1, ld, ld, 0);
        batch.run();
        loops.blockDz(z, vb, ld, inv, lseL, entL, glL, geL);
        for (let i = first[b]!; i >= 0; i = next[i]!)
          f32[z / 4 + (targets[r0 + i]! - v0) * ld + i]! += inv * f32[glL / 4 + i]!;
        // dW_b (+)= dZᵀ_b · H_chunk, dH_chunk (+)= dZ_b · W_b (dZ_b read transposed: rsa 1, csa ld)
        batch.push(z, hPtr + 4 * r0 * d, dwPtr + 4 * v0 * d, vb, d, rows, ld, 1, d, d, r0 > 0 ? 1 : 0);
        batch.push(z, wPtr + 4 * v0 * d, dhPtr + 4 * r0 * d, rows, d, vb, 1, ld, d, d, v0 > 0 ? 1 : 0);
        batch.run();
      }
    }
  } catch (error) {
    for (const o of [dh, dw]) backend.disposeData(o.dataId);
    throw error;
  } finally {
    arena.release();
  }
  return [dh, dw];
}

export const lmHeadConfig: KernelConfig = {
  kernelName: LM_HEAD,
  backendName: 'wasm',
  kernelFunc: forward as unknown as KernelFunc,
};

export const lmHeadGradConfig: KernelConfig = {
  kernelName: LM_HEAD_GRAD,
  backendName: 'wasm',
  kernelFunc: backward as unknown as KernelFunc,
};
