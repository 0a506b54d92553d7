/**
 * The cold start's post-processing (R1 §2.3.1: "gathering DeepSeek-R1-Zero outputs in a readable format, and
 * refining the results through post-processing"): a verified R1-Zero trace becomes a readable one, by deterministic
 * code instead of human annotators.
 *
 * `<think> 首先 we add 4 + 7 = 11 然后 … </think> <answer> 12 </answer>` becomes
 * ` <think> First we add 4 + 7 = 11. Then … </think> The answer is 12.` — the reasoning in one language
 * (world/languages.ts's `toEnglish`), run-on steps cut into sentences, and a summary for the reader that states the
 * answer, in `@r1/templates`' `renderR1Readable` format. The arithmetic is never changed.
 */
import { parseCompletion, renderR1Readable } from '@r1/templates';
import { toEnglish } from './languages';

/** The summary of a readable trace. */
export function summaryOf(answer: string): string {
  return `The answer is ${answer}.`;
}

/** Cuts run-on steps ("4 + 7 = 11 11 + 1 = 12") into sentences and ends the text with a full stop. */
export function sentences(reasoning: string): string {
  const cut = reasoning.replace(/(=\s*-?\d+(?:\.\d+)?)\s+(?=[-\d])/g, '$1. ').trim();
  return cut === '' || cut.endsWith('.') ? cut : `${cut}.`;
}

/**
 * The readable form of an R1-Zero completion, with a leading space (it follows the prompt's "Assistant:"), or null
 * when the completion has no reasoning or no answer to build it from.
 */
export function toReadable(r1ZeroCompletion: string): string | null {
  const parsed = parseCompletion(r1ZeroCompletion, 'r1-zero');
  if (!parsed.wellFormed || parsed.reasoning === null || parsed.answer === null) return null;
  const reasoning = sentences(toEnglish(parsed.reasoning));
  const answer = parsed.answer.trim();
  if (reasoning === '' || answer === '') return null;
  return ` ${renderR1Readable({ reasoning: ` ${reasoning} `, summary: ` ${summaryOf(answer)}` })}`;
}
