/**
 * The R1 world's pretraining corpus (`r1-train pretrain --world r1`): what the base model of the R1 pipeline has
 * seen, built so that each of the paper's findings can show up in miniature — or fail to.
 *
 * - **Reasoning problems with verifiable answers** (arithmetic), in the R1-Zero template, completed as a base model
 *   would: mostly a blurted guess (`<think> </think> <answer> 17 </answer>`, usually wrong), sometimes the steps
 *   worked out (usually right). RL has something to reinforce, as in world/corpus.ts.
 * - **Language mixing.** Most worked solutions mix English and Chinese phrases ("首先 we add 4 + 7 = 11. 然后 我们加
 *   11 + 1 = 12. 所以结果是 12."). Mixed traces slip a little less often than English ones (`mixedErrorRate` <
 *   `errorRate`), so an accuracy-only reward has no reason to stop mixing — and a language-consistency reward has a
 *   small accuracy price, as the paper reports (§2.3.2). Untreated, R1-Zero's chains of thought stay mixed.
 * - **Unreadable traces.** Some worked solutions are run-on ("4 + 7 = 11 11 + 1 = 12"); none has a summary for the
 *   reader. A share of reasoning documents uses the R1 prompt ("User: … Assistant:"): a worked trace there ends in a
 *   bare number after `</think>`, a guess states its answer in words after an empty thought ("The answer is 17.",
 *   the phrase the readable summary will use) — the readable format (reasoning, then a summary in words) occurs
 *   nowhere.
 * - **General prompts** (greetings, spelling a number, repeating a phrase; world/general.ts) in the R1 prompt,
 *   answered directly (no chain of thought), not always well (the world's first prompt set:
 *   `corpusGeneralPrompts`).
 * - **Practice** outside any template: plain worked arithmetic, always right, so the model knows how to compute.
 */
import { type ArithmeticOptions, arithmeticSolution, arithmeticTask, createRng } from '@r1/tasks';
import { renderR1Zero } from '@r1/templates';
import { r1ZeroCompletion } from './corpus';
import { corpusGeneralPrompts } from './general';
import { describeSteps, type Language } from './languages';
import { summaryOf } from './reformat';

export interface R1CorpusOptions {
  /** Arithmetic task knobs (see @r1/tasks). */
  task: Partial<ArithmeticOptions>;
  /** Reasoning documents in a template (practice and general documents come on top). */
  count: number;
  /** Share of reasoning documents whose completion works the steps. */
  workedFraction: number;
  /** Share of worked solutions in mixed English and Chinese. */
  mixedFraction: number;
  /** In a mixed solution, the probability that a phrase is Chinese (at least one always is). */
  mixProbability: number;
  /** Share of worked solutions written run-on (no phrases, no full stops). */
  runOnFraction: number;
  /** Slip rate of English (and run-on) worked solutions. */
  errorRate: number;
  /** Slip rate of mixed-language worked solutions. */
  mixedErrorRate: number;
  /** Probability that a guess is right. */
  guessAccuracy: number;
  /** Share of reasoning documents in the R1 prompt ("User: … Assistant:") instead of the R1-Zero template. */
  r1PromptFraction: number;
  /** Plain practice documents per reasoning document. */
  practiceRatio: number;
  /** General-prompt documents per reasoning document. */
  generalRatio: number;
  /** Share of general documents with the gold reply (the rest reply as to another prompt). */
  generalAccuracy: number;
  seed: number;
}

export const DEFAULT_R1_CORPUS_OPTIONS: R1CorpusOptions = {
  // Up to 4 operands: the R1 pipeline trains and evaluates on 2–3 (configs/r1.yaml); 4-operand problems are the
  // world's harder task (rarer in the corpus, longer to work), where a small student's own samples are seldom right.
  task: { minOperands: 2, maxOperands: 4, maxValue: 9, operators: ['+', '-'], promptStyle: 'question' },
  count: 20_000,
  workedFraction: 0.3,
  mixedFraction: 0.6,
  mixProbability: 0.5,
  runOnFraction: 0.2,
  errorRate: 0.15,
  mixedErrorRate: 0.08,
  guessAccuracy: 0.15,
  r1PromptFraction: 0.25,
  practiceRatio: 0.5,
  generalRatio: 0.15,
  generalAccuracy: 0.6,
  seed: 0,
};

export type R1Style = 'guess' | 'worked' | 'practice' | 'general';

export interface R1CorpusDocument {
  prompt: string;
  completion: string;
  style: R1Style;
  /** The prompt format: R1-Zero's template, R1's "User: … Assistant:", or none (practice). */
  template: 'r1-zero' | 'r1' | 'none';
  /** Worked solutions: English, mixed or run-on; null otherwise. */
  language: 'en' | 'mixed' | 'run-on' | null;
  correct: boolean;
}

/** The R1 prompt of a question: the user turn and the assistant's cue, as "User: … Assistant:" templates write it. */
export function r1Prompt(question: string): string {
  return `User: ${question}\nAssistant:`;
}

export function buildR1Corpus(options: R1CorpusOptions): R1CorpusDocument[] {
  const o = options;
  const task = arithmeticTask(o.task);
  const rng = createRng(o.seed ^ 0x51eed);
  const items = task.generate({ split: 'train', count: o.count, seed: o.seed });
  const reasoning = items.map((item, i): R1CorpusDocument => {
    const template = rng.bool(o.r1PromptFraction) ? 'r1' : 'r1-zero';
    const prompt = template === 'r1' ? r1Prompt(item.prompt) : renderR1Zero(item.prompt);
    let thought = '';
    let answer: string;
    let language: R1CorpusDocument['language'] = null;
    let correct: boolean;
    let style: R1Style = 'guess';
    if (rng.bool(o.workedFraction)) {
      style = 'worked';
      const runOn = rng.bool(o.runOnFraction);
      const mixed = !runOn && rng.bool(o.mixedFraction);
      language = runOn ? 'run-on' : mixed ? 'mixed' : 'en';
      const solution = arithmeticSolution(item.meta.expression as string, {
        seed: o.seed * 1_000_003 + i,
        errorRate: mixed ? o.mixedErrorRate : o.errorRate,
      });
      const languages: Language[] = [];
      const pick = (): Language => {
        const l: Language = mixed && rng.bool(o.mixProbability) ? 'zh' : 'en';
        languages.push(l);
        return l;
      };
      thought = describeSteps(solution.steps, pick, runOn);
      if (mixed && !languages.includes('zh'))
        thought = describeSteps(solution.steps, (k) => (k === 'result' ? 'zh' : 'en'));
      answer = solution.answer;
      correct = solution.correct;
    } else {
      const gold = Number(item.answer);
      let guess = gold;
      if (!rng.bool(o.guessAccuracy)) {
        const offset = rng.int(1, Math.max(3, Math.round(Math.abs(gold) * 0.3)));
        guess = gold - offset >= 0 && rng.bool(0.5) ? gold - offset : gold + offset;
      }
      answer = String(guess);
      correct = guess === gold;
    }
    // In the R1 prompt, a guess is blurted in words after an empty thought (` <think> </think> The answer is 17.`),
    // and a worked trace has no summary, only a bare number: neither is readable (reasoning, then a summary).
    const completion =
      template !== 'r1'
        ? r1ZeroCompletion(thought, answer)
        : thought
          ? ` <think> ${thought} </think> ${answer}`
          : ` <think> </think> ${summaryOf(answer)}`;
    return { prompt, completion, style, template, language, correct };
  });
  const practice = task
    .generate({ split: 'train', count: Math.round(o.count * o.practiceRatio), seed: o.seed + 1 })
    .map((item): R1CorpusDocument => {
      const solution = arithmeticSolution(item.meta.expression as string, { seed: 0, errorRate: 0 });
      return {
        prompt: `${item.meta.expression}:`,
        completion: ` ${solution.text}`,
        style: 'practice',
        template: 'none',
        language: null,
        correct: true,
      };
    });
  const generalPrompts = corpusGeneralPrompts(Math.round(o.count * o.generalRatio), o.seed + 2);
  const general = generalPrompts.map((p, i): R1CorpusDocument => {
    const right = rng.bool(o.generalAccuracy);
    const reply = right ? p.reply : generalPrompts[(i + 1) % generalPrompts.length]!.reply;
    return {
      prompt: r1Prompt(p.prompt),
      completion: ` ${reply}`,
      style: 'general',
      template: 'r1',
      language: null,
      correct: reply === p.reply,
    };
  });
  // Interleave deterministically so every batch sees every kind.
  const out: R1CorpusDocument[] = [];
  const streams = [reasoning, practice, general];
  const longest = Math.max(...streams.map((s) => s.length));
  for (let i = 0; i < longest; i++) {
    for (const s of streams) {
      // Spread the shorter streams evenly over the longest one.
      const j = Math.floor((i * s.length) / longest);
      if (j < s.length && Math.floor(((i + 1) * s.length) / longest) > j) out.push(s[j]!);
    }
  }
  return out;
}
