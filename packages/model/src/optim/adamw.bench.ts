/**
 * `optim.adamw_fused` and `optim.adamw_composed`: ms for one AdamW update (`adamwUpdate`, PyTorch's rule) of every
 * variable of the MoE benchmark model (77 variables, 1.04 M parameters; `nn/moe.bench.ts`), fused (one `R1AdamW`
 * kernel per variable, where the backend has it) and composed from tfjs ops (the kernel unregistered for the second
 * half of this process). Run: `pnpm bench --filter adamw.bench`.
 */
import * as tf from '@tensorflow/tfjs';
import { median, report, timeIt } from '../../../../scripts/bench-lib';
import { initBackend } from '../backend/index';
import { ADAMW } from '../backend/kernels/adamw';
import { benchAdamW } from '../bench/bench-adamw';
import { MOE_BENCH_CONFIG } from '../bench/reference-shape';
import { createModel } from '../nn/model';

const info = await initBackend();
const model = createModel(MOE_BENCH_CONFIG, { seed: 0 });
const vars = model.trainableVariables();
const grads: Record<string, tf.Tensor> = {};
vars.forEach((v, i) => {
  grads[v.name] = tf.randomNormal(v.shape, 0, 1, 'float32', i);
});
const params = vars.reduce((sum, v) => sum + v.size, 0);

async function timeUpdates(): Promise<number> {
  const step = benchAdamW(vars);
  const times = await timeIt(
    () => {
      step(grads);
      vars[0]!.dataSync(); // wait for the update
    },
    { warmup: 3, iterations: 20 },
  );
  return median(times);
}

const extra = { backend: info.name, threads: info.threads, variables: vars.length, parameters: params };
const backend = tf.getBackend();
const fused = tf.getKernel(ADAMW, backend) !== undefined;
report({ name: 'optim.adamw_fused', value: await timeUpdates(), unit: 'ms', ...extra, kernel: fused ? ADAMW : 'none' });
if (fused) tf.unregisterKernel(ADAMW, backend);
report({ name: 'optim.adamw_composed', value: await timeUpdates(), unit: 'ms', ...extra });
tf.dispose(Object.values(grads));
model.dispose();
