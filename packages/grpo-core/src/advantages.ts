/**
 * Group-relative advantages (DeepSeekMath §4.1.2, "outcome supervision"): each completion's reward is compared with
 * the other completions sampled for the same prompt,
 *
 *   Aᵢ = (rᵢ − mean(r_group)) / (std + 1e-4)
 *
 * where `std` is the Bessel-corrected (n − 1) standard deviation of the group ('group', DeepSeekMath and TRL), of the
 * whole batch ('batch', TRL after "PPO Lite" / Hu et al. 2025), or no division at all ('none', Dr. GRPO, which shows
 * that dividing by the group std biases learning towards too-easy and too-hard questions). The group mean is
 * subtracted in every mode. The 1e-4 is TRL's constant (it only matters when std ≈ 0).
 *
 * `null` rewards ("could not be scored") are left out of the mean and the std and get advantage 0 — they neither
 * reward nor punish the completion. Plain numbers in and out: no tensors, no I/O. It does not combine several reward
 * functions into one reward (the trainer weights and sums them first) and does not filter groups.
 */

/** How rewards are divided after centring (see the module header). */
export type ScaleRewards = 'group' | 'batch' | 'none';

export const SCALE_REWARDS: readonly ScaleRewards[] = ['group', 'batch', 'none'];

/** Added to the std before dividing, as TRL does, so an (almost) constant group does not blow up. */
export const ADVANTAGE_STD_EPSILON = 1e-4;

/** A group whose std is at or below this has "zero spread" (TRL's `isclose(std, 0)` absolute tolerance). */
export const ZERO_STD_TOLERANCE = 1e-8;

export interface GroupAdvantagesOptions {
  /** Divide the centred rewards by the group std, the batch std, or nothing. */
  scaleRewards: ScaleRewards;
}

export interface GroupAdvantages {
  /** One advantage per reward, in input order; 0 for `null` rewards. */
  advantages: number[];
  /**
   * Share of groups whose scored rewards have zero spread (group std ≤ 1e-8, or fewer than two scored rewards).
   * Their advantages are all 0, so they teach nothing; DAPO's "dynamic sampling" exists to avoid them. Always
   * measured with the group std, whatever `scaleRewards` is (TRL uses the batch std in 'batch' mode).
   */
  fracZeroStd: number;
  /** Mean of the scored rewards of each group; `null` for a group with no scored reward. */
  groupMean: (number | null)[];
  /** Bessel-corrected std of the scored rewards of each group (0 with fewer than two); `null` when none scored. */
  groupStd: (number | null)[];
  /** Bessel-corrected std of all scored rewards of the batch (0 with fewer than two). */
  batchStd: number;
}

/**
 * Group-relative advantages for a flat batch of rewards laid out group after group
 * (`[p0g0, p0g1, …, p0g(G−1), p1g0, …]`, the order TRL and the sampler use).
 *
 * @param rewards one reward per completion; `null` = could not be scored
 * @param groupSize completions per prompt (`numGenerations`), ≥ 2
 * @example
 * ```ts
 * const { advantages, fracZeroStd } = groupAdvantages([1, 0, 0, 1, 1, 1], 3, { scaleRewards: 'group' });
 * // advantages ≈ [1.1547, −0.5773, −0.5773, 0, 0, 0]; fracZeroStd = 0.5
 * ```
 */
export function groupAdvantages(
  rewards: readonly (number | null)[],
  groupSize: number,
  options: GroupAdvantagesOptions,
): GroupAdvantages {
  validate(rewards, groupSize, options);
  const numGroups = rewards.length / groupSize;
  const groupMean: (number | null)[] = [];
  const groupStd: (number | null)[] = [];
  for (let g = 0; g < numGroups; g++) {
    const scored = scoredValues(rewards.slice(g * groupSize, (g + 1) * groupSize));
    const stats = meanAndStd(scored);
    groupMean.push(stats?.mean ?? null);
    groupStd.push(stats?.std ?? null);
  }
  const batchStd = meanAndStd(scoredValues(rewards))?.std ?? 0;

  const advantages = rewards.map((reward, i) => {
    const mean = groupMean[Math.floor(i / groupSize)];
    if (reward === null || mean === null || mean === undefined) return 0;
    const centred = reward - mean;
    if (centred === 0) return 0;
    switch (options.scaleRewards) {
      case 'group':
        return centred / ((groupStd[Math.floor(i / groupSize)] ?? 0) + ADVANTAGE_STD_EPSILON);
      case 'batch':
        return centred / (batchStd + ADVANTAGE_STD_EPSILON);
      case 'none':
        return centred;
      default: {
        const unknown: never = options.scaleRewards;
        throw new Error(`groupAdvantages: unknown scaleRewards ${JSON.stringify(unknown)}`);
      }
    }
  });
  const tooLarge = advantages.findIndex((a) => !Number.isFinite(a));
  if (tooLarge >= 0) {
    throw new Error(
      `groupAdvantages: the advantage of rewards[${tooLarge}] = ${rewards[tooLarge]} overflows float64; ` +
        'rewards this large cannot be compared — rescale the reward function or its weight',
    );
  }
  const zeroStdGroups = groupStd.filter((s) => s === null || s <= ZERO_STD_TOLERANCE).length;
  return { advantages, fracZeroStd: zeroStdGroups / numGroups, groupMean, groupStd, batchStd };
}

function validate(rewards: readonly (number | null)[], groupSize: number, options: GroupAdvantagesOptions): void {
  if (!Number.isInteger(groupSize) || groupSize < 2) {
    throw new Error(
      `groupAdvantages: groupSize must be an integer ≥ 2 (got ${groupSize}); a group of one completion has no ` +
        'baseline to compare with — sample more completions per prompt (numGenerations)',
    );
  }
  if (!Array.isArray(rewards) || rewards.length === 0) {
    throw new Error('groupAdvantages: rewards is empty; pass at least one group of groupSize rewards');
  }
  if (rewards.length % groupSize !== 0) {
    throw new Error(
      `groupAdvantages: ${rewards.length} rewards do not split into groups of ${groupSize} ` +
        `(${rewards.length % groupSize} left over); pass numGenerations rewards for every prompt`,
    );
  }
  rewards.forEach((r, i) => {
    if (r === null) return;
    if (typeof r !== 'number' || !Number.isFinite(r)) {
      throw new Error(
        `groupAdvantages: rewards[${i}] is ${String(r)}; rewards must be finite numbers, or null for ` +
          '"could not be scored" (which gives advantage 0)',
      );
    }
  });
  if (!SCALE_REWARDS.includes(options.scaleRewards)) {
    throw new Error(
      `groupAdvantages: scaleRewards must be one of ${SCALE_REWARDS.map((s) => `'${s}'`).join(', ')} ` +
        `(got ${JSON.stringify(options.scaleRewards)})`,
    );
  }
}

function scoredValues(rewards: readonly (number | null)[]): number[] {
  return rewards.filter((r): r is number => r !== null);
}

/**
 * Mean and Bessel-corrected std; `undefined` for no values, std 0 for one value or all-equal values (exactly, so an
 * all-equal group gets advantages of exactly 0). Works for any finite inputs: the mean falls back to Σ(x/n) when Σx
 * overflows, and the deviations are scaled by their largest magnitude before squaring.
 */
function meanAndStd(values: readonly number[]): { mean: number; std: number } | undefined {
  const n = values.length;
  const first = values[0];
  if (first === undefined) return undefined;
  if (values.every((v) => v === first)) return { mean: first, std: 0 };
  let sum = 0;
  for (const v of values) sum += v;
  let mean = sum / n;
  if (!Number.isFinite(mean)) {
    mean = 0;
    for (const v of values) mean += v / n;
  }
  let scale = 0;
  for (const v of values) scale = Math.max(scale, Math.abs(v - mean));
  if (!Number.isFinite(scale)) scale = Number.MAX_VALUE;
  let sumSq = 0;
  for (const v of values) {
    const d = (v - mean) / scale;
    sumSq += Number.isFinite(d) ? d * d : 1;
  }
  return { mean, std: scale * Math.sqrt(sumSq / (n - 1)) };
}
