/**
 * Every reward of this package keeps the reward laws that fit it (@r1/rewards/testing), one test per reward. The
 * laws a reward is not checked with say what it does not claim: length-based rewards change with whitespace, the
 * format reward does not read inside the blocks, and language, step and repetition rewards do not read the answer.
 */
import { describe, expect, test } from 'vitest';
import {
  ACCURACY_LAWS,
  assertRewardLaws,
  checkRewardLaws,
  countdownCases,
  FORMAT_LAWS,
  mathCases,
  type RewardLaw,
  type RewardLawOptions,
  UNIVERSAL_LAWS,
} from '../testing/index';
import type { RewardFn } from '../types';
import { accuracyReward, createAccuracyReward } from './accuracy';
import { combineRewards } from './combine';
import { cosineScaledReward } from './cosine';
import { countdownReward, createCountdownReward } from './countdown';
import { createFormatReward, formatReward } from './format';
import { createLanguageConsistencyReward, languageConsistencyReward } from './language-consistency';
import { softOverlongPunishment } from './overlong';
import { reasoningStepsReward } from './reasoning-steps';
import { repetitionPenalty } from './repetition';
import { createTagCountReward, OPEN_R1_TAGS, tagCountReward } from './tag-count';

const withoutWhitespace = (laws: readonly RewardLaw[]) => laws.filter((l) => l !== 'whitespace-invariance');
const loose = createAccuracyReward({ precision: 2 });
const combined = combineRewards([
  { name: 'accuracy', fn: accuracyReward, weight: 1 },
  { name: 'format', fn: formatReward, weight: 1 },
]);

const REWARDS: [string, RewardFn, Partial<RewardLawOptions>][] = [
  ['accuracyReward (R1-Zero)', accuracyReward, { laws: ACCURACY_LAWS }],
  ['accuracyReward (readable format)', accuracyReward, { laws: ACCURACY_LAWS, layout: 'r1' }],
  ['accuracyReward (R1-Distill)', accuracyReward, { laws: ACCURACY_LAWS, layout: 'think' }],
  [
    'createAccuracyReward({ precision: 2 })',
    loose,
    // With a tolerance, a wrong answer must be wrong beyond it: 872/125 and 873/125 agree to 2 decimals, so the
    // loose reward is checked on integer answers (their wrong answers are at least 1 away).
    { laws: ACCURACY_LAWS, cases: mathCases.filter((c) => Number.isInteger(Number(c.sample.answer))) },
  ],
  ['formatReward', formatReward, { laws: FORMAT_LAWS }],
  [
    "createFormatReward({ format: 'r1' })",
    createFormatReward({ format: 'r1' }),
    { laws: [...UNIVERSAL_LAWS, 'empty-reasoning', 'whitespace-invariance'], layout: 'r1' },
  ],
  [
    "createFormatReward({ format: 'think' })",
    createFormatReward({ format: 'think' }),
    { laws: [...UNIVERSAL_LAWS, 'empty-reasoning', 'whitespace-invariance'], layout: 'think' },
  ],
  ['tagCountReward', tagCountReward, { laws: [...UNIVERSAL_LAWS, 'second-answer', 'whitespace-invariance'] }],
  [
    'createTagCountReward({ tags: OPEN_R1_TAGS })',
    createTagCountReward({ tags: OPEN_R1_TAGS }),
    { laws: UNIVERSAL_LAWS },
  ],
  ['countdownReward', countdownReward, { laws: ACCURACY_LAWS, cases: countdownCases }],
  [
    'createCountdownReward({ formatScore: 0.1 })',
    createCountdownReward({ formatScore: 0.1 }),
    { laws: ACCURACY_LAWS, cases: countdownCases },
  ],
  ['languageConsistencyReward', languageConsistencyReward, { laws: [...UNIVERSAL_LAWS, 'whitespace-invariance'] }],
  [
    "createLanguageConsistencyReward({ target: 'zh' })",
    createLanguageConsistencyReward({ target: 'zh' }),
    { laws: [...UNIVERSAL_LAWS, 'whitespace-invariance'] },
  ],
  ['reasoningStepsReward', reasoningStepsReward, { laws: UNIVERSAL_LAWS }],
  ['repetitionPenalty', repetitionPenalty, { laws: UNIVERSAL_LAWS, range: [-1, 0] }],
  ['cosineScaledReward()', cosineScaledReward(), { laws: withoutWhitespace(ACCURACY_LAWS), range: [-1, 1] }],
  [
    'softOverlongPunishment({ countTokens })',
    softOverlongPunishment({ countTokens: (c) => Math.ceil(c.length / 4), maxLength: 4096, cacheLength: 1024 }),
    { laws: UNIVERSAL_LAWS, range: [-1, 0] },
  ],
  [
    'combineRewards(accuracy + format).total',
    (c, s) => combined(c, s).total,
    { laws: withoutWhitespace(ACCURACY_LAWS), range: [0, 2] },
  ],
];

describe('our rewards keep the reward laws', () => {
  test.each(REWARDS)('%s', (_name, reward, options) => {
    assertRewardLaws(reward, options);
  });

  test('and the laws they are not checked with are ones they do not claim', () => {
    // The format reward pays for structure, not content: an empty \boxed{} in a well-formed block is well-formed.
    expect(checkRewardLaws(formatReward, { laws: ['empty-answer'] }).ok).toBe(false);
    // Length-scaled rewards see whitespace as length.
    expect(checkRewardLaws(cosineScaledReward(), { laws: ['whitespace-invariance'], range: [-1, 1] }).ok).toBe(false);
    // open-r1's tags include the newlines around them.
    expect(checkRewardLaws(createTagCountReward({ tags: OPEN_R1_TAGS }), { laws: ['whitespace-invariance'] }).ok).toBe(
      false,
    );
  });
});
