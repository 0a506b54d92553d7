/**
 * Rotary position embeddings in Hugging Face's `rotate_half` convention (Qwen2, Llama): the head dimension is split
 * into halves (x1, x2) and rotated as `(x1·cos − x2·sin, x2·cos + x1·sin)` with frequencies
 * `θ^(−2i/hd)`, i < hd/2. Angles are computed on the host per position (in float64, then rounded), so arbitrary
 * per-row position ids (left padding, KV-cache offsets) cost nothing extra and no `[max_positions, hd]` table is kept.
 * Does not handle RoPE scaling variants (YaRN, NTK); the config rejects them.
 */
import * as tf from '@tensorflow/tfjs';

/** cos and sin of every (row, head, position, frequency), `[B, heads, T, hd/2]`. */
export interface RopeAngles {
  cos: tf.Tensor4D;
  sin: tf.Tensor4D;
}

/**
 * Angles for `positions` (`[B, T]` row-major on the host), replicated over `heads` on the host: the wasm backend
 * multiplies equal shapes ~4× faster than broadcast ones, and the replication is a memcpy. `heads = 1` gives
 * `[B, 1, T, hd/2]`, which broadcasts over any head count.
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
  const block = time * half; // one (row, head) slab
  const cos = new Float32Array(batch * heads * block);
  const sin = new Float32Array(batch * heads * block);
  for (let b = 0; b < batch; b++) {
    const base = b * heads * block;
    for (let t = 0; t < time; t++) {
      const pos = positions[b * time + t]!;
      for (let i = 0; i < half; i++) {
        const a = pos * invFreq[i]!;
        cos[base + t * half + i] = Math.cos(a);
        sin[base + t * half + i] = Math.sin(a);
      }
    }
    for (let h = 1; h < heads; h++) {
      cos.copyWithin(base + h * block, base, base + block);
      sin.copyWithin(base + h * block, base, base + block);
    }
  }
  const shape: [number, number, number, number] = [batch, heads, time, half];
  return { cos: tf.tensor4d(cos, shape), sin: tf.tensor4d(sin, shape) };
}

/** Rotates `x` `[B, H, T, hd]` by `angles`. */
export function applyRope(x: tf.Tensor4D, angles: RopeAngles): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, t, hd] = x.shape;
    const half = hd / 2;
    const x1 = tf.slice(x, [0, 0, 0, 0], [b, h, t, half]);
    const x2 = tf.slice(x, [0, 0, 0, half], [b, h, t, half]);
    const { cos, sin } = angles;
    return tf.concat(
      [tf.sub(tf.mul(x1, cos), tf.mul(x2, sin)), tf.add(tf.mul(x2, cos), tf.mul(x1, sin))],
      3,
    ) as tf.Tensor4D;
  });
}
