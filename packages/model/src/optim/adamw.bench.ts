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
import { resolveModelConfig } from '../nn/config';
import { createModel } from '../nn/model';

const info = await initBackend();
const model = createModel(
  resolveModelConfig({
    model_type: 'r1_moe',
    vocab_size: 64,
    hidden_size: 128,
    intermediate_size: 512,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 4,
    n_routed_experts: 8,
    num_experts_per_tok: 2,
    n_shared_experts: 1,
    moe_intermediate_size: 128,
    first_k_dense_replace: 0,
  }),
  { seed: 0 },
);
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
