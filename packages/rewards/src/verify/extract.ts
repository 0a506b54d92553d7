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

/** Candidates and ranked candidates are built only here, so they all share one object shape each. */
function candidate(text: string, mode: Candidate['mode'], source: CandidateSource): Candidate {
  return { text, mode, source };
}

function ranked(text: string, mode: Candidate['mode'], source: CandidateSource, at: number): Ranked {
  return { text, mode, source, at };
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

/**
 * The last span plus earlier neighbours joined by acceptable gaps (at most 64 spans), as one comma-joined answer.
 * Exported for tests.
 */
export function lastChain(text: string, spans: Span[], gapOk: (gap: string) => boolean): string | null {
  const n = spans.length;
  if (n === 0) return null;
  let first = n - 1;
  while (first > 0 && n - first < 64 && gapOk(text.slice((spans[first - 1] as Span).end, (spans[first] as Span).start)))
    first--;
  let out = (spans[first] as Span).text.trim();
  for (let k = first + 1; k < n; k++) out += `, ${(spans[k] as Span).text.trim()}`;
  return out;
}

const FINAL_PHRASES = ['final answer is', 'final answer:', 'final answer', '####'];
const ANSWER_PHRASES = ['the answer is', 'answer is', 'answer:', 'answer =', 'solution is', 'result is'];

/**
 * Where the last occurrence of any of `phrases` in `lower` starts, and that phrase's length (at one position the
 * phrase listed first wins), or null: what `lastIndexOf` of every phrase gives. `anchor` is a word most phrases
 * contain: a phrase holding it at offset d can only occur at or before (last anchor) − d, so it is searched from
 * there, or not at all when it could not beat the best so far. Exported for tests.
 */
export function lastPhrase(lower: string, phrases: string[], anchor: string): { at: number; length: number } | null {
  const lastAnchor = lower.lastIndexOf(anchor);
  let best = -1;
  let bestLen = 0;
  for (let q = 0; q < phrases.length; q++) {
    const p = phrases[q] as string;
    const d = anchor === '' ? -1 : p.indexOf(anchor);
    if (d >= 0 && lastAnchor - d <= best) continue;
    const k = d >= 0 ? lower.lastIndexOf(p, lastAnchor - d) : lower.lastIndexOf(p);
    if (k > best) {
      best = k;
      bestLen = p.length;
    }
  }
  return best < 0 ? null : { at: best, length: bestLen };
}

/** The text after the last occurrence of any phrase (up to the end of that sentence), and where it was. */
function afterPhrase(
  text: string,
  lower: string,
  phrases: string[],
  anchor: string,
): { seg: string; at: number } | null {
  const found = lastPhrase(lower, phrases, anchor);
  if (found === null) return null;
  const best = found.at;
  const bestLen = found.length;
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
    const next = text[j + 1];
    if (c === '\\' && (next === '$' || next === '\\')) {
      j++;
      continue;
    }
    if (inMath === null) {
      if ((c === '$' && next === '$') || (c === '\\' && (next === '[' || next === '('))) {
        inMath = c === '$' ? '$$' : next === '[' ? '\\]' : '\\)';
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
    if (chain !== null && o.latex) out.push(candidate(chain, 'latex', source));
    if (chain !== null && o.expr) out.push(candidate(chain, 'plain', source));
    return out;
  }
  const trimmed = seg.trim().replace(/[.\s*]+$/, '');
  if (trimmed !== '') {
    if (o.latex && looksLikeMath(trimmed, false)) out.push(candidate(trimmed, 'latex', source));
    if (o.expr && looksLikeMath(trimmed, true)) out.push(candidate(trimmed, 'plain', source));
    const n = lastNumber(trimmed);
    if (n !== null && o.expr) out.push(candidate(n, 'plain', source));
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
  if (list.length > 1) list.sort((a, b) => b.at - a.at);
  return list.map((c) => candidate(c.text, c.mode, c.source));
}

type Visit = (c: Candidate) => boolean;

/** Hands a candidate to `visit` unless it is blank or too long; true when `visit` accepted it. */
function emit(c: Candidate, o: ExtractOptions, visit: Visit): boolean {
  return c.text.trim() !== '' && c.text.length <= o.maxAnswerChars && visit(c);
}

function emitAll(list: Candidate[], o: ExtractOptions, visit: Visit): boolean {
  for (let k = 0; k < list.length; k++) if (emit(list[k] as Candidate, o, visit)) return true;
  return false;
}

/**
 * Calls `visit` with each candidate answer in priority order (see file header) until it returns true; the
 * levels after the one that satisfied it are never computed (a parsed `\boxed{}` needs no scan for the last
 * number). The order, and so the answer chosen, is that of {@link extractCandidates}.
 */
export function forEachCandidate(input: string, o: ExtractOptions, visit: Visit): void {
  const tagged = lastAnswerTag(input);
  const text = tagged ?? input;
  const lower = text.toLowerCase();
  const boxes = o.latex ? findBoxed(text) : [];
  const boxed = lastChain(text, boxes, boxGapOk);
  const boxedAt = boxes.length > 0 ? (boxes[boxes.length - 1] as Span).start : -1;
  // Level 1: boxed and "final answer is" share a level when boxed has top priority; the later one wins.
  const level1: Ranked[] = [];
  if (boxed !== null && o.boxedMatchPriority <= 0) level1.push(ranked(boxed, 'latex', 'boxed', boxedAt));
  const fin = afterPhrase(text, lower, FINAL_PHRASES, 'final answer');
  if (fin !== null)
    for (const c of segmentCandidates(fin.seg, 'final_answer', o))
      level1.push(ranked(c.text, c.mode, c.source, fin.at));
  if (emitAll(byPositionDesc(level1), o, visit)) return;
  const ans = afterPhrase(text, lower, ANSWER_PHRASES, 'answer');
  if (ans !== null && emitAll(segmentCandidates(ans.seg, 'answer_phrase', o), o, visit)) return;
  if (boxed !== null && o.boxedMatchPriority > 0 && emit(candidate(boxed, 'latex', 'boxed'), o, visit)) return;
  const whole = text.trim();
  // A bare answer with no math delimiters and no box (typically a gold answer such as `\frac{1}{2}`).
  if (whole.length <= o.maxAnswerChars && boxes.length === 0 && !/(?<!\\)\$|\\\[|\\\(/.test(whole)) {
    if (o.latex && looksLikeMath(whole, false) && emit(candidate(whole, 'latex', 'whole_text'), o, visit)) return;
    if (o.expr && looksLikeMath(whole, true) && emit(candidate(whole, 'plain', 'whole_text'), o, visit)) return;
  }
  // Last level: the last math environment or the last number, whichever comes later.
  const last: Ranked[] = [];
  if (o.latex) {
    const envs = findMath(text);
    const env = lastChain(text, envs, envGapOk);
    if (env !== null) last.push(ranked(env, 'latex', 'math_env', (envs[envs.length - 1] as Span).end));
  }
  if (o.expr) {
    const n = lastNumberAt(text);
    // A number inside the last math environment is part of it: the environment is the richer answer.
    const inEnv = n !== null && last.length > 0 && n.end <= (last[0] as Ranked).at;
    if (n !== null) last.push(ranked(n.text, 'plain', 'last_number', inEnv ? -1 : n.end));
  }
  emitAll(byPositionDesc(last), o, visit);
}

/** Every candidate answer, in priority order (see file header). */
export function extractCandidates(input: string, o: ExtractOptions): Candidate[] {
  const out: Candidate[] = [];
  forEachCandidate(input, o, (c) => {
    out.push(c);
    return false;
  });
  return out;
}
