/**
 * Options of the math verifier: one interface, its defaults, and `resolveVerifyOptions`, which rejects
 * unknown keys and bad values with messages that say how to fix them. `fromMathVerifyOptions` accepts
 * the snake_case names used by the Python Math-Verify library (and by the verifier-cases corpus).
 */

export type MatchType = 'latex' | 'expr' | 'string';

/** Multiple-choice extraction (Math-Verify's `StringExtractionConfig`). */
export interface StringMatchOptions {
  /** The answer strings to look for. Default `['A', 'B', 'C', 'D']`. */
  strings: string[];
  /** Report the extracted choice in lower case. Default true. */
  lowercase: boolean;
  /** Also accept a bare choice letter that follows no "answer is" phrase. Default true. */
  tryExtractWithoutAnchor: boolean;
}

export interface VerifyOptions {
  /** What to extract: LaTeX (`\boxed{}`, `$…$`), plain expressions/numbers, or choice strings. Default `['latex', 'expr']`. */
  matchTypes: MatchType[];
  /** Decimal places both sides are rounded to when either contains a decimal number (Math-Verify `float_rounding`). Default 6. */
  precision: number;
  /** Variables must match by name (`f(x)` ≠ `f(y)`); false matches them up by sorted order. Default true. */
  strict: boolean;
  /** Let a gold set/interval match a predicted inequality (gold inequalities always match intervals). Default false. */
  allowSetRelationComp: boolean;
  /** ≤ 0: the last `\boxed{}` outranks "final answer is"; > 0: boxed comes after the answer phrases. Default 0. */
  boxedMatchPriority: number;
  /** Options for the `string` match type. */
  stringMatch: StringMatchOptions;
  /** Only the last this-many characters of a completion are read (answers come last). Default 20,000. */
  maxInputChars: number;
  /** Longest extracted answer that is parsed. Default 1,000. */
  maxAnswerChars: number;
  /** Largest integer (decimal digits) exact arithmetic may produce; larger values fall back to floats. Default 1,000. */
  maxDigits: number;
  /** Largest integer exponent expanded exactly. Default 1,000. */
  maxExponent: number;
  /** Deepest bracket/operator nesting parsed. Default 60. */
  maxDepth: number;
  /** Most tokens in one parsed answer. Default 1,500. */
  maxTokens: number;
  /** Seed of the random points used for symbolic identity tests. Default 20250122. */
  seed: number;
  /** Random points per identity test. Default 6. */
  points: number;
}

export const DEFAULT_VERIFY_OPTIONS: Readonly<VerifyOptions> = Object.freeze({
  matchTypes: ['latex', 'expr'],
  precision: 6,
  strict: true,
  allowSetRelationComp: false,
  boxedMatchPriority: 0,
  stringMatch: { strings: ['A', 'B', 'C', 'D'], lowercase: true, tryExtractWithoutAnchor: true },
  maxInputChars: 20_000,
  maxAnswerChars: 1_000,
  maxDigits: 1_000,
  maxExponent: 1_000,
  maxDepth: 60,
  maxTokens: 1_500,
  seed: 20250122,
  points: 6,
}) as VerifyOptions;

const KEYS = Object.keys(DEFAULT_VERIFY_OPTIONS) as (keyof VerifyOptions)[];
const STRING_KEYS: (keyof StringMatchOptions)[] = ['strings', 'lowercase', 'tryExtractWithoutAnchor'];
const MATCH_TYPES: MatchType[] = ['latex', 'expr', 'string'];

function fail(msg: string): never {
  throw new Error(`verify options: ${msg}`);
}

function intIn(v: unknown, key: string, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi)
    fail(`${key} must be an integer in [${lo}, ${hi}], got ${JSON.stringify(v)}`);
  return v;
}

function bool(v: unknown, key: string): boolean {
  if (typeof v !== 'boolean') fail(`${key} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

/** Fills in defaults and validates. Throws an Error that names the bad key and the fix. */
export function resolveVerifyOptions(partial: Partial<VerifyOptions> = {}): VerifyOptions {
  if (partial === null || typeof partial !== 'object') fail('expected an object of options');
  for (const k of Object.keys(partial)) {
    if (!KEYS.includes(k as keyof VerifyOptions)) fail(`unknown option '${k}'; known options are ${KEYS.join(', ')}`);
  }
  const o = { ...DEFAULT_VERIFY_OPTIONS, ...partial } as VerifyOptions;
  if (!Array.isArray(o.matchTypes) || o.matchTypes.length === 0)
    fail(`matchTypes must be a non-empty array of ${MATCH_TYPES.join(' | ')}`);
  for (const m of o.matchTypes)
    if (!MATCH_TYPES.includes(m)) fail(`matchTypes has '${String(m)}'; use ${MATCH_TYPES.join(' | ')}`);
  intIn(o.precision, 'precision', 0, 15);
  bool(o.strict, 'strict');
  bool(o.allowSetRelationComp, 'allowSetRelationComp');
  if (typeof o.boxedMatchPriority !== 'number' || Number.isNaN(o.boxedMatchPriority))
    fail('boxedMatchPriority must be a number (0 = boxed first)');
  intIn(o.maxInputChars, 'maxInputChars', 100, 10_000_000);
  intIn(o.maxAnswerChars, 'maxAnswerChars', 10, 100_000);
  intIn(o.maxDigits, 'maxDigits', 20, 100_000);
  intIn(o.maxExponent, 'maxExponent', 1, 100_000);
  intIn(o.maxDepth, 'maxDepth', 4, 1_000);
  intIn(o.maxTokens, 'maxTokens', 10, 100_000);
  intIn(o.seed, 'seed', 0, 2 ** 32 - 1);
  intIn(o.points, 'points', 2, 100);
  const sm = { ...DEFAULT_VERIFY_OPTIONS.stringMatch, ...(partial.stringMatch ?? {}) };
  for (const k of Object.keys(partial.stringMatch ?? {})) {
    if (!STRING_KEYS.includes(k as keyof StringMatchOptions))
      fail(`unknown stringMatch option '${k}'; known: ${STRING_KEYS.join(', ')}`);
  }
  if (
    !Array.isArray(sm.strings) ||
    sm.strings.length === 0 ||
    !sm.strings.every((s) => typeof s === 'string' && s.length > 0 && s.length <= 100)
  ) {
    fail('stringMatch.strings must be a non-empty array of non-empty strings');
  }
  bool(sm.lowercase, 'stringMatch.lowercase');
  bool(sm.tryExtractWithoutAnchor, 'stringMatch.tryExtractWithoutAnchor');
  return { ...o, matchTypes: [...o.matchTypes], stringMatch: { ...sm, strings: [...sm.strings] } };
}

const SNAKE: Record<string, keyof VerifyOptions> = {
  match_types: 'matchTypes',
  precision: 'precision',
  float_rounding: 'precision',
  strict: 'strict',
  allow_set_relation_comp: 'allowSetRelationComp',
  latex_boxed_match_priority: 'boxedMatchPriority',
  boxed_match_priority: 'boxedMatchPriority',
  string_config: 'stringMatch',
};

/**
 * Accepts Math-Verify's snake_case option names (`match_types`, `precision`/`float_rounding`, `strict`,
 * `allow_set_relation_comp`, `latex_boxed_match_priority`, `string_config`) as well as this library's
 * camelCase names, and resolves them.
 */
export function fromMathVerifyOptions(raw: Record<string, unknown>): VerifyOptions {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('options must be a JSON object');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const key = SNAKE[k] ?? k;
    if (key === 'stringMatch' && v !== null && typeof v === 'object') {
      const sc = v as Record<string, unknown>;
      const sm: Record<string, unknown> = {};
      for (const [sk, sv] of Object.entries(sc))
        sm[sk === 'try_extract_without_anchor' ? 'tryExtractWithoutAnchor' : sk] = sv;
      out.stringMatch = sm;
    } else out[key] = v;
  }
  return resolveVerifyOptions(out as Partial<VerifyOptions>);
}
