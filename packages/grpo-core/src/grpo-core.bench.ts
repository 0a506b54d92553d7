/**
 * Cost of the GRPO update pieces on the backend `initBackend()` picks (wasm here unless R1_BACKEND says otherwise), at sizes of a small real run:
 * policy loss forward + backward on [16, 256] tokens (with the k3 term), one AdamW step and one global norm clip over
 * 1M parameters (4 × 512 × 512), and advantages for 4096 rewards in groups of 16. Model forward/backward is not
 * included — it dominates a real step by orders of magnitude (see engine.train_step).
 */
import { initBackend, tf } from '@r1/model';
import { median, report, timeIt } from '../../../scripts/bench-lib';
import { AdamW } from './adamw';
import { groupAdvantages } from './advantages';
import { clipGradNorm } from './clip-grad-norm';
import { policyLoss } from './policy-loss';

const backend = (await initBackend()).name; // R1_BACKEND=cpu|wasm|… to choose, as the trainer does

// A deterministic pseudo-random fill, so runs are comparable.
const fill = (n: number, seed: number) =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * 0.5);

{
  const [B, T] = [16, 256];
  const logprobs = tf.variable(tf.tensor2d(fill(B * T, 1), [B, T]).sub(2));
  const old = tf
    .tensor2d(fill(B * T, 2), [B, T])
    .mul(0.1)
    .add(logprobs);
  const ref = tf
    .tensor2d(fill(B * T, 3), [B, T])
    .mul(0.3)
    .add(logprobs);
  const mask = tf.tensor2d(
    Float32Array.from({ length: B * T }, (_, i) => (i % T < T - (i % 37) ? 1 : 0)),
    [B, T],
  );
  const advantages = Array.from(fill(B, 4));
  const times = await timeIt(
    () => {
      const { grads, value } = tf.variableGrads(
        () =>
          policyLoss(
            { logprobs, oldLogprobs: old, refLogprobs: ref, advantages, mask },
            { lossType: 'dapo', epsilon: 0.2, epsilonHigh: 0.28, beta: 0.04 },
          ).loss,
        [logprobs],
      );
      grads[logprobs.name]?.dataSync();
      tf.dispose([value, ...Object.values(grads)]);
    },
    { warmup: 3, iterations: 20 },
  );
  report({ name: 'grpo.policy_loss_fwd_bwd', value: median(times), unit: 'ms', backend, batch: B, tokens: T });
}

{
  const params = new Map<string, tf.Variable>();
  const grads = new Map<string, tf.Tensor>();
  for (let i = 0; i < 4; i++) {
    params.set(`w${i}`, tf.variable(tf.tensor2d(fill(512 * 512, 10 + i), [512, 512])));
    grads.set(`w${i}`, tf.tensor2d(fill(512 * 512, 20 + i), [512, 512]));
  }
  const optimizer = new AdamW(params, { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 });
  const adamw = await timeIt(
    () => {
      optimizer.step(grads, 1e-4);
      params.get('w0')?.dataSync();
    },
    { warmup: 2, iterations: 10 },
  );
  report({ name: 'grpo.adamw_step', value: median(adamw), unit: 'ms', backend, params: 4 * 512 * 512 });
  const clip = await timeIt(
    () => {
      const out = clipGradNorm(grads, 1);
      tf.dispose([...out.grads.values()]);
    },
    { warmup: 2, iterations: 10 },
  );
  report({ name: 'grpo.clip_grad_norm', value: median(clip), unit: 'ms', backend, params: 4 * 512 * 512 });
}

{
  const rewards = Array.from(fill(4096, 30), (x, i) => (i % 97 === 0 ? null : Math.round(x * 4)));
  const times = await timeIt(() => groupAdvantages(rewards, 16, { scaleRewards: 'group' }), {
    warmup: 5,
    iterations: 50,
  });
  report({ name: 'grpo.group_advantages', value: median(times), unit: 'ms', rewards: 4096, groupSize: 16 });
}
