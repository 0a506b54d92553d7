/**
 * Accuracy reward: does the completion's final answer equal the sample's gold answer?
 *
 * Source: DeepSeek-R1 §2.2.2 "accuracy rewards" (rule-based check of a final answer in a specified
 * format, e.g. a box), as implemented by open-r1's `accuracy_reward` with Math-Verify; here the
 * verifier is `mathVerify` from this package.
 * Range: 1 (verified equal), 0 (different, or no answer found in the completion), or null when the gold
 * answer is missing or cannot be parsed — that is the dataset's fault, so it must not teach the policy
 * anything (null gives zero advantage; a fake 0 would punish a possibly right answer).
 * Never throws and never hangs: verification reads a bounded tail of the completion and bounds its own
 * arithmetic (see verify/config.ts).
 * Deliberately not here: format checks (see format.ts) or partial credit.
 */
import type { RewardFn, Sample } from '../types';
import { resolveVerifyOptions, type VerifyOptions } from '../verify/config';
import { mathVerifyResolved } from '../verify/math-verify';

/** Builds an accuracy reward with the given verifier options (validated once, here). */
export function createAccuracyReward(options: Partial<VerifyOptions> = {}): RewardFn {
  const o = resolveVerifyOptions(options);
  return (completion: string, sample: Sample): number | null => {
    const gold = sample?.answer;
    if (typeof gold !== 'string' || gold.trim() === '') return null;
    if (typeof completion !== 'string') return 0;
    const r = mathVerifyResolved(gold, completion, o);
    switch (r.status) {
      case 'correct':
        return 1;
      case 'incorrect':
      case 'no_answer':
        return 0;
      case 'gold_unparsable':
      case 'error':
        return null;
      default: {
        const never: never = r.status;
        return never;
      }
    }
  };
}

/** {@link createAccuracyReward} with default options: 1 / 0 / null (see the file header). */
export const accuracyReward: RewardFn = createAccuracyReward();
