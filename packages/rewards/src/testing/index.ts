/**
 * `@r1/rewards/testing`: property-test a reward function. Arbitraries for what rewards see (completions in the
 * R1-Zero and readable layouts with known answers, malformed ones, equivalent math spellings, multilingual reasoning,
 * hostile strings, Countdown equations) and `checkRewardLaws` / `assertRewardLaws`, which run the reward laws
 * (laws.ts) with fast-check. Needs `fast-check` (a peer dependency); the main entry `@r1/rewards` does not.
 */

export {
  assertRewardLaws,
  checkRewardLaws,
  DEFAULT_REWARD_LAW_OPTIONS,
  type LawFailure,
  type RewardLawOptions,
  type RewardLawReport,
  resolveRewardLawOptions,
} from './check-reward-laws';
export {
  anyCompletion,
  COMPLETION_DEFECTS,
  type CompletionDefect,
  type CompletionWithAnswer,
  EXAMPLE_SAMPLE,
  malformedCompletion,
  reasoningAbout,
  reasoningText,
  tagFreeText,
  wellFormedCompletion,
} from './completions';
export { type CountdownEquation, countdownCases, countdownEquation } from './countdown';
export { fill, HOSTILE, HOSTILE_CHARS, HOSTILE_KINDS, type HostileKind, hostileString } from './hostile';
export {
  ACCURACY_LAWS,
  FORMAT_LAWS,
  LAW_DOCS,
  type LawDoc,
  REWARD_LAWS,
  type RewardLaw,
  UNIVERSAL_LAWS,
} from './laws';
export {
  COMPLETION_LAYOUTS,
  type CompletionLayout,
  type Spacing,
  spacing,
  TIGHT_SPACING,
  writeCompletion,
} from './layout';
export {
  answerWithWrong,
  equivalentSpellings,
  type LawCase,
  type MathValue,
  mathCases,
  spellingsOf,
  wrongValuesOf,
} from './math-answers';
export { type MultilingualReasoning, multilingualReasoning } from './multilingual';
