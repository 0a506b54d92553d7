/**
 * The public verifier: `parseAnswer` (extract + parse), `verifyAnswer` (gold-guided equality of two
 * parsed answers) and `mathVerify` (both, from raw texts, with the reason). None of them throws on
 * any input and all work is bounded: the completion is cut to its last `maxInputChars`, answers to
 * `maxAnswerChars`, and parsing and arithmetic have hard limits (see config.ts).
 *
 * @example
 * mathVerify('\\frac{1}{2}', 'so the answer is $\\boxed{0.5}$.').correct // true
 * mathVerify('(1, 3)', 'The interval is $[1, 3]$').correct              // false
 */
import type { Node } from './ast';
import { extractChoice } from './choice';
import { answersEqual } from './compare';
import { resolveVerifyOptions, type VerifyOptions } from './config';
import { type CandidateSource, type ExtractOptions, forEachCandidate } from './extract';
import { comparableFromNormalized, comparableString, normalizeLatex } from './normalize';
import { type ParseOptions, parseMath } from './parse';

export interface ParsedAnswer {
  /** The answer as found in the text (before normalisation). */
  extracted: string;
  /** Normalised string form (for `string` matches: the reported choice). */
  normalized: string;
  /** Where in the text it was found. */
  source: CandidateSource | 'choice';
  /** The parsed tree; null for a multiple-choice string. */
  node: Node | null;
}

export type VerifyStatus = 'correct' | 'incorrect' | 'no_answer' | 'gold_unparsable' | 'error';

export interface MathVerifyResult {
  correct: boolean;
  /** The prediction's extracted answer, or null when none was found. */
  extracted: string | null;
  /** The gold answer as extracted. */
  goldExtracted: string | null;
  status: VerifyStatus;
  /** Human-readable explanation. */
  reason: string;
}

/**
 * `sameText`: the answer's `normalized` is `normalizeLatex(extracted)` (the candidate needed no trimming, the
 * usual case), so the "same string" shortcut can reuse it instead of normalising `extracted` again.
 */
type Parse = { ok: true; answer: ParsedAnswer; sameText: boolean } | { ok: false; reason: string };

function tail(text: string, max: number): string {
  return text.length > max ? text.slice(text.length - max) : text;
}

function parseWithReason(text: string, o: VerifyOptions): Parse {
  if (typeof text !== 'string') return { ok: false, reason: 'input is not a string' };
  const t = tail(text, o.maxInputChars);
  // R1-style completions: once the model has closed its reasoning and written a final part, the answer is read from
  // that part only. Falling back to the reasoning would pay `…18?</think> The answer is $\boxed{}$.` for the 18
  // it considered while thinking: an empty answer scoring as correct (found by @r1/rewards/testing's empty-answer law).
  const thinkEnd = t.lastIndexOf('</think>');
  if (thinkEnd >= 0) {
    const after = t.slice(thinkEnd + 8);
    if (after.trim() !== '') return parseText(after, o);
  }
  return parseText(t, o);
}

function parseText(t: string, o: VerifyOptions): Parse {
  let firstFailure: string | null = null;
  // (Assigned in the callback, which TypeScript's narrowing does not follow.)
  let found = null as ParsedAnswer | null;
  let sameText = false;
  const extract: ExtractOptions = {
    latex: o.matchTypes.includes('latex'),
    expr: o.matchTypes.includes('expr'),
    boxedMatchPriority: o.boxedMatchPriority,
    maxAnswerChars: o.maxAnswerChars,
  };
  const latex: ParseOptions = { plain: false, maxTokens: o.maxTokens, maxDepth: o.maxDepth, maxDigits: o.maxDigits };
  const plain: ParseOptions = { ...latex, plain: true };
  // Candidates come in priority order and the first that parses is the answer, so the rest are never extracted.
  forEachCandidate(t, extract, (c) => {
    const normalized = normalizeLatex(c.text);
    const r = parseMath(normalized, c.mode === 'plain' ? plain : latex);
    if (r.ok) {
      const extracted = c.text.trim();
      found = { extracted, normalized, source: c.source, node: r.node };
      sameText = extracted === c.text;
      return true;
    }
    firstFailure ??= `${c.source} '${c.text.slice(0, 60)}': ${r.reason}`;
    return false;
  });
  if (found !== null) return { ok: true, answer: found, sameText };
  if (o.matchTypes.includes('string')) {
    const choice = extractChoice(t, o.stringMatch);
    if (choice !== null)
      return {
        ok: true,
        answer: { extracted: choice.original, normalized: choice.normalized, source: 'choice', node: null },
        sameText: false,
      };
  }
  return { ok: false, reason: firstFailure ?? 'no answer found' };
}

/**
 * Extracts and parses the answer in `text` (a completion or a gold answer). Returns null when no
 * candidate parses.
 */
export function parseAnswer(text: string, options: Partial<VerifyOptions> = {}): ParsedAnswer | null {
  const o = resolveVerifyOptions(options);
  try {
    const r = parseWithReason(text, o);
    return r.ok ? r.answer : null;
  } catch {
    return null;
  }
}

/** `comparableString(a.extracted)`, from `a.normalized` when that is known to be `normalizeLatex(a.extracted)`. */
function comparable(a: ParsedAnswer, sameText: boolean): string {
  return sameText ? comparableFromNormalized(a.normalized) : comparableString(a.extracted);
}

function equalResolved(
  gold: ParsedAnswer,
  pred: ParsedAnswer,
  o: VerifyOptions,
  goldSameText = false,
  predSameText = false,
): boolean {
  if (gold.node === null || pred.node === null) {
    return gold.normalized.toLowerCase() === pred.normalized.toLowerCase();
  }
  if (comparable(gold, goldSameText) === comparable(pred, predSameText)) return true;
  return answersEqual(gold.node, pred.node, o);
}

/** Gold-guided equality of two parsed answers (not symmetric: the gold decides how to compare). */
export function verifyAnswer(
  gold: ParsedAnswer,
  predicted: ParsedAnswer,
  options: Partial<VerifyOptions> = {},
): boolean {
  const o = resolveVerifyOptions(options);
  try {
    return equalResolved(gold, predicted, o);
  } catch {
    return false;
  }
}

/** Resolved-options variant for hot loops (the CLI, rewards): skips re-validating options. */
export function mathVerifyResolved(goldText: string, predictionText: string, o: VerifyOptions): MathVerifyResult {
  try {
    const g = parseWithReason(goldText, o);
    if (!g.ok)
      return {
        correct: false,
        extracted: null,
        goldExtracted: null,
        status: 'gold_unparsable',
        reason: `gold answer could not be parsed: ${g.reason}`,
      };
    const p = parseWithReason(predictionText, o);
    if (!p.ok)
      return {
        correct: false,
        extracted: null,
        goldExtracted: g.answer.extracted,
        status: 'no_answer',
        reason: `no answer in prediction: ${p.reason}`,
      };
    const correct = equalResolved(g.answer, p.answer, o, g.sameText, p.sameText);
    return {
      correct,
      extracted: p.answer.extracted,
      goldExtracted: g.answer.extracted,
      status: correct ? 'correct' : 'incorrect',
      reason: correct ? `equal (prediction from ${p.answer.source})` : `not equal (prediction from ${p.answer.source})`,
    };
  } catch (e) {
    return {
      correct: false,
      extracted: null,
      goldExtracted: null,
      status: 'error',
      reason: `internal error: ${String(e).slice(0, 200)}`,
    };
  }
}

/**
 * Extracts the answers from a gold text and a prediction and checks them for mathematical equality.
 * Never throws for any input texts (bad *options* throw, with the fix in the message).
 */
export function mathVerify(
  goldText: string,
  predictionText: string,
  options: Partial<VerifyOptions> = {},
): MathVerifyResult {
  return mathVerifyResolved(goldText, predictionText, resolveVerifyOptions(options));
}
