/**
 * Cost of each reward per call: on a realistic ~4 KB completion (µs/call), and the worst case over ~100 KB hostile
 * completions (ms). `pnpm bench --filter rewards/src/rewards`.
 */
import { median, report, timeIt } from '../../../../scripts/bench-lib';
import type { RewardFn, Sample } from '../types';
import { cosineScaledReward } from './cosine';
import { countdownReward } from './countdown';
import { formatReward } from './format';
import { languageConsistencyReward } from './language-consistency';
import { reasoningStepsReward } from './reasoning-steps';
import { repetitionPenalty } from './repetition';
import { tagCountReward } from './tag-count';

const sample: Sample = { prompt: 'countdown', answer: '80', meta: { numbers: [25, 5, 4], target: 80 } };
const realistic = `<think>\n${'First, subtract 5 from 25 to get 20. Next, multiply by 4: $20 \\times 4 = 80$.\n'.repeat(50)}</think>\n<answer>(25 - 5) * 4</answer>`;

const KB100 = 100 * 1024;
const fill = (unit: string) => unit.repeat(Math.ceil(KB100 / unit.length)).slice(0, KB100);
const hostile = [
  fill('<think>'),
  fill('<think>a</think><answer>b</answer>'),
  `<think>\n${fill('\n</think>\n<answer>\n')}`,
  fill('Step 123456789'),
  fill('\\( $ ` '),
  fill('a '),
  `<think>x</think><answer>${fill('(')}</answer>`,
];

const rewards: [string, RewardFn][] = [
  ['format', formatReward],
  ['tag_count', tagCountReward],
  ['reasoning_steps', reasoningStepsReward],
  ['language_consistency', languageConsistencyReward],
  ['repetition', repetitionPenalty],
  ['countdown', countdownReward],
  ['cosine_scaled', cosineScaledReward({ verify: () => true })],
];

for (const [name, fn] of rewards) {
  const per = median(await timeIt(() => fn(realistic, sample), { warmup: 20, iterations: 200 }));
  report({ name: `rewards.${name}_realistic_4kb`, value: per * 1000, unit: 'µs/call', chars: realistic.length });
  let worst = 0;
  for (const text of hostile)
    worst = Math.max(worst, median(await timeIt(() => fn(text, sample), { warmup: 1, iterations: 5 })));
  report({ name: `rewards.${name}_hostile_100kb_worst`, value: worst, unit: 'ms' });
}
