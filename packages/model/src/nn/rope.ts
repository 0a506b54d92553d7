/**
 * Rotary position embeddings in Hugging Face's `rotate_half` convention (Qwen2, Llama): the head dimension is split
 * into halves (x1, x2) and rotated as `(x1·cos − x2·sin, x2·cos + x1·sin)` with frequencies
 * `θ^(−2i/hd)`, i < hd/2. Angles are computed on the host per position (in float64, then rounded), so arbitrary
 * per-row position ids (left padding, KV-cache offsets) cost nothing extra and no `[max_positions, hd]` table is kept.
 * Does not handle RoPE scaling variants (YaRN, NTK); the config rejects them.
 */
import * as tf from '@tensorflow/tfjs';

/** cos and sin of every (row, position, frequency), `[B, 1, T, hd/2]`, ready to broadcast over heads. */
export interface RopeAngles {
  cos: tf.Tensor4D;
  sin: tf.Tensor4D;
}

/** Angles for `positions` (`[B, T]` row-major on the host). */
export function ropeAngles(
  positions: Int32Array,
  batch: number,
  time: number,
  headDim: number,
  theta: number,
): RopeAngles {
  const half = headDim / 2;
  const invFreq = new Float64Array(half);
  for (let i = 0; i < half; i++) invFreq[i] = 1 / theta ** ((2 * i) / headDim);
  const cos = new Float32Array(batch * time * half);
  const sin = new Float32Array(batch * time * half);
  for (let r = 0; r < batch * time; r++) {
    const pos = positions[r]!;
    for (let i = 0; i < half; i++) {
      const a = pos * invFreq[i]!;
      cos[r * half + i] = Math.cos(a);
      sin[r * half + i] = Math.sin(a);
    }
  }
  return { cos: tf.tensor4d(cos, [batch, 1, time, half]), sin: tf.tensor4d(sin, [batch, 1, time, half]) };
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
