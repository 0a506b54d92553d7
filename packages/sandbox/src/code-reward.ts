/**
 * The code accuracy reward as an async reward function for a trainer: extract the last code block of the answer
 * part, judge it against `sample.meta.tests` (the shape @r1/tasks' code loaders give), and return the reward —
 * pass rate or binary. It never throws: a sample without tests, and a sandbox failure (not the completion's fault),
 * give null ("cannot be scored", zero advantage); no code gives 0.
 */
import { extractCode } from './extract';
import { type CodeTests, type JudgeOptions, judge, testsProblem } from './judge';

export interface CodeRewardSample {
  meta?: { tests?: unknown; timeLimitSeconds?: number; memoryLimitMb?: number } | Record<string, unknown>;
}

/**
 * @example
 * const reward = codeReward({ reward: 'binary' });
 * await reward('```python\nprint(3)\n```', { meta: { tests: { inputs: [''], outputs: ['3'] } } }) // 1
 */
export function codeReward(options: Partial<JudgeOptions> = {}) {
  return async (completion: string, sample: CodeRewardSample): Promise<number | null> => {
    try {
      const meta = (sample.meta ?? {}) as { tests?: unknown; timeLimitSeconds?: number; memoryLimitMb?: number };
      if (testsProblem(meta.tests) !== null) return null;
      const o: Partial<JudgeOptions> = { ...options };
      if (o.timeoutSeconds === undefined && typeof meta.timeLimitSeconds === 'number') {
        o.timeoutSeconds = meta.timeLimitSeconds;
      }
      if (o.memoryMb === undefined && typeof meta.memoryLimitMb === 'number') o.memoryMb = meta.memoryLimitMb;
      const verdict = await judge(extractCode(completion, o.language ?? 'python'), meta.tests as CodeTests, o);
      return verdict.status === 'sandbox_error' ? null : verdict.reward;
    } catch {
      return null;
    }
  };
}
