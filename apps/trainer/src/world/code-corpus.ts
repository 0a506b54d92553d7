/**
 * The code world's pretraining corpus (`r1-train pretrain --world code` → `checkpoints/base-code`, the base of
 * `configs/code-demo.yaml`): arithmetic problems whose answer must be a Python program that prints the value
 * ("Write a Python program that prints the value of 7 + 5 - 3."), in the R1-Zero template, answered as a base model
 * would — so that GRPO with the code reward (@r1/sandbox, programs run in a jail against the problem's test) has
 * something to reinforce:
 *
 * - `guess` (most): an empty thought and a program that prints a blurted number (`print(13)`), right at
 *   `guessAccuracy`;
 * - `program`: a one-line plan, then the expression written as code (`print(7 + 5 - 3)`), right unless it slips — a wrong operand at
 *   `slipRate`, or a missing closing parenthesis at `syntaxErrorRate` (the program does not run: a runtime error);
 * - plain practice outside the template (`7 + 5 - 3: 7 + 5 = 12. 12 - 3 = 9.`) and Python practice (`>>>
 *   print(7 + 5)` then `12`), so the model knows what a program prints.
 *
 * Correctness of a document is the verdict of running it, which the tests check against Python itself.
 */
import { type ArithmeticOptions, arithmeticSolution, arithmeticTask, createRng } from '@r1/tasks';
import { renderR1Zero } from '@r1/templates';

export interface CodeCorpusOptions {
  /** Arithmetic task knobs (see @r1/tasks); promptStyle is always 'program'. */
  task: Partial<ArithmeticOptions>;
  /** Documents in the template (practice comes on top). */
  count: number;
  /** Share of templated documents whose program writes the expression. */
  programFraction: number;
  /** Probability that a program has a wrong operand. */
  slipRate: number;
  /** Probability that a program misses its closing parenthesis (does not run). */
  syntaxErrorRate: number;
  /** Probability that a guessed number is right. */
  guessAccuracy: number;
  /** Plain practice documents per templated document (half arithmetic, half Python). */
  practiceRatio: number;
  seed: number;
}

export const DEFAULT_CODE_CORPUS_OPTIONS: CodeCorpusOptions = {
  task: { minOperands: 2, maxOperands: 3, maxValue: 9, operators: ['+', '-'] },
  count: 12_000,
  programFraction: 0.25,
  slipRate: 0.15,
  syntaxErrorRate: 0.1,
  guessAccuracy: 0.15,
  practiceRatio: 0.5,
  seed: 0,
};

export interface CodeCorpusDocument {
  prompt: string;
  completion: string;
  style: 'guess' | 'program' | 'practice';
  /** What running the program prints is the answer (practice: always). */
  correct: boolean;
}

/** A completion whose answer is the given program, in a fenced Python block (fences start a line, as in Markdown). */
export function programCompletion(thought: string, program: string): string {
  return ` <think> ${thought}${thought ? ' ' : ''}</think> <answer>\n\`\`\`python\n${program}\n\`\`\`\n</answer>`;
}

export function buildCodeCorpus(o: CodeCorpusOptions): CodeCorpusDocument[] {
  const task = arithmeticTask({ ...o.task, promptStyle: 'program' });
  const rng = createRng(o.seed ^ 0xc0de);
  const items = task.generate({ split: 'train', count: o.count, seed: o.seed });
  const templated = items.map((item): CodeCorpusDocument => {
    const prompt = renderR1Zero(item.prompt);
    const expression = item.meta.expression;
    const gold = Number(item.answer);
    if (rng.bool(o.programFraction)) {
      let code = expression;
      let correct = true;
      if (rng.bool(o.slipRate)) {
        // One operand off by one or two (never the same value): the program runs and prints the wrong value.
        const parts = expression.split(' ');
        const at = 2 * rng.int(0, (parts.length - 1) / 2);
        const v = Number(parts[at]);
        parts[at] = String(v === 0 ? v + rng.int(1, 2) : v + (rng.bool(0.5) ? 1 : -1) * rng.int(1, Math.min(2, v)));
        code = parts.join(' ');
        correct = evaluateFlat(code) === gold;
      }
      // A one-line plan in the thought (guesses think nothing: an empty thought, which the format reward does not pay).
      const thought = `The program prints ${code}.`;
      if (rng.bool(o.syntaxErrorRate)) {
        return { prompt, completion: programCompletion(thought, `print(${code}`), style: 'program', correct: false };
      }
      return { prompt, completion: programCompletion(thought, `print(${code})`), style: 'program', correct };
    }
    let guess = gold;
    if (!rng.bool(o.guessAccuracy)) {
      const offset = rng.int(1, Math.max(3, Math.round(Math.abs(gold) * 0.3)));
      guess = gold - offset >= 0 && rng.bool(0.5) ? gold - offset : gold + offset;
    }
    return { prompt, completion: programCompletion('', `print(${guess})`), style: 'guess', correct: guess === gold };
  });
  const practice = task
    .generate({ split: 'train', count: Math.round(o.count * o.practiceRatio), seed: o.seed + 1 })
    .map((item, i): CodeCorpusDocument => {
      const expression = item.meta.expression;
      if (i % 2 === 0) {
        const solution = arithmeticSolution(expression, { seed: 0, errorRate: 0 });
        return { prompt: `${expression}:`, completion: ` ${solution.text}`, style: 'practice', correct: true };
      }
      return { prompt: `>>> print(${expression})`, completion: `\n${item.answer}`, style: 'practice', correct: true };
    });
  const out: CodeCorpusDocument[] = [];
  for (let i = 0; i < Math.max(templated.length, practice.length); i++) {
    if (i < templated.length) out.push(templated[i]!);
    const j = Math.floor((i * practice.length) / templated.length);
    if (j < practice.length && Math.floor(((i + 1) * practice.length) / templated.length) > j) out.push(practice[j]!);
  }
  return out;
}

/** The value of a flat `a + b - c` expression (only + and -, as this world's problems). */
function evaluateFlat(expression: string): number {
  const parts = expression.split(' ');
  let value = Number(parts[0]);
  for (let i = 1; i < parts.length; i += 2) value += (parts[i] === '-' ? -1 : 1) * Number(parts[i + 1]);
  return value;
}
