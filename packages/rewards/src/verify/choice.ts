/**
 * Multiple-choice extraction (Math-Verify's `StringExtractionConfig`): finds one of the allowed strings
 * (default A–D) after an "answer is" phrase, at the start of the text ("A. because…"), or — when
 * allowed — as the last standalone occurrence anywhere. Matching is case-sensitive on the choices so the
 * word "a" never counts as choice A. Linear: one pass of indexOf per choice.
 * Deliberately not here: math answers (extract.ts).
 */
import type { StringMatchOptions } from './config';

export interface Choice {
  /** As reported: lower-cased when `lowercase` is set. */
  normalized: string;
  /** As written. */
  original: string;
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_]/.test(c);
}

/** Positions where `choice` stands alone (not inside a word). */
function standalone(text: string, choice: string): number[] {
  const out: number[] = [];
  for (let k = text.indexOf(choice); k >= 0; k = text.indexOf(choice, k + 1)) {
    if (!isWordChar(text[k - 1]) && !isWordChar(text[k + choice.length])) out.push(k);
  }
  return out;
}

const ANCHORS = [
  'final answer is',
  'answer is',
  'answer:',
  'correct answer is',
  'correct option is',
  'option',
  'choice',
];

export function extractChoice(text: string, o: StringMatchOptions): Choice | null {
  const make = (c: string): Choice => ({ normalized: o.lowercase ? c.toLowerCase() : c, original: c });
  const lower = text.toLowerCase();
  // 1. After the last answer phrase: "The answer is (B)".
  let anchorEnd = -1;
  for (const a of ANCHORS) {
    const k = lower.lastIndexOf(a);
    if (k >= 0 && k + a.length > anchorEnd) anchorEnd = k + a.length;
  }
  if (anchorEnd >= 0) {
    const after = text.slice(anchorEnd, anchorEnd + 40);
    let best: { at: number; c: string } | null = null;
    for (const c of o.strings) {
      const at = standalone(after, c)[0];
      if (at !== undefined && (best === null || at < best.at)) best = { at, c };
    }
    if (
      best !== null &&
      /^[\s:*([{$\\a-z]*$/.test(after.slice(0, best.at).replace(/\\text\{|\\boxed\{|\\textbf\{/g, ''))
    )
      return make(best.c);
  }
  // 2. At the very start: "A. Because …", "(C) …".
  const head = text.trimStart();
  for (const c of o.strings) {
    if (head.startsWith(c) && !isWordChar(head[c.length])) return make(c);
    if (head.startsWith(`(${c})`)) return make(c);
  }
  // 3. Anywhere: the last standalone occurrence.
  if (!o.tryExtractWithoutAnchor) return null;
  let last: { at: number; c: string } | null = null;
  for (const c of o.strings) {
    const pos = standalone(text, c);
    const at = pos[pos.length - 1];
    if (at !== undefined && (last === null || at > last.at)) last = { at, c };
  }
  return last === null ? null : make(last.c);
}
