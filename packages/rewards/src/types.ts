/**
 * The reward contract shared by every reward in this package and by user-written ones.
 * A reward scores one completion of one sample. `null` means "cannot be scored" (for example the gold answer itself
 * does not parse); the trainer gives such a completion zero advantage instead of treating it as a wrong answer.
 * Rewards never throw and never hang: they catch their own failures and bound their own work.
 */

/** One problem as the rewards see it. Tasks and datasets produce this shape. */
export interface Sample {
  /** Stable id of the problem (dataset id or generated id). */
  id?: string;
  /** The problem text as given to the model (before any template). */
  prompt: string;
  /** Gold answer text (e.g. "18", "\\frac{1}{2}", "(3, \\frac{\\pi}{2})"). */
  answer?: string;
  /** Task-specific data, e.g. countdown `{ numbers: number[], target: number }`. */
  meta?: Record<string, unknown>;
}

export type RewardFn = (completion: string, sample: Sample) => number | null;
export type AsyncRewardFn = (completion: string, sample: Sample) => Promise<number | null>;
