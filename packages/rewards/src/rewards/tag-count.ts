/**
 * Tag-count reward (open-r1 `tag_count_reward`): 0.25 for each of the four tags that appears exactly once, a
 * smoother signal than the all-or-nothing format reward early in training.
 *
 * open-r1 counts the tags with the newlines of its own template (`<think>\n`, `\n</think>\n`, `\n<answer>\n`,
 * `\n</answer>`), exported as {@link OPEN_R1_TAGS}. Our default counts the bare tags, because the R1-Zero template
 * writes them with spaces (`<think> … </think> <answer> … </answer>`). With any tag list the score is
 * (tags present exactly once) / (number of tags). Occurrences are counted like Python's `str.count` (non-overlapping),
 * stopping at two, so the work is linear. It does not check order or nesting (that is the format reward's job).
 */

import type { RewardFn } from '../types';
import { DEFAULT_MAX_CHARS, guardReward } from './guard';
import { checkInteger, resolveOptions } from './options';

export const R1_ZERO_TAGS: readonly string[] = Object.freeze(['<think>', '</think>', '<answer>', '</answer>']);

/** The exact strings open-r1's `tag_count_reward` counts. */
export const OPEN_R1_TAGS: readonly string[] = Object.freeze([
  '<think>\n',
  '\n</think>\n',
  '\n<answer>\n',
  '\n</answer>',
]);

export interface TagCountRewardOptions {
  /** The tags to count; each present exactly once earns 1 / tags.length. Default {@link R1_ZERO_TAGS}. */
  tags: readonly string[];
  /** Completions longer than this many UTF-16 units are not scored (null). Default 1,000,000. */
  maxChars: number;
}

export const DEFAULT_TAG_COUNT_REWARD_OPTIONS: Readonly<TagCountRewardOptions> = Object.freeze({
  tags: R1_ZERO_TAGS,
  maxChars: DEFAULT_MAX_CHARS,
});

export function resolveTagCountRewardOptions(partial?: Partial<TagCountRewardOptions>): TagCountRewardOptions {
  const o = resolveOptions('tagCountReward', DEFAULT_TAG_COUNT_REWARD_OPTIONS, partial);
  if (!Array.isArray(o.tags) || o.tags.length === 0 || !o.tags.every((t) => typeof t === 'string' && t.length > 0)) {
    throw new Error("tagCountReward: option 'tags' must be a non-empty list of non-empty strings, e.g. OPEN_R1_TAGS");
  }
  checkInteger('tagCountReward', 'maxChars', o.maxChars, 1, Number.MAX_SAFE_INTEGER);
  return o;
}

/** Non-overlapping occurrences of `needle` in `text`, counting no further than `limit`. */
export function countUpTo(text: string, needle: string, limit: number): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1 && count < limit; at = text.indexOf(needle, at + needle.length))
    count++;
  return count;
}

/** Makes a tag-count reward. Range: [0, 1] in steps of 1 / tags.length. */
export function createTagCountReward(options?: Partial<TagCountRewardOptions>): RewardFn {
  const { tags, maxChars } = resolveTagCountRewardOptions(options);
  const frozen = [...tags];
  return guardReward((completion) => {
    let present = 0;
    for (const tag of frozen) if (countUpTo(completion, tag, 2) === 1) present++;
    return present / frozen.length;
  }, maxChars);
}

/** 0.25 per R1-Zero tag (`<think>`, `</think>`, `<answer>`, `</answer>`) that appears exactly once. */
export const tagCountReward: RewardFn = createTagCountReward();
