/**
 * Matmul micro-benchmarks on the shapes of the reference train step (`engine.bench.ts`), in GFLOP/s on whatever
 * `initBackend()` picks. They show which kernel path a regression hits:
 * - `engine.matmul_linear_fwd`: `x[1024, 128] · W[512, 128]ᵀ` (HF-layout projection; XNNPACK after a transpose);
 * - `engine.matmul_linear_dw`: `g[1024, 512]ᵀ · x[1024, 128]` (weight gradient; transposeA);
 * - `engine.matmul_attention`: `q[16, 4, 64, 32] · k[16, 4, 64, 32]ᵀ` (batched; our SIMD kernel on wasm).
 * Each timing ends with the product read back (`readFloats`, into one array kept across calls).
 */
import * as tf from '@tensorflow/tfjs';
import { median, report, timeIt } from '../../../../scripts/bench-lib';
import { initBackend } from '../backend/index';
import { readFloats } from '../backend/read-floats';

const info = await initBackend();

async function bench(
  name: string,
  a: tf.Tensor,
  b: tf.Tensor,
  transposeA: boolean,
  transposeB: boolean,
): Promise<void> {
  const out = tf.matMul(a, b, transposeA, transposeB);
  const [m, n] = out.shape.slice(-2) as [number, number];
  const k = transposeA ? a.shape.at(-2)! : a.shape.at(-1)!;
  const flops = 2 * (out.size / (m * n)) * m * n * k;
  const keep = new Float32Array(out.size);
  out.dispose();
  const times = await timeIt(
    () => {
      const r = tf.matMul(a, b, transposeA, transposeB);
      // Read back into one array kept across calls: `dataSync` copies into a fresh array whose pages fault in on
      // first touch, 5.5 ms for this 2 MB product on this VM, more than the product itself.
      readFloats(r, keep);
      r.dispose();
    },
    { warmup: 3, iterations: 20 },
  );
  const ms = median(times);
  report({ name, value: flops / ms / 1e6, unit: 'GFLOP/s', ms, backend: info.name, threads: info.threads });
}

const x = tf.randomNormal([1024, 128], 0, 1, 'float32', 1);
const w = tf.randomNormal([512, 128], 0, 1, 'float32', 2);
const g = tf.randomNormal([1024, 512], 0, 1, 'float32', 3);
const q = tf.randomNormal([16, 4, 64, 32], 0, 1, 'float32', 4);
const kk = tf.randomNormal([16, 4, 64, 32], 0, 1, 'float32', 5);
await bench('engine.matmul_linear_fwd', x, w, false, true);
await bench('engine.matmul_linear_dw', g, x, true, false);
await bench('engine.matmul_attention', q, kk, false, true);
tf.dispose([x, w, g, q, kk]);
