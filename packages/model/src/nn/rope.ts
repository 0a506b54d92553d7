/**
 * Rotary position embeddings in Hugging Face's `rotate_half` convention (Qwen2, Llama): the head dimension is split
 * into halves (x1, x2) and rotated as `(x1·cos − x2·sin, x2·cos + x1·sin)` with frequencies
 * `θ^(−2i/hd)`, i < hd/2. Angles are computed on the host per position (in float64, then rounded), so arbitrary
 * per-row position ids (left padding, KV-cache offsets) cost nothing extra and no `[max_positions, hd]` table is kept.
 * Computed as `x·cos + rotate_half(x)·sin` with `rotate_half(x) = (−x2, x1)` as ONE matmul by a fixed `[hd, hd]`
 * signed permutation and cos/sin laid out over the full head dimension: no split, slice or concat (slow kernels on
 * wasm, which also put pad and split kernels in the backward pass; wasm's `Reverse` is slower still).
 * Does not handle RoPE scaling variants (YaRN, NTK); the config rejects them.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * cos and sin of every (row, head, position, frequency), `[B, heads, T, hd]`: each half holds the hd/2 frequencies,
 * so `cos = [cos θᵢ, cos θᵢ]` and `sin = [sin θᵢ, sin θᵢ]` line up with `x` and `rotate_half(x)`.
 */
export interface RopeAngles {
  cos: tf.Tensor4D;
  sin: tf.Tensor4D;
}

/**
 * Angles for `positions` (`[B, T]` row-major on the host), replicated over `heads` on the host: the wasm backend
 * multiplies equal shapes ~4× faster than broadcast ones, and the replication is a memcpy. `heads = 1` gives
 * `[B, 1, T, hd]`, which broadcasts over any head count.
 */
export function ropeAngles(
  positions: Int32Array,
  batch: number,
  time: number,
  headDim: number,
  theta: number,
  heads = 1,
): RopeAngles {
  const half = headDim / 2;
  const invFreq = new Float64Array(half);
  for (let i = 0; i < half; i++) invFreq[i] = 1 / theta ** ((2 * i) / headDim);
  const block = time * headDim; // one (row, head) slab
  const cos = new Float32Array(batch * heads * block);
  const sin = new Float32Array(batch * heads * block);
  for (let b = 0; b < batch; b++) {
    const base = b * heads * block;
    for (let t = 0; t < time; t++) {
      const pos = positions[b * time + t]!;
      const at = base + t * headDim;
      for (let i = 0; i < half; i++) {
        const a = pos * invFreq[i]!;
        const c = Math.cos(a);
        const s = Math.sin(a);
        cos[at + i] = c;
        cos[at + half + i] = c;
        sin[at + i] = s;
        sin[at + half + i] = s;
      }
    }
    for (let h = 1; h < heads; h++) {
      cos.copyWithin(base + h * block, base, base + block);
      sin.copyWithin(base + h * block, base, base + block);
    }
  }
  const shape: [number, number, number, number] = [batch, heads, time, headDim];
  return { cos: tf.tensor4d(cos, shape), sin: tf.tensor4d(sin, shape) };
}

/**
 * The `[hd, hd]` matrix R with `x·R = rotate_half(x) = (−x2, x1)` for a row `x = (x1, x2)`: `R[i + hd/2][i] = −1`,
 * `R[i][i + hd/2] = 1`. Host-made per call (hd² floats), so no tensor outlives a tidy.
 */
export function rotateHalfMatrix(headDim: number): tf.Tensor2D {
  if (!(Number.isInteger(headDim) && headDim >= 2 && headDim % 2 === 0))
    throw new Error(`rotateHalfMatrix: head_dim must be an even integer ≥ 2, got ${headDim}`);
  const half = headDim / 2;
  const r = new Float32Array(headDim * headDim);
  for (let i = 0; i < half; i++) {
    r[(i + half) * headDim + i] = -1;
    r[i * headDim + i + half] = 1;
  }
  return tf.tensor2d(r, [headDim, headDim]);
}

/** Rotates `x` `[B, H, T, hd]` by `angles`: `(x1·cos − x2·sin, x2·cos + x1·sin)` as `x·cos + (x·R)·sin`. */
export function applyRope(x: tf.Tensor4D, angles: RopeAngles): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, t, hd] = x.shape;
    const rows = tf.reshape(x, [b * h * t, hd]) as tf.Tensor2D;
    const rotated = tf.reshape(tf.matMul(rows, rotateHalfMatrix(hd)), [b, h, t, hd]);
    return tf.add(tf.mul(x, angles.cos), tf.mul(rotated, angles.sin)) as tf.Tensor4D;
  });
}
