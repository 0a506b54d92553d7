/**
 * Maps the reward names a GRPO config lists (`rewardFuncs`, TRL's `reward_funcs`) to the reward functions of
 * @r1/rewards, and combines them with their weights into one group scorer.
 */
import {
  accuracyReward,
  type CombinedReward,
  combineGroupRewards,
  cosineScaledReward,
  countdownReward,
  formatReward,
  type GroupRewardComponent,
  languageConsistencyReward,
  lengthReward,
  type RewardComponent,
  reasoningStepsReward,
  repetitionPenalty,
  type Sample,
  tagCountReward,
} from '@r1/rewards';

/** Per-completion rewards by name. */
const SINGLE = {
  accuracy: accuracyReward,
  format: formatReward,
  countdown: countdownReward,
  tag_count: tagCountReward,
  reasoning_steps: reasoningStepsReward,
  repetition: repetitionPenalty,
  language_consistency: languageConsistencyReward,
  cosine: cosineScaledReward(),
} as const;

/** Group-relative rewards by name (they need all completions of a prompt). */
const GROUP = { length: lengthReward() } as const;

export const REWARD_NAMES = [...Object.keys(SINGLE), ...Object.keys(GROUP)].sort();

export type GroupScorer = (completions: readonly string[], sample: Sample) => CombinedReward[];

export function rewardScorer(names: readonly string[], weights: readonly number[] | null): GroupScorer {
  const components: (RewardComponent | GroupRewardComponent)[] = names.map((name, i) => {
    const weight = weights?.[i] ?? 1;
    if (name in SINGLE) return { name, fn: SINGLE[name as keyof typeof SINGLE], weight };
    if (name in GROUP) return { name, groupFn: GROUP[name as keyof typeof GROUP], weight };
    throw new Error(`unknown reward "${name}" in rewardFuncs; available: ${REWARD_NAMES.join(', ')}`);
  });
  return combineGroupRewards(components);
}
