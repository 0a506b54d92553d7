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
  createCountdownReward,
  createFormatReward,
  createLanguageConsistencyReward,
  formatReward,
  type GroupRewardComponent,
  languageConsistencyReward,
  lengthReward,
  type RewardComponent,
  type RewardFn,
  reasoningStepsReward,
  repetitionPenalty,
  type Sample,
  tagCountReward,
} from '@r1/rewards';
import type { CompletionFormat } from '@r1/templates';

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

/**
 * The rewards that read the completion's structure, made for a completion format other than R1-Zero's ('r1': the
 * readable `<think>…</think> summary`; 'think': R1-Distill's, where the template opened `<think>`).
 */
function formatRewards(format: CompletionFormat): Partial<Record<keyof typeof SINGLE, RewardFn>> {
  if (format === 'r1-zero') return {};
  return {
    format: createFormatReward({ format }),
    countdown: createCountdownReward({ format }),
    language_consistency: createLanguageConsistencyReward({ format }),
  };
}

/** Group-relative rewards by name (they need all completions of a prompt). */
const GROUP = { length: lengthReward() } as const;

export const REWARD_NAMES = [...Object.keys(SINGLE), ...Object.keys(GROUP)].sort();

export type GroupScorer = (completions: readonly string[], sample: Sample) => CombinedReward[];

export function rewardScorer(
  names: readonly string[],
  weights: readonly number[] | null,
  format: CompletionFormat = 'r1-zero',
): GroupScorer {
  const forFormat = formatRewards(format);
  const components: (RewardComponent | GroupRewardComponent)[] = names.map((name, i) => {
    const weight = weights?.[i] ?? 1;
    if (name in SINGLE) {
      return { name, fn: forFormat[name as keyof typeof SINGLE] ?? SINGLE[name as keyof typeof SINGLE], weight };
    }
    if (name in GROUP) return { name, groupFn: GROUP[name as keyof typeof GROUP], weight };
    throw new Error(`unknown reward "${name}" in rewardFuncs; available: ${REWARD_NAMES.join(', ')}`);
  });
  return combineGroupRewards(components);
}
