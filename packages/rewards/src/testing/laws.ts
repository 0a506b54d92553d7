/**
 * The reward laws: what any reward must satisfy, and what an accuracy- or format-like reward must also satisfy.
 * Each law is written down with the reward hack (or the training failure) it catches — a reward that breaks a law
 * is a reward a policy can learn to exploit, or one that breaks a training run.
 * The properties themselves are in check-reward-laws.ts; this file is the documentation and the presets.
 */

export type RewardLaw =
  | 'range'
  | 'deterministic'
  | 'never-throws'
  | 'time-bound'
  | 'correct-beats-wrong'
  | 'second-answer'
  | 'empty-answer'
  | 'answer-list'
  | 'empty-reasoning'
  | 'whitespace-invariance';

export interface LawDoc {
  /** What must hold. */
  states: string;
  /** The hack or failure it catches. */
  catches: string;
}

export const LAW_DOCS: Readonly<Record<RewardLaw, LawDoc>> = Object.freeze({
  range: {
    states: 'the value is a finite number in the declared range, or null (when nullable)',
    catches:
      'NaN, ±Infinity or unbounded values (e.g. a count of matches): one such value poisons the group mean and std, ' +
      'and a reward outside its range silently outweighs the others in a weighted sum',
  },
  deterministic: {
    states: 'the same completion and sample always get the same value, whatever was scored in between',
    catches:
      'hidden state: a /g regex whose lastIndex makes every other call fail, caches keyed on the wrong thing, ' +
      'randomness — noise the policy cannot learn from, and results no one can reproduce',
  },
  'never-throws': {
    states: 'no exception on any completion, or on samples without an answer or with odd metadata',
    catches: 'one odd sample or completion throwing inside the trainer and killing a step or the whole run',
  },
  'time-bound': {
    states: 'each call on hostile input of up to 100 KB (long runs, nesting, near-matches) finishes within the bound',
    catches:
      'catastrophic backtracking and quadratic scans: a naive port of open-r1’s format regex took 369 s on 108 KB; ' +
      'a policy finds such inputs by itself, and a timeout cannot interrupt synchronous work',
  },
  'correct-beats-wrong': {
    states: 'a completion with the right answer scores higher than the same completion with a wrong one',
    catches:
      'rewards that do not read the answer: substring matching (gold 18 found in 180 or anywhere in the ' +
      'reasoning), scoring the first number seen while thinking, a format reward wired in as accuracy',
  },
  'second-answer': {
    states:
      'two answer blocks (a right and a wrong one) score below the right answer alone in at least one of the two ' +
      'orders — a reward may read the first or the last answer, never whichever is right',
    catches:
      'the repeated-block hack: several <answer> blocks passing a format check, or an accuracy check that ' +
      'accepts any block that matches, so hedging with many answers always pays',
  },
  'empty-answer': {
    states: 'an empty answer (empty or blank block, empty \\boxed{}) scores below the right answer',
    catches:
      'substring matching that lets an empty answer score ("" is in every string), and verifiers that fall ' +
      'back to a number considered while thinking when the answer is empty',
  },
  'answer-list': {
    states: 'an answer listing candidates ("A or B", "B or A", "A, B") scores below the right answer alone',
    catches: 'the "A or B or C" hack: listing every candidate and getting paid for the one that is right',
  },
  'empty-reasoning': {
    states: 'a completion with an empty or blank reasoning block scores below the same completion with reasoning',
    catches: '<think></think>x scoring full format: paying for the structure teaches the policy to skip reasoning',
  },
  'whitespace-invariance': {
    states: 'spaces, tabs and newlines around and inside the tags do not change the value',
    catches:
      'rewards that depend on the exact layout of the tags (e.g. "\\n</think>\\n" only): the policy learns a ' +
      'whitespace convention instead of the task. Only for rewards that claim it',
  },
});

export const REWARD_LAWS: readonly RewardLaw[] = Object.keys(LAW_DOCS) as RewardLaw[];

/** Laws every reward must satisfy. The default of `checkRewardLaws`. */
export const UNIVERSAL_LAWS: readonly RewardLaw[] = ['range', 'deterministic', 'never-throws', 'time-bound'];

/** For rewards that judge the answer (accuracy, Countdown, verifier-backed length rewards). */
export const ACCURACY_LAWS: readonly RewardLaw[] = [
  ...UNIVERSAL_LAWS,
  'correct-beats-wrong',
  'second-answer',
  'empty-answer',
  'answer-list',
  'whitespace-invariance',
];

/**
 * For rewards that judge the structure (format rewards) in the R1-Zero layout. A format reward does not read inside
 * the blocks, so 'empty-answer' (`<answer>\\boxed{}</answer>` is well-formed) is the accuracy reward's business; in
 * the readable layouts the answers are inside one summary, so 'second-answer' is too.
 */
export const FORMAT_LAWS: readonly RewardLaw[] = [
  ...UNIVERSAL_LAWS,
  'second-answer',
  'empty-reasoning',
  'whitespace-invariance',
];
