/**
 * How traces are scored: the math verifier against the gold answer, the Countdown equation judge, or any reward
 * function of @r1/rewards' contract (sync or async, `null` = cannot be scored). A trace is `incorrect` below
 * `minReward` and `unscorable` when the verifier returns null (no gold, a gold the verifier cannot parse, a
 * broken Countdown task); an unscorable trace never counts as correct.
 */
import { type AsyncRewardFn, accuracyReward, createCountdownReward, type RewardFn, type Sample } from '@r1/rewards';
import type { CompletionFormat } from '@r1/templates';

export type VerifierName = 'math' | 'countdown';
export type TraceVerifier = VerifierName | RewardFn | AsyncRewardFn;

export type ResolvedVerifier = (completion: string, sample: Sample) => Promise<number | null>;

/** The scoring function of a verifier; the Countdown judge reads the answer where `format` puts it. */
export function resolveVerifier(verifier: TraceVerifier, format: CompletionFormat): ResolvedVerifier {
  let fn: RewardFn | AsyncRewardFn;
  if (verifier === 'math') fn = accuracyReward;
  else if (verifier === 'countdown') fn = createCountdownReward({ format });
  else if (typeof verifier === 'function') fn = verifier;
  else
    throw new Error(
      `rejection sampling: unknown verifier ${JSON.stringify(verifier)}; use math, countdown or a function`,
    );
  return async (completion, sample) => {
    try {
      const value = await fn(completion, sample);
      return typeof value === 'number' && Number.isFinite(value) ? value : null;
    } catch {
      // A reward must not throw; one that does cannot score this trace.
      return null;
    }
  };
}
