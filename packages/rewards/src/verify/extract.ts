/**
 * Finds candidate answer strings in a completion, in priority order (Math-Verify's order):
 *   inside the last `<answer>…</answer>` when present, then
 *   1. the last `\boxed{}`/`\fbox{}` (with neighbouring boxes merged: `\boxed{1} and \boxed{2}`),
 *   2. "final answer is …" / "#### …" (GSM8K),
 *   3. "the answer is …" / "answer: …",
 *   4. the last math environment (`$…$`, `\[…\]`, …; neighbours joined by "and"/"or"/"," merged),
 *   5. the whole text when it is short and looks like math (a bare gold answer such as `\frac{1}{2}`),
 *   6. the last number in the text (plain-text mode).
 * The caller parses candidates in order and keeps the first that parses.
 * Only linear scans and linear regexes are used; the input is already cut to a bounded tail.
 * Deliberately not here: parsing or judging the candidates.
 */
import { findBoxed, findMath, lastAnswerTag, type Span } from './scan';

export type CandidateSource = 'boxed' | 'final_answer' | 'answer_phrase' | 'math_env' | 'whole_text' | 'last_number';

export interface Candidate {
  text: string;
  /** `plain` turns on plain-text number conventions (decimal commas). */
  mode: 'latex' | 'plain';
  source: CandidateSource;
}

export interface ExtractOptions {
  latex: boolean;
  expr: boolean;
  /** ≤ 0: boxed answers outrank "final answer is"; > 0: they come after the answer phrases. */
  boxedMatchPriority: number;
  maxAnswerChars: number;
}

const CONNECTIVE_WORDS = new Set(['and', 'or', 'und', 'et']);

/** Words in a gap between two answers, with LaTeX commands, math delimiters and punctuation removed. */
function gapWords(gap: string): string[] {
  const cleaned = gap
    .replace(/\\[a-zA-Z]+/g, ' ')
    .replace(/[^A-Za-z]+/g, ' ')
    .trim();
  return cleaned === '' ? [] : cleaned.split(' ');
}

/**
 * Boxes separated by a short gap merge when the gap is only punctuation/spacing or has a connective
 * within at most 4 words ("and", "papers and", "\quad\text{and}\quad"); "Wait," between two boxes
 * does not merge, so a corrected answer replaces the earlier one.
 */
function boxGapOk(gap: string): boolean {
  if (gap.length > 120) return false;
  const words = gapWords(gap);
  return words.length === 0 || (words.length <= 4 && words.some((w) => CONNECTIVE_WORDS.has(w.toLowerCase())));
}

/** Math environments merge only across pure connectives: `$1$ and $2$`, `$21,16$ or $11$`. */
function envGapOk(gap: string): boolean {
  if (gap.length > 40) return false;
  return gapWords(gap).every((w) => CONNECTIVE_WORDS.has(w.toLowerCase()));
}

/** The last span plus earlier neighbours joined by acceptable gaps, as one comma-joined answer. */
function lastChain(text: string, spans: Span[], gapOk: (gap: string) => boolean): string | null {
  const last = spans[spans.length - 1];
  if (last === undefined) return null;
  const parts = [last.text];
  let right = last;
  for (let k = spans.length - 2; k >= 0 && parts.length < 64; k--) {
    const left = spans[k] as Span;
    if (!gapOk(text.slice(left.end, right.start))) break;
    parts.unshift(left.text);
    right = left;
  }
  return parts.map((p) => p.trim()).join(', ');
}

const FINAL_PHRASES = ['final answer is', 'final answer:', 'final answer', '####'];
const ANSWER_PHRASES = ['the answer is', 'answer is', 'answer:', 'answer =', 'solution is', 'result is'];

/** The text after the last occurrence of any phrase (up to the end of that sentence), and where it was. */
function afterPhrase(text: string, lower: string, phrases: string[]): { seg: string; at: number } | null {
  let best = -1;
  let bestLen = 0;
  for (const p of phrases) {
    const k = lower.lastIndexOf(p);
    if (k > best) {
      best = k;
      bestLen = p.length;
    }
  }
  if (best < 0) return null;
  let i = best + bestLen;
  // Skip "is", ":", "=", spaces, bold markers.
  for (;;) {
    const rest = text.slice(i, i + 4);
    if (/^[\s:=*]/.test(rest)) i++;
    else if (/^is\b/i.test(rest)) i += 2;
    else break;
  }
  return { seg: sentence(text, i), at: best };
}

/** From `i` to the end of the sentence: a line break after some text, a ". " outside math, or 400 characters. */
function sentence(text: string, i: number): string {
  let inMath: string | null = null;
  let j = i;
  const limit = Math.min(text.length, i + 400);
  for (; j < limit; j++) {
    const c = text[j];
    const two = text.slice(j, j + 2);
    if (two === '\\$' || two === '\\\\') {
      j++;
      continue;
    }
    if (inMath === null) {
      if (two === '$$' || two === '\\[' || two === '\\(') {
        inMath = two === '$$' ? '$$' : two === '\\[' ? '\\]' : '\\)';
        j++;
        continue;
      }
      if (c === '$') {
        inMath = '$';
        continue;
      }
      if (c === '\n' && j > i && text.slice(i, j).trim() !== '') break;
      if (c === '.' && !/[0-9]/.test(text[j + 1] ?? '') && /\s|$/.test(text[j + 1] ?? '')) break;
    } else if (text.startsWith(inMath, j)) {
      j += inMath.length - 1;
      inMath = null;
    }
  }
  return text.slice(i, j);
}

/** Candidates for one anchored segment ("The final answer is $(0, 1)$. I hope…"). */
function segmentCandidates(segment: string, source: CandidateSource, o: ExtractOptions): Candidate[] {
  let seg = segment;
  // "Final Answer: The largest $n$ is 34." → "34."
  const is = seg.toLowerCase().lastIndexOf(' is ');
  if (is >= 0) seg = seg.slice(is + 4);
  const out: Candidate[] = [];
  const envs = findMath(seg);
  if (envs.length > 0) {
    const chain = lastChain(seg, envs, envGapOk);
    if (chain !== null && o.latex) out.push({ text: chain, mode: 'latex', source });
    if (chain !== null && o.expr) out.push({ text: chain, mode: 'plain', source });
    return out;
  }
  const trimmed = seg.trim().replace(/[.\s*]+$/, '');
  if (trimmed !== '') {
    if (o.latex && looksLikeMath(trimmed, false)) out.push({ text: trimmed, mode: 'latex', source });
    if (o.expr && looksLikeMath(trimmed, true)) out.push({ text: trimmed, mode: 'plain', source });
    const n = lastNumber(trimmed);
    if (n !== null && o.expr) out.push({ text: n, mode: 'plain', source });
  }
  return out;
}

const NUMBER_RE =
  /(?<![A-Za-z0-9.])[-−]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:\s?\/\s?\d+(?:\.\d+)?)?(?:\s?(?:%|percent\b|pct\b))?/g;

/**
 * The last number-like token in the text (with sign, fraction and percent) and where it ends. Scans back
 * to the last digit and matches only in a window around it, so long texts cost no allocations per number.
 */
function lastNumberAt(text: string): { text: string; end: number } | null {
  let i = text.length - 1;
  while (i >= 0) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) break;
    i--;
  }
  if (i < 0) return null;
  for (let width = 256; ; width *= 4) {
    const from = Math.max(0, i - width);
    const window = text.slice(from, i + 40);
    let last: RegExpMatchArray | null = null;
    for (const m of window.matchAll(NUMBER_RE)) last = m;
    // A match that starts at the window's edge may be cut: widen unless the window is the whole prefix.
    if (last !== null && (from === 0 || (last.index ?? 0) > 0)) {
      return { text: last[0].replace(/,$/, ''), end: from + (last.index ?? 0) + last[0].length };
    }
    if (from === 0) return null;
  }
}

export function lastNumber(text: string): string | null {
  return lastNumberAt(text)?.text ?? null;
}

const MATH_WORDS = new Set([
  'sqrt',
  'pi',
  'sin',
  'cos',
  'tan',
  'sec',
  'csc',
  'cot',
  'log',
  'ln',
  'exp',
  'percent',
  'pct',
  'infinity',
  'inf',
  'and',
  'or',
  'abs',
  'max',
  'min',
  'gcd',
  'lcm',
]);

/**
 * Does a short text look like a bare answer rather than prose? LaTeX: at most one word of 3+ letters
 * outside commands (`125 miles`, `\text{Evelyn}`). Plain text: no letter run longer than one
 * character except function names.
 */
function looksLikeMath(text: string, plain: boolean): boolean {
  if (text.length === 0) return false;
  if (plain) return (text.match(/[A-Za-z]{2,}/g) ?? []).every((w) => MATH_WORDS.has(w.toLowerCase()));
  const words = text.replace(/\\[a-zA-Z]+(\{[^{}]*\})?/g, ' ').match(/[A-Za-z]{3,}/g) ?? [];
  return words.filter((w) => !MATH_WORDS.has(w.toLowerCase())).length <= 1;
}

interface Ranked extends Candidate {
  /** Position in the text; within one priority level the later answer wins. */
  at: number;
}

function byPositionDesc(list: Ranked[]): Candidate[] {
  return list.sort((a, b) => b.at - a.at).map(({ at: _at, ...c }) => c);
}

/** Candidate answers in priority order (see file header). */
export function extractCandidates(input: string, o: ExtractOptions): Candidate[] {
  const tagged = lastAnswerTag(input);
  const text = tagged ?? input;
  const lower = text.toLowerCase();
  const out: Candidate[] = [];
  const boxes = o.latex ? findBoxed(text) : [];
  const boxed = lastChain(text, boxes, boxGapOk);
  const boxedRanked: Ranked[] =
    boxed === null
      ? []
      : [{ text: boxed, mode: 'latex', source: 'boxed', at: (boxes[boxes.length - 1] as Span).start }];
  // Level 1: boxed and "final answer is" share a level when boxed has top priority; the later one wins.
  const fin = afterPhrase(text, lower, FINAL_PHRASES);
  const finRanked: Ranked[] =
    fin === null ? [] : segmentCandidates(fin.seg, 'final_answer', o).map((c) => ({ ...c, at: fin.at }));
  if (o.boxedMatchPriority <= 0) out.push(...byPositionDesc([...boxedRanked, ...finRanked]));
  else out.push(...byPositionDesc(finRanked));
  const ans = afterPhrase(text, lower, ANSWER_PHRASES);
  if (ans !== null) out.push(...segmentCandidates(ans.seg, 'answer_phrase', o));
  if (o.boxedMatchPriority > 0) out.push(...byPositionDesc(boxedRanked));
  const whole = text.trim();
  // A bare answer with no math delimiters and no box (typically a gold answer such as `\frac{1}{2}`).
  if (whole.length <= o.maxAnswerChars && boxes.length === 0 && !/(?<!\\)\$|\\\[|\\\(/.test(whole)) {
    if (o.latex && looksLikeMath(whole, false)) out.push({ text: whole, mode: 'latex', source: 'whole_text' });
    if (o.expr && looksLikeMath(whole, true)) out.push({ text: whole, mode: 'plain', source: 'whole_text' });
  }
  // Last level: the last math environment or the last number, whichever comes later.
  const last: Ranked[] = [];
  if (o.latex) {
    const envs = findMath(text);
    const env = lastChain(text, envs, envGapOk);
    if (env !== null)
      last.push({ text: env, mode: 'latex', source: 'math_env', at: (envs[envs.length - 1] as Span).end });
  }
  if (o.expr) {
    const n = lastNumberAt(text);
    // A number inside the last math environment is part of it: the environment is the richer answer.
    const inEnv = n !== null && last.length > 0 && n.end <= (last[0] as Ranked).at;
    if (n !== null) last.push({ text: n.text, mode: 'plain', source: 'last_number', at: inEnv ? -1 : n.end });
  }
  out.push(...byPositionDesc(last));
  return out.filter((c) => c.text.trim() !== '' && c.text.length <= o.maxAnswerChars);
}
