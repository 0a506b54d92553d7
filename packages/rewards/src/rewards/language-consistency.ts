/**
 * Language-consistency reward (DeepSeek-R1 §2.3.2): the share of the chain of thought's words that are in the
 * target language, added to the accuracy reward in R1's reasoning-oriented RL to stop language mixing.
 *
 * The language is told by script (see script-words.ts): 'en' counts Latin words, 'zh' counts Han characters (one
 * word each); everything else with letters is the other language. Digits, punctuation and symbols are neutral, and
 * so are single letters (variables). Math ($…$, $$…$$, \(…\), \[…\]) and code (```…```, `…`) are left out by default,
 * so formulas and identifiers neither help nor hurt; LaTeX commands outside delimiters are neutral.
 *
 * The text scored is the reasoning found by `parseCompletion` in `format` (the think block, or the reasoning before
 * `</think>`); when there is none, the whole completion. A text with no words at all scores 1: nothing in it is in
 * the wrong language (empty reasoning is the format reward's business). Range [0, 1].
 */

import { type CompletionFormat, parseCompletion } from '@r1/templates';
import type { RewardFn } from '../types';
import { DEFAULT_MAX_CHARS, guardReward } from './guard';
import { findMathAndCodeSpans } from './math-code-spans';
import { checkInteger, resolveOptions } from './options';
import { countScriptWords, type ScriptWordCounts } from './script-words';

export type TargetLanguage = 'en' | 'zh';

export interface LanguageConsistencyRewardOptions {
  /** The language the reasoning should be in: 'en' (Latin script) or 'zh' (Han characters). Default 'en'. */
  target: TargetLanguage;
  /** Where the reasoning is: a completion format, or null to score the whole completion. Default 'r1-zero'. */
  format: CompletionFormat | null;
  /** Leave math spans out of the count. Default true. */
  skipMath: boolean;
  /** Leave code spans out of the count. Default true. */
  skipCode: boolean;
  /** Letter runs shorter than this many code points are neutral (variables like x, n, π). Default 2. */
  minWordLength: number;
  /** Completions longer than this many UTF-16 units are not scored (null). Default 1,000,000. */
  maxChars: number;
}

export const DEFAULT_LANGUAGE_CONSISTENCY_REWARD_OPTIONS: Readonly<LanguageConsistencyRewardOptions> = Object.freeze({
  target: 'en',
  format: 'r1-zero',
  skipMath: true,
  skipCode: true,
  minWordLength: 2,
  maxChars: DEFAULT_MAX_CHARS,
});

const TARGETS: readonly TargetLanguage[] = ['en', 'zh'];

export function resolveLanguageConsistencyRewardOptions(
  partial?: Partial<LanguageConsistencyRewardOptions>,
): LanguageConsistencyRewardOptions {
  const name = 'languageConsistencyReward';
  const o = resolveOptions(name, DEFAULT_LANGUAGE_CONSISTENCY_REWARD_OPTIONS, partial);
  if (!TARGETS.includes(o.target)) {
    throw new Error(`${name}: option 'target' must be one of ${TARGETS.join(', ')}, got ${JSON.stringify(o.target)}`);
  }
  if (o.format !== null) parseCompletion('', o.format);
  checkInteger(name, 'minWordLength', o.minWordLength, 1, 1000);
  checkInteger(name, 'maxChars', o.maxChars, 1, Number.MAX_SAFE_INTEGER);
  return o;
}

/** Share of `target` words among all words; 1 when there are none. */
export function targetShare(counts: ScriptWordCounts, target: TargetLanguage): number {
  const total = counts.latin + counts.han + counts.other;
  if (total === 0) return 1;
  switch (target) {
    case 'en':
      return counts.latin / total;
    case 'zh':
      return counts.han / total;
    default: {
      const unreachable: never = target;
      throw new Error(`unknown target language ${String(unreachable)}`);
    }
  }
}

/** Makes a language-consistency reward. Range [0, 1]. */
export function createLanguageConsistencyReward(options?: Partial<LanguageConsistencyRewardOptions>): RewardFn {
  const o = resolveLanguageConsistencyRewardOptions(options);
  const kinds = { math: o.skipMath, code: o.skipCode };
  return guardReward((completion) => {
    const reasoning = o.format === null ? null : parseCompletion(completion, o.format).reasoning;
    const text = reasoning ?? completion;
    const counts = countScriptWords(text, o.minWordLength, findMathAndCodeSpans(text, kinds));
    return targetShare(counts, o.target);
  }, o.maxChars);
}

/** Share of English (Latin-script) words in the R1-Zero think block. */
export const languageConsistencyReward: RewardFn = createLanguageConsistencyReward();
