/**
 * Row gather as a custom op with a host-side kernel — how the router picks each token's chosen scores.
 *
 * Why not `tf.gather` / `tf.unsortedSegmentSum`: on the wasm backend tfjs's Gather kernel moves ~3 M floats/s
 * (75 ms for 2048 rows × 128 here; measured in this module's benchmark notes), more than the expert matmuls it feeds,
 * and UnsortedSegmentSum (gather's gradient) is missing from stock wasm. Copying rows on the host is a memcpy-speed
 * loop, and routing already syncs with the host (top-k). On GPU backends a host round trip would cost more — none is
 * supported here.
 *
 * - `gatherRows(x, rows)`: `out[m] = x[rows[m]]`; gradient: `dx[rows[m]] += dy[m]`.
 * Float32 only; takes a host index array (a routing decision, not a tensor on the tape). The routed experts' own
 * gathers and scatter-adds live inside their op (`routed-experts.ts`).
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
