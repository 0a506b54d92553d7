/**
 * Is a completion readable in the sense of DeepSeek-R1 §2.3.1? The readable format is the chain of thought between
 * the reasoning tokens, then a short summary for the reader that states the result in words:
 * `<think> … </think> The answer is 4.` R1-Zero's outputs fail it when they have no summary (an `<answer>` tag is
 * markup, not a summary), when the structure is broken, or when the "summary" runs on.
 *
 * Rules: `parseCompletion(text, 'r1', { tokens })` finds no problem at all; the reasoning and the summary are not
 * blank; the summary has at least one word of two or more letters outside markup tags; it is at most
 * `maxSummaryChars` long. Linear in the text length, never throws.
 */
import { parseCompletion } from './parse-completion';
import type { R1Tokens } from './r1-readable';

export interface ReadableOptions {
  /** Longest summary that still counts as short. Default 300 characters. */
  maxSummaryChars: number;
  tokens?: Partial<R1Tokens>;
}

export const DEFAULT_READABLE_OPTIONS: Readonly<ReadableOptions> = Object.freeze({ maxSummaryChars: 300 });

/** A run of two or more letters of any script, outside `<…>` tags. */
function hasWord(text: string): boolean {
  let inTag = false;
  let run = 0;
  for (const ch of text) {
    if (ch === '<') inTag = true;
    else if (ch === '>') inTag = false;
    if (!inTag && /\p{L}/u.test(ch)) {
      run++;
      if (run >= 2) return true;
    } else {
      run = 0;
    }
  }
  return false;
}

export function isReadable(text: string, options: Partial<ReadableOptions> = {}): boolean {
  if (typeof text !== 'string') return false;
  const o = { ...DEFAULT_READABLE_OPTIONS, ...options };
  const parsed = parseCompletion(text, 'r1', o.tokens === undefined ? {} : { tokens: o.tokens });
  if (!parsed.wellFormed || parsed.reasoning === null || parsed.summary === null) return false;
  if (parsed.reasoning.trim() === '' || parsed.summary.trim() === '') return false;
  if (parsed.summary.length > o.maxSummaryChars) return false;
  return hasWord(parsed.summary);
}
