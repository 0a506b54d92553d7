/**
 * Scoring a completion against its problem, and the answer equivalence cons@k votes with.
 *
 * - math: the math verifier (@r1/rewards `mathVerify`) compares the completion's final answer with the gold. It reads
 *   the last `<answer>` block when there is one, else the text after `</think>`, else the whole completion, so one
 *   scorer serves the r1-zero, chat and raw templates alike.
 *   Two extracted answers are one cons@k vote when the verifier says they are equal in either direction, so 0.5,
 *   \frac12 and 1/2 vote together.
 * - countdown: the equation in the last `<answer>` block must use the given numbers, each exactly once, and equal the
 *   target (TinyZero's rule, @r1/rewards `judgeCountdown`). Two equations are one vote when they use the same
 *   numbers and have the same exact value.
 *
 * - code: the last fenced block of the answer part runs against the problem's tests in @r1/sandbox's jail
 *   (code-judge.ts); correct when every test passes. The extracted answer is the program, and two programs are one
 *   cons@k vote when they are the same text up to whitespace at line ends.
 *
 * Scorers never throw for anything a completion does: a completion that cannot be read scores as wrong with no
 * extracted answer. The code scorer rejects only when the sandbox itself fails (nothing is then recorded).
 */
import type { ScoredCompletion } from '@r1/eval';
import {
  countdownTask,
  createAnswerEquivalence,
  DEFAULT_COUNTDOWN_REWARD_OPTIONS,
  evaluateEquation,
  judgeCountdown,
  mathVerifyResolved,
  resolveVerifyOptions,
} from '@r1/rewards';
import { parseCompletion } from '@r1/templates';
import { type CodeLimits, type CodeProblemMeta, codeEquivalence, createCodeJudge } from './code-judge';
import type { ScoringKind } from './problems';

/** What a scorer needs of a problem. */
export interface ScoredProblemInput {
  id: string;
  prompt: string;
  answer: string;
  meta?: Record<string, unknown>;
}

/** A scorer; the code scorer is async (`Scorer<Promise<ScoredCompletion>>`), the others are not. */
export interface Scorer<R extends ScoredCompletion | Promise<ScoredCompletion> = ScoredCompletion> {
  score(completion: string, problem: ScoredProblemInput): R;
  /** Ids of problems whose gold answer the verifier could not parse (every sample of them scores as wrong). */
  readonly unparsableGold: ReadonlySet<string>;
}

export function createScorer(kind: 'math' | 'countdown'): Scorer;
/** `codeLimits` apply to the code scorer only (default: the problem's own limits, else 6 s and 1024 MiB). */
export function createScorer(
  kind: ScoringKind,
  codeLimits?: CodeLimits,
): Scorer<ScoredCompletion | Promise<ScoredCompletion>>;
export function createScorer(
  kind: ScoringKind,
  codeLimits: CodeLimits = { timeoutSeconds: null, memoryMb: null },
): Scorer<ScoredCompletion | Promise<ScoredCompletion>> {
  const unparsableGold = new Set<string>();
  switch (kind) {
    case 'math': {
      const options = resolveVerifyOptions({});
      return {
        unparsableGold,
        score(completion, problem) {
          const r = mathVerifyResolved(problem.answer, completion, options);
          if (r.status === 'gold_unparsable') unparsableGold.add(problem.id);
          return { correct: r.correct, extracted: r.extracted };
        },
      };
    }
    case 'countdown':
      return {
        unparsableGold,
        score(completion, problem) {
          const task = countdownTask(problem);
          if (task === null) {
            unparsableGold.add(problem.id);
            return { correct: false, extracted: null };
          }
          const answer = parseCompletion(completion, 'r1-zero').answer;
          const extracted = answer === null || answer.trim() === '' ? null : answer.trim();
          const verdict = judgeCountdown(extracted, task, DEFAULT_COUNTDOWN_REWARD_OPTIONS);
          return { correct: verdict === 'correct', extracted };
        },
      };
    case 'code': {
      const judgeCode = createCodeJudge(codeLimits);
      return {
        unparsableGold,
        async score(completion, problem) {
          const j = await judgeCode(completion, problem.meta as unknown as CodeProblemMeta);
          return { correct: j.correct, extracted: j.code };
        },
      };
    }
    default: {
      const never: never = kind;
      throw new TypeError(`unknown scoring ${String(never)}`);
    }
  }
}

/** Math answers are one vote when the verifier finds them equal either way (see @r1/rewards). */
export const mathEquivalence = createAnswerEquivalence;

/** Countdown equations are one vote when they use the same multiset of numbers and have the same exact value. */
export function countdownEquivalence(): (a: string, b: string) => boolean {
  const signature = new Map<string, string | null>();
  const sign = (text: string) => {
    if (!signature.has(text)) {
      const r = evaluateEquation(text, { maxChars: DEFAULT_COUNTDOWN_REWARD_OPTIONS.maxEquationChars, maxDepth: 64 });
      signature.set(
        text,
        r.kind === 'ok' && r.value !== null
          ? `${r.value.n}/${r.value.d} using ${r.numbers
              .map((x) => `${x.n}/${x.d}`)
              .sort()
              .join(',')}`
          : null,
      );
    }
    return signature.get(text)!;
  };
  return (a, b) => {
    if (a.trim() === b.trim()) return true;
    const sa = sign(a);
    return sa !== null && sa === sign(b);
  };
}

export function createEquivalence(kind: ScoringKind): (a: string, b: string) => boolean {
  switch (kind) {
    case 'math':
      return mathEquivalence();
    case 'countdown':
      return countdownEquivalence();
    case 'code':
      return codeEquivalence();
    default: {
      const never: never = kind;
      throw new TypeError(`unknown scoring ${String(never)}`);
    }
  }
}
