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

/**
 * A reward that needs the whole group of completions sampled for one prompt (e.g. Kimi 1.5's length reward, which
 * compares each length with the group's shortest and longest). Returns one score per completion, in order; `null`
 * entries mean "cannot be scored", as for {@link RewardFn}.
 */
export type GroupRewardFn = (completions: readonly string[], sample: Sample) => (number | null)[];

/**
 * Says whether a completion answers a sample correctly, for rewards that depend on correctness (length and cosine
 * rewards). `true`, or a number ≥ 0.5 (an accuracy reward's 1), counts as correct; `null` means it cannot be decided.
 */
export type Verifier = (completion: string, sample: Sample) => boolean | number | null;
