/**
 * Held-out evaluation inside training, by the R1 protocol (@r1/eval): k samples per problem at temperature 0.6 and
 * top-p 0.95, pass@1 as the mean over the k samples with a bootstrap CI, cons@k by majority vote over answers the
 * math verifier judges equal. Correctness is the verifier's verdict on the `<answer>` block — or, with `judge:
 * 'code'`, the sandbox's: the answer's last code block run against the problem's tests, correct when all pass.
 */
import { type EvalResult, evaluate, type SampleCache } from '@r1/eval';
import { createAnswerEquivalence, mathVerify } from '@r1/rewards';
import type { GenerationRequest, Sampler } from '@r1/sampler';
import { codeReward, extractCode } from '@r1/sandbox';
import type { TaskItem } from '@r1/tasks';

export interface HeldOutParams {
  k: number;
  temperature: number;
  topP: number;
  maxNewTokens: number;
  seed: number;
  /** Record every sample here (and reuse what it holds): a killed evaluation resumes where it stopped. */
  cache?: SampleCache;
  /** How correctness is decided: 'math' (the verifier, default) or 'code' (run in @r1/sandbox against `meta.tests`). */
  judge?: 'math' | 'code';
}

const binaryCode = codeReward({ reward: 'binary' });

/** The code judge's verdict on one sample; a problem without tests or a broken sandbox is an error, never a 0. */
async function codeScore(completion: string, problem: { id: string; meta?: unknown }) {
  const reward = await binaryCode(completion, { meta: (problem.meta ?? {}) as Record<string, unknown> });
  if (reward === null) {
    throw new Error(
      `held-out problem ${problem.id}: the code judge could not score it (no meta.tests, or the sandbox failed)`,
    );
  }
  return { correct: reward === 1, extracted: extractCode(completion) };
}

export function heldOutEval(
  sampler: Sampler,
  problems: readonly TaskItem[],
  template: (item: TaskItem) => GenerationRequest,
  params: HeldOutParams,
): Promise<EvalResult> {
  return evaluate({
    dataset: problems.map((p) => ({ id: p.id, prompt: p.prompt, answer: p.answer, meta: p.meta })),
    sampler,
    template: (p) => template(p as TaskItem),
    k: params.k,
    params: {
      temperature: params.temperature,
      topP: params.topP,
      maxNewTokens: params.maxNewTokens,
      seed: params.seed,
    },
    score:
      params.judge === 'code'
        ? codeScore
        : (completion, problem) => {
            const r = mathVerify(problem.answer, completion);
            return { correct: r.correct, extracted: r.extracted };
          },
    equivalent: createAnswerEquivalence(),
    batchProblems: 32,
    bootstrapSeed: params.seed,
    ...(params.cache === undefined ? {} : { cache: params.cache }),
  });
}
