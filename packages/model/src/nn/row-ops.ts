/**
 * Row gather and weighted row scatter-add as custom ops with host-side kernels — the data movement of MoE dispatch.
 *
 * Why not `tf.gather` / `tf.unsortedSegmentSum`: on the wasm backend tfjs's Gather kernel moves ~3 M floats/s
 * (75 ms for 2048 rows × 128 here; measured in this module's benchmark notes), more than the expert matmuls it feeds,
 * and UnsortedSegmentSum (gather's gradient) is missing from stock wasm. Copying rows on the host is a memcpy-speed
 * loop, and routing already syncs with the host (top-k). On GPU backends a host round trip would cost more — none is
 * supported here.
 *
 * - `gatherRows(x, rows)`: `out[m] = x[rows[m]]`; gradient: `dx[rows[m]] += dy[m]`.
 * - `combineRows(parts, scale, slots, k, n)`: `out[⌊s/k⌋] += scale[s] · part[m]` for each part row m with slot s;
 *   gradients: `dpart[m] = scale[s] · dy[⌊s/k⌋]`, `dscale[s] = part[m] · dy[⌊s/k⌋]`.
 * Both are float32 only and take host index arrays (they are routing decisions, not tensors on the tape).
 */
import * as tf from '@tensorflow/tfjs';

function checkRows(rows: Int32Array, n: number, what: string): void {
  for (const r of rows) {
    if (!(r >= 0 && r < n)) throw new Error(`${what}: row index ${r} is out of range [0, ${n})`);
  }
}

/** Host kernel: `out[m] = x[rows[m]]`, `x` `[n, d]` row-major. */
function gatherHost(x: Float32Array, rows: Int32Array, d: number): Float32Array {
  const out = new Float32Array(rows.length * d);
  for (let m = 0; m < rows.length; m++) out.set(x.subarray(rows[m]! * d, rows[m]! * d + d), m * d);
  return out;
}

/** Host kernel: `out[rows[m]] += y[m]` into a zeroed `[n, d]`. */
function scatterAddHost(y: Float32Array, rows: Int32Array, n: number, d: number): Float32Array {
  const out = new Float32Array(n * d);
  for (let m = 0; m < rows.length; m++) {
    const o = rows[m]! * d;
    const s = m * d;
    for (let j = 0; j < d; j++) out[o + j]! += y[s + j]!;
  }
  return out;
}

/** `x` `[n, d]` → `[rows.length, d]` with `out[m] = x[rows[m]]`; differentiable in `x`. */
export function gatherRows(x: tf.Tensor2D, rows: Int32Array): tf.Tensor2D {
  const [n, d] = x.shape;
  checkRows(rows, n, 'gatherRows');
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as tf.Tensor2D;
    const value = tf.tensor2d(gatherHost(input.dataSync() as Float32Array, rows, d), [rows.length, d]);
    return {
      value,
      gradFunc: (dy: tf.Tensor) => tf.tensor2d(scatterAddHost(dy.dataSync() as Float32Array, rows, n, d), [n, d]),
    };
  });
  return op(x) as tf.Tensor2D;
}

/**
 * Weighted scatter-add of expert outputs back to tokens. `parts[e]` `[slots[e].length, d]` holds the rows computed
 * for the (token, slot) pairs `slots[e]` (flat `n·k + j`); `scale` `[n·k, 1]` holds every pair's weight.
 * Returns `[n, d]`; differentiable in every part and in `scale`.
 */
export function combineRows(
  parts: tf.Tensor2D[],
  scale: tf.Tensor2D,
  slots: Int32Array[],
  k: number,
  n: number,
): tf.Tensor2D {
  if (parts.length !== slots.length)
    throw new Error(`combineRows: ${parts.length} parts but ${slots.length} slot lists`);
  if (parts.length === 0) throw new Error('combineRows: no parts');
  const d = parts[0]!.shape[1];
  parts.forEach((p, e) => {
    if (p.shape[0] !== slots[e]!.length || p.shape[1] !== d) {
      throw new Error(`combineRows: part ${e} has shape [${p.shape.join(', ')}], expected [${slots[e]!.length}, ${d}]`);
    }
    checkRows(slots[e]!, n * k, 'combineRows');
  });
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const inputs = args.slice(0, parts.length + 1) as tf.Tensor2D[];
    const save = args[parts.length + 1] as tf.GradSaveFunc;
    save(inputs);
    const w = inputs[parts.length]!.dataSync() as Float32Array;
    const out = new Float32Array(n * d);
    for (let e = 0; e < parts.length; e++) {
      const p = inputs[e]!.dataSync() as Float32Array;
      const s = slots[e]!;
      for (let m = 0; m < s.length; m++) {
        const slot = s[m]!;
        const o = Math.floor(slot / k) * d;
        const ws = w[slot]!;
        for (let j = 0; j < d; j++) out[o + j]! += ws * p[m * d + j]!;
      }
    }
    return {
      value: tf.tensor2d(out, [n, d]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const g = dy.dataSync() as Float32Array;
        const dw = new Float32Array(n * k);
        const dparts = saved.slice(0, parts.length).map((part, e) => {
          const p = part.dataSync() as Float32Array;
          const s = slots[e]!;
          const dp = new Float32Array(s.length * d);
          for (let m = 0; m < s.length; m++) {
            const slot = s[m]!;
            const o = Math.floor(slot / k) * d;
            const ws = w[slot]!;
            let dot = 0;
            for (let j = 0; j < d; j++) {
              const gj = g[o + j]!;
              dp[m * d + j] = ws * gj;
              dot += p[m * d + j]! * gj;
            }
            dw[slot]! += dot;
          }
          return tf.tensor2d(dp, [s.length, d]);
        });
        return [...dparts, tf.tensor2d(dw, [n * k, 1])];
      },
    };
  });
  return op(...parts, scale) as tf.Tensor2D;
}
