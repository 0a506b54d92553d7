/**
 * Per-token log-probability of a target and entropy of the next-token distribution, straight from final hidden
 * states and the LM head, without ever holding the full `[N, V]` logits (or a log-softmax of them): rows are
 * processed in chunks, and the backward pass (a `tf.customGrad`) recomputes each chunk's logits instead of keeping
 * them on the tape. Peak extra memory is one chunk of `[rows, V]` logits plus its softmax.
 *
 * With temperature τ: `z = (h·Wᵀ)/τ`, `logp = z[target] − logsumexp(z)`, `H = logsumexp(z) − Σ p·z`.
 * Gradients (per row, g = upstream): `∂logp/∂z = onehot(target) − p`, `∂H/∂z = −p ⊙ (log p + H)`.
 * It does not apply masks or reduce over tokens: callers do.
 *
 * Where the backend has the fused kernels (`R1LmHead` / `R1LmHeadGrad`, registered for wasm by our kernel pack, see
 * `backend/kernels/lm-head.ts`) the whole thing is two kernel calls that walk the vocabulary in small blocks with our
 * gemm and SIMD loops (`chunkRows` does not apply there: a block is at most `blocks.rows × blocks.vocab` logits,
 * 1 MiB by default). Other backends (cpu, tfjs-node) compose tfjs ops as below; both compute the same thing.
 */
import * as tf from '@tensorflow/tfjs';
import {
  LM_HEAD,
  LM_HEAD_GRAD,
  LM_HEAD_ROW_BLOCK,
  LM_HEAD_VOCAB_BLOCK,
  type LmHeadAttrs,
} from '../backend/kernels/lm-head';

export interface TokenStatsOptions {
  /** Softmax temperature τ > 0. */
  temperature: number;
  /** Rows per chunk (≥ 1) of the composed path. */
  chunkRows: number;
  /** Blocking of the fused kernel (rows × vocabulary entries per block); defaults 1024 × 256. For tests. */
  blocks?: { rows: number; vocab: number };
}

/** Whether the active backend has the fused LM-head kernels. */
function fusedAvailable(): boolean {
  const backend = tf.getBackend();
  return tf.getKernel(LM_HEAD, backend) !== undefined && tf.getKernel(LM_HEAD_GRAD, backend) !== undefined;
}

/** The fused path: one kernel forward, one backward; the forward's log-sum-exp per row is saved for the backward. */
function fusedTokenStats(h: tf.Tensor2D, w: tf.Tensor2D, attrs: LmHeadAttrs): tf.Tensor2D {
  const engine = tf.engine();
  const named = attrs as unknown as tf.NamedAttrMap;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [hh, ww, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    const [stats, lse] = engine.runKernel(LM_HEAD, { h: hh, w: ww }, named) as [tf.Tensor2D, tf.Tensor1D];
    save([hh, ww, lse, stats]);
    return {
      value: stats,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [hs, ws, lses, statss] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D];
        return engine.runKernel(LM_HEAD_GRAD, { dy, h: hs, w: ws, lse: lses, stats: statss }, named) as tf.Tensor[];
      },
    };
  });
  return op(h, w) as tf.Tensor2D;
}

/** About this many logits per chunk by default (16 MiB of float32). */
export const DEFAULT_CHUNK_LOGITS = 4 * 1024 * 1024;

/** Default rows per chunk for vocabulary size `vocab`. */
export function defaultChunkRows(vocab: number): number {
  return Math.max(1, Math.floor(DEFAULT_CHUNK_LOGITS / vocab));
}

interface ChunkForward {
  z: tf.Tensor2D; // [c, V] tempered logits
  lse: tf.Tensor2D; // [c, 1]
  p: tf.Tensor2D; // [c, V]
  entropy: tf.Tensor2D; // [c, 1]
}

function chunkForward(h: tf.Tensor2D, w: tf.Tensor2D, invTemp: number): ChunkForward {
  const logits = tf.matMul(h, w, false, true) as tf.Tensor2D;
  const z = invTemp === 1 ? logits : (tf.mul(logits, invTemp) as tf.Tensor2D);
  const lse = tf.logSumExp(z, 1, true) as tf.Tensor2D;
  const p = tf.exp(tf.sub(z, lse)) as tf.Tensor2D;
  // Σ p·(lse − z), a sum of non-negative terms: lse − Σ p·z is the same number but cancels to slightly below zero
  // (−2e-6) on peaked rows with large logits.
  const entropy = tf.sum(tf.mul(p, tf.sub(lse, z)), 1, true) as tf.Tensor2D;
  return { z, lse, p, entropy };
}

/**
 * `h` `[N, D]` final hidden states, `w` `[V, D]` LM head (HF layout), `targets` `[N]` host ints in [0, V)
 * → `[N, 2]`: column 0 log p(target), column 1 entropy (nats). Differentiable in `h` and `w`.
 */
export function tokenStats(h: tf.Tensor2D, w: tf.Tensor2D, targets: Int32Array, opts: TokenStatsOptions): tf.Tensor2D {
  const [n] = h.shape;
  const vocab = w.shape[0];
  if (targets.length !== n) throw new Error(`tokenStats: ${targets.length} targets for ${n} rows`);
  if (!(opts.temperature > 0) || !Number.isFinite(opts.temperature)) {
    throw new Error(`temperature must be a finite number > 0, got ${opts.temperature}`);
  }
  if (!Number.isInteger(opts.chunkRows) || opts.chunkRows < 1) {
    throw new Error(`chunkRows must be an integer ≥ 1, got ${opts.chunkRows}`);
  }
  const invTemp = 1 / opts.temperature;
  if (fusedAvailable() && h.dtype === 'float32' && w.dtype === 'float32') {
    return fusedTokenStats(h, w, {
      targets,
      invTemp,
      rowBlock: opts.blocks?.rows ?? LM_HEAD_ROW_BLOCK,
      vocabBlock: opts.blocks?.vocab ?? LM_HEAD_VOCAB_BLOCK,
    });
  }
  const rows = opts.chunkRows;
  const chunks: Array<[number, number]> = [];
  for (let r = 0; r < n; r += rows) chunks.push([r, Math.min(rows, n - r)]);
  const slice = (x: tf.Tensor2D, start: number, size: number) =>
    chunks.length === 1 ? x : tf.slice(x, [start, 0], [size, x.shape[1]]);

  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [hh, ww, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    save([hh, ww]);
    const parts = chunks.map(([start, size]) =>
      tf.tidy(() => {
        const f = chunkForward(slice(hh, start, size), ww, invTemp);
        const flat = new Int32Array(size);
        for (let i = 0; i < size; i++) flat[i] = i * vocab + targets[start + i]!;
        const picked = tf.reshape(tf.gather(tf.reshape(f.z, [size * vocab]), tf.tensor1d(flat, 'int32')), [size, 1]);
        return tf.concat([tf.sub(picked, f.lse), f.entropy], 1);
      }),
    );
    const value: tf.Tensor = parts.length === 1 ? parts[0]! : tf.concat(parts, 0);
    if (parts.length > 1) for (const p of parts) p.dispose();
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const g = dy as tf.Tensor2D; // [N, 2]
        const [hs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
        let dw: tf.Tensor2D | null = null;
        const dhParts: tf.Tensor2D[] = [];
        for (const [start, size] of chunks) {
          const [dhc, dwc] = tf.tidy(() => {
            const hc = slice(hs, start, size);
            const f = chunkForward(hc, ws, invTemp);
            const gc = slice(g, start, size);
            const gLogp = tf.slice(gc, [0, 0], [size, 1]);
            const gEnt = tf.slice(gc, [0, 1], [size, 1]);
            const onehot = tf.oneHot(tf.tensor1d(targets.subarray(start, start + size), 'int32'), vocab);
            const logp = tf.sub(f.z, f.lse);
            // dL/dz, then × 1/τ for dL/d(h·Wᵀ)
            const dzLogp = tf.mul(gLogp, tf.sub(onehot, f.p));
            const dzEnt = tf.mul(tf.neg(gEnt), tf.mul(f.p, tf.add(logp, f.entropy)));
            let dz = tf.add(dzLogp, dzEnt) as tf.Tensor2D;
            if (invTemp !== 1) dz = tf.mul(dz, invTemp);
            return [tf.matMul(dz, ws), tf.matMul(dz, hc, true, false)] as [tf.Tensor2D, tf.Tensor2D];
          });
          dhParts.push(dhc);
          if (dw === null) dw = dwc;
          else {
            const sum: tf.Tensor2D = tf.add(dw, dwc);
            dw.dispose();
            dwc.dispose();
            dw = sum;
          }
        }
        const dh = dhParts.length === 1 ? dhParts[0]! : tf.concat(dhParts, 0);
        if (dhParts.length > 1) for (const p of dhParts) p.dispose();
        return [dh, dw!];
      },
    };
  });
  return op(h, w) as tf.Tensor2D;
}
