/**
 * The R1-Zero prompt template, verbatim from Table 1 of the DeepSeek-R1 paper (DeepSeek-AI, 2025), and its renderer.
 *
 * The template ends with "Assistant:", so a completion sampled from it starts right after that colon and is expected
 * to read `<think> … </think> <answer> … </answer>` (parse it with `parseCompletion(text, 'r1-zero')`). This module
 * only builds the prompt string; it does not tokenize, add special tokens or apply a chat template (R1-Zero was
 * trained on a base model with this plain-text prompt).
 */

/** Table 1 of the DeepSeek-R1 paper, with `{prompt}` where the question goes. */
export const R1_ZERO_TEMPLATE =
  'A conversation between User and Assistant. The user asks a question, and the Assistant solves it. ' +
  'The assistant first thinks about the reasoning process in the mind and then provides the user with the answer. ' +
  'The reasoning process and answer are enclosed within <think> </think> and <answer> </answer> tags, ' +
  'respectively, i.e., <think> reasoning process here </think> <answer> answer here </answer>. ' +
  'User: {prompt}. Assistant:';

const PLACEHOLDER = '{prompt}';

/**
 * Puts `prompt` into {@link R1_ZERO_TEMPLATE}. The prompt is inserted as is: no trimming, and `$` or `{prompt}`
 * inside it are not special.
 *
 * @example renderR1Zero('What is 2+2?') // '… User: What is 2+2?. Assistant:'
 */
export function renderR1Zero(prompt: string): string {
  if (typeof prompt !== 'string') {
    throw new TypeError(`renderR1Zero: prompt must be a string, got ${prompt === null ? 'null' : typeof prompt}`);
  }
  const at = R1_ZERO_TEMPLATE.indexOf(PLACEHOLDER);
  return R1_ZERO_TEMPLATE.slice(0, at) + prompt + R1_ZERO_TEMPLATE.slice(at + PLACEHOLDER.length);
}
