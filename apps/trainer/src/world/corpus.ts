/**
 * The synthetic pretraining corpus the demo's base model learns from: built-in arithmetic problems in the R1-Zero
 * template, each followed by a completion of mixed quality, so that the base model "succeeds sometimes but not
 * often" — the starting point R1-Zero needs (RL can only reinforce what the policy sometimes does).
 *
 * Like a real base model, it also sees plain arithmetic practice outside the template ("7 + 5 - 3: 7 + 5 = 12.
 * 12 - 3 = 9."), so it knows how to work a problem; in the template it mostly does not bother to.
 *
 * Two styles of completion, mirroring what a base model does before RL:
 * - `guess`: an empty-ish thought and an answer blurted out (`<think> </think> <answer> 17 </answer>`); the guess is
 *   right with probability `guessAccuracy`, otherwise off by a small amount. Short and usually wrong.
 * - `worked`: the steps written out (`<think> 5 * 3 = 15. 7 + 15 = 22. </think> <answer> 22 </answer>`), with an
 *   injected slip at rate `errorRate`. Long and usually right.
 * Guesses are the majority, so at the evaluation temperature the base mostly guesses and is mostly wrong; RL has to
 * discover that working the steps pays — which makes responses longer, as in the paper's Figure 3.
 */
import { type ArithmeticOptions, arithmeticSolution, arithmeticTask, createRng } from '@r1/tasks';
import { renderR1Zero } from '@r1/templates';

export interface CorpusOptions {
  /** Arithmetic task knobs (see @r1/tasks). */
  task: Partial<ArithmeticOptions>;
  /** Number of documents. */
  count: number;
  /** Share of documents whose completion works the steps. Default 0.3. */
  workedFraction: number;
  /** Share of worked solutions with an injected slip. Default 0.15. */
  errorRate: number;
  /** Probability that a guess is the right answer. Default 0.15. */
  guessAccuracy: number;
  /** Plain practice documents (outside the template, always correct) per template document. Default 1. */
  practiceRatio: number;
  seed: number;
}

export const DEFAULT_CORPUS_OPTIONS: CorpusOptions = {
  task: { minOperands: 2, maxOperands: 3, maxValue: 9, operators: ['+', '-'], promptStyle: 'question' },
  count: 20_000,
  workedFraction: 0.3,
  errorRate: 0.15,
  guessAccuracy: 0.15,
  practiceRatio: 1,
  seed: 0,
};

export interface CorpusDocument {
  /** The R1-Zero prompt (template applied), or the problem of a practice document. */
  prompt: string;
  /** What follows the prompt (trained on), EOS not included. */
  completion: string;
  style: 'worked' | 'guess' | 'practice';
  correct: boolean;
}

/** The completion text for a given thought and answer, in the R1-Zero format. */
export function r1ZeroCompletion(thought: string, answer: string): string {
  return ` <think> ${thought}${thought ? ' ' : ''}</think> <answer> ${answer} </answer>`;
}

export function buildCorpus(options: CorpusOptions): CorpusDocument[] {
  const task = arithmeticTask(options.task);
  const rng = createRng(options.seed ^ 0x5eed);
  const items = task.generate({ split: 'train', count: options.count, seed: options.seed });
  const practiceCount = Math.round(options.count * options.practiceRatio);
  const practice = task
    .generate({ split: 'train', count: practiceCount, seed: options.seed + 1 })
    .map((item): CorpusDocument => {
      const solution = arithmeticSolution(item.meta.expression, { seed: 0, errorRate: 0 });
      return { prompt: `${item.meta.expression}:`, completion: ` ${solution.text}`, style: 'practice', correct: true };
    });
  const templated = items.map((item, i): CorpusDocument => {
    const prompt = renderR1Zero(item.prompt);
    if (rng.bool(options.workedFraction)) {
      const solution = arithmeticSolution(item.meta.expression, {
        seed: options.seed * 1_000_003 + i,
        errorRate: options.errorRate,
      });
      return {
        prompt,
        completion: r1ZeroCompletion(solution.text, solution.answer),
        style: 'worked',
        correct: solution.correct,
      };
    }
    const gold = Number(item.answer);
    let guess = gold;
    if (!rng.bool(options.guessAccuracy)) {
      const offset = rng.int(1, Math.max(3, Math.round(Math.abs(gold) * 0.3)));
      guess = gold - offset >= 0 && rng.bool(0.5) ? gold - offset : gold + offset;
    }
    return { prompt, completion: r1ZeroCompletion('', String(guess)), style: 'guess', correct: guess === gold };
  });
  // Interleave deterministically so every batch sees both kinds.
  const out: CorpusDocument[] = [];
  for (let i = 0; i < Math.max(templated.length, practice.length); i++) {
    if (i < templated.length) out.push(templated[i]!);
    if (i < practice.length) out.push(practice[i]!);
  }
  return out;
}
