/**
 * Turns a problem into a generation request under one of the three templates:
 * - 'r1-zero': the R1-Zero text prompt of the paper's Table 1 (for models trained from a base model with it);
 * - 'chat': one user message — the problem, then an instruction — rendered by the engine with the model's own chat
 *   template (the checkpoint's, or the server's), as R1 and the distilled models are evaluated;
 * - 'raw': the bare problem text, for base models or prompts that are already templated.
 *
 * It does not render chat templates itself (the engine does) and knows nothing of answers.
 */
import type { EvalProblem } from '@r1/eval';
import type { GenerationRequest } from '@r1/sampler';
import { renderR1Zero } from '@r1/templates';
import type { ScoringKind } from './problems';
import type { TemplateName } from './run-options';

/** DeepSeek's recommended directive for math problems (the R1 model card's usage recommendations). */
export const R1_MATH_INSTRUCTION = 'Please reason step by step, and put your final answer within \\boxed{}.';

/** TinyZero's Countdown instruction: the equation goes in an answer block, which is where the judge reads it. */
export const COUNTDOWN_INSTRUCTION =
  'Show your work in <think> </think> tags. And return the final answer in <answer> </answer> tags, ' +
  'for example <answer> (1 + 2) / 3 </answer>.';

/**
 * Code problems: a complete program in one fenced block at the end (the judge reads the last block of the answer).
 * Problems with starter code (APPS call-based, LiveCodeBench functional) show it in the prompt.
 */
export const CODE_INSTRUCTION =
  'Write a solution in Python 3. Unless starter code is given (then complete it), read the input from standard ' +
  'input and write the answer to standard output. Put the complete program in one ```python code block at the end ' +
  'of your answer.';

/** The instruction the chat template appends by default. */
export function defaultInstruction(scoring: ScoringKind): string {
  switch (scoring) {
    case 'math':
      return R1_MATH_INSTRUCTION;
    case 'countdown':
      return COUNTDOWN_INSTRUCTION;
    case 'code':
      return CODE_INSTRUCTION;
    default: {
      const never: never = scoring;
      throw new TypeError(`unknown scoring ${String(never)}`);
    }
  }
}

/** The request builder of a template; `instruction` is used by 'chat' only ('' for none). */
export function promptTemplate(
  template: TemplateName,
  instruction: string,
): (problem: EvalProblem) => GenerationRequest {
  switch (template) {
    case 'r1-zero':
      return (problem) => ({ prompt: renderR1Zero(problem.prompt) });
    case 'chat':
      return (problem) => ({
        messages: [
          { role: 'user', content: instruction === '' ? problem.prompt : `${problem.prompt}\n${instruction}` },
        ],
      });
    case 'raw':
      return (problem) => ({ prompt: problem.prompt });
    default: {
      const never: never = template;
      throw new TypeError(`unknown template ${String(never)}`);
    }
  }
}
