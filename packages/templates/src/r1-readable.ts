/**
 * The readable output format of DeepSeek-R1 (paper §2.3.1): `|special_token|<reasoning_process>|special_token|<summary>`
 * — the chain of thought between two special tokens, then a summary for the reader.
 *
 * The paper names the tokens only as `|special_token|`; the released models use `<think>` and `</think>`, which is
 * our default. {@link R1_PAPER_TOKENS} reproduces the paper literally (the same token opens and closes). This module
 * renders the format and validates token choices; parsing lives in `parseCompletion(text, 'r1', { tokens })` so that
 * every format shares one linear scanner.
 */

/** The two special tokens around the reasoning process. */
export interface R1Tokens {
  /** Opens the reasoning process. Default `<think>`. */
  reasoningStart: string;
  /** Closes the reasoning process; the summary follows it. Default `</think>`. May equal `reasoningStart`. */
  reasoningEnd: string;
}

export const DEFAULT_R1_TOKENS: Readonly<R1Tokens> = Object.freeze({
  reasoningStart: '<think>',
  reasoningEnd: '</think>',
});

/** The paper's placeholder used literally: one token both opens and closes the reasoning. */
export const R1_PAPER_TOKENS: Readonly<R1Tokens> = Object.freeze({
  reasoningStart: '|special_token|',
  reasoningEnd: '|special_token|',
});

import { scanTags } from './tag-scanner';

const TOKEN_KEYS = ['reasoningStart', 'reasoningEnd'] as const;

/**
 * Fills in defaults and rejects token sets that cannot be parsed unambiguously: unknown keys, empty tokens, and a
 * token that contains the other (unless they are equal).
 */
export function resolveR1Tokens(partial: Partial<R1Tokens> = {}): R1Tokens {
  for (const key of Object.keys(partial)) {
    if (!(TOKEN_KEYS as readonly string[]).includes(key)) {
      throw new Error(`R1 tokens: unknown key '${key}'; the keys are ${TOKEN_KEYS.join(', ')}`);
    }
  }
  const tokens: R1Tokens = { ...DEFAULT_R1_TOKENS, ...stripUndefined(partial) };
  for (const key of TOKEN_KEYS) {
    const value: unknown = tokens[key];
    if (typeof value !== 'string' || value.length === 0) {
      throw new Error(`R1 tokens: '${key}' must be a non-empty string, got ${JSON.stringify(value)}`);
    }
  }
  const { reasoningStart: s, reasoningEnd: e } = tokens;
  if (s !== e && (s.includes(e) || e.includes(s))) {
    throw new Error(
      `R1 tokens: '${s}' and '${e}' overlap (one contains the other), so the text cannot be split unambiguously; ` +
        'choose tokens where neither is part of the other, or use the same token for both',
    );
  }
  return tokens;
}

/** The two parts of an R1 readable completion. */
export interface R1Readable {
  reasoning: string;
  summary: string;
}

/**
 * Renders `start + reasoning + end + summary` with no added whitespace (put newlines in the parts if you want them).
 * Throws when a part contains one of the tokens, because the result could not be parsed back into the same parts.
 *
 * @example renderR1Readable({ reasoning: '2+2=4', summary: 'The answer is 4.' }) // '<think>2+2=4</think>The answer is 4.'
 */
export function renderR1Readable(parts: R1Readable, tokens: Partial<R1Tokens> = {}): string {
  const t = resolveR1Tokens(tokens);
  for (const field of ['reasoning', 'summary'] as const) {
    const value: unknown = parts[field];
    if (typeof value !== 'string')
      throw new TypeError(`renderR1Readable: '${field}' must be a string, got ${typeof value}`);
    for (const token of [t.reasoningStart, t.reasoningEnd]) {
      if (value.includes(token)) {
        throw new Error(
          `renderR1Readable: '${field}' contains the special token '${token}', so the output would not parse back; ` +
            'remove it from the text or choose other tokens',
        );
      }
    }
  }
  const text = t.reasoningStart + parts.reasoning + t.reasoningEnd + parts.summary;
  // A part can still run into a token and form another one across the seam ('…|special_token' + '|special_token|').
  const hits = scanTags(
    text,
    t.reasoningStart === t.reasoningEnd ? [t.reasoningStart] : [t.reasoningStart, t.reasoningEnd],
  );
  const endAt = t.reasoningStart.length + parts.reasoning.length;
  if (hits.length !== 2 || hits[0]!.start !== 0 || hits[1]!.start !== endAt) {
    throw new Error(
      'renderR1Readable: the reasoning runs into the closing token and forms another token across the seam, so the ' +
        'output would not parse back; add a separator (e.g. a newline) at the end of the reasoning',
    );
  }
  return text;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
