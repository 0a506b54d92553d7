/**
 * DAPO's soft overlong punishment (Yu et al. 2025, §3.4, eq. 13), a length-only reward added to the task rewards so
 * completions that run into the length limit are discouraged gradually instead of being cut off with no signal:
 *
 *   R(L) = 0                              L ≤ Lmax − Lcache
 *        = ((Lmax − Lcache) − L) / Lcache  Lmax − Lcache < L ≤ Lmax   (linear from 0 down to −1)
 *        = −1                             L > Lmax
 *
 * with Lmax = maxCompletionLength and Lcache = softPunishCache (0 turns it off). Counts tokens, knows nothing
 * about text.
 */

export interface SoftOverlongOptions {
  /** Lmax: the sampler's token limit. */
  maxCompletionLength: number;
  /** Lcache: the width of the ramp before Lmax; 0 = off (always 0). */
  softPunishCache: number;
}

/** The soft overlong reward in [−1, 0] for a completion of `completionLength` tokens. */
export function softOverlongPunishment(completionLength: number, options: SoftOverlongOptions): number {
  const { maxCompletionLength: max, softPunishCache: cache } = options;
  if (!Number.isInteger(completionLength) || completionLength < 0) {
    throw new Error(`softOverlongPunishment: completionLength must be a token count ≥ 0 (got ${completionLength})`);
  }
  if (!Number.isInteger(max) || max < 1 || !Number.isInteger(cache) || cache < 0 || cache >= max) {
    throw new Error(
      `softOverlongPunishment: need integers 0 ≤ softPunishCache < maxCompletionLength (got ${cache} and ${max})`,
    );
  }
  if (cache === 0) return 0;
  if (completionLength <= max - cache) return 0;
  if (completionLength <= max) return (max - cache - completionLength) / cache;
  return -1;
}
