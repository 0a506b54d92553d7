import { fileURLToPath } from 'node:url';

const BASE = fileURLToPath(new URL('../../../checkpoints/base-r1', import.meta.url));

/** Every stage, as small as it can be and still do its job. */
export const TINY: Record<string, unknown> = {
  model: BASE,
  task: { name: 'arithmetic', minOperands: 2, maxOperands: 2, maxValue: 9, operators: ['+', '-'] },
  max_tokens: 48,
  eval: { problems: 8, k: 2, everySteps: 0 },
  grpo: {
    seed: 3,
    num_generations: 4,
    per_device_train_batch_size: 16,
    learning_rate: 5e-4,
    beta: 0,
    save_steps: 1,
    logging_steps: 1,
  },
  r1_zero: { max_steps: 2 },
  // The cold start must teach the summary, or rejection sampling finds no readable trace: the smallest that does.
  cold_start: {
    problems: 48,
    k: 4,
    sft: { max_steps: 40, per_device_train_batch_size: 16, learning_rate: 2e-3, save_steps: 20 },
  },
  reasoning_rl: { max_steps: 2 },
  rejection_sampling: { problems: 24, k: 2 },
  sft: { max_steps: 3, per_device_train_batch_size: 8, save_steps: 2 },
};
