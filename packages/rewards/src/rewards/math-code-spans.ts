/**
 * Finds the spans of a text that are math or code, so the language-consistency reward can leave them out: `\frac`,
 * `x_i`, `def f(x):` are neither English nor Chinese, and a Chinese chain of thought full of formulas should not be
 * scored as mixed-language.
 *
 * Recognised, left to right, first opener wins: fenced code ```…```, inline code `…`, display math $$…$$ and \[…\],
 * inline math $…$ and \(…\). An opener without its closer is plain text (a lone "$5" is not math). Linear time:
 * a successful search for a closer is consumed by the jump past it, and a failed one is remembered, so each closer
 * is searched for in vain at most once. It does not understand escapes (`\$`) or nesting; code and math are not
 * parsed, only delimited.
 */

export interface SpanKinds {
  /** Skip ``` fences and `inline code`. */
  code: boolean;
  /** Skip $$…$$, $…$, \[…\] and \(…\). */
  math: boolean;
}

const CODE: readonly (readonly [string, string])[] = [
  ['```', '```'],
  ['`', '`'],
];
const MATH: readonly (readonly [string, string])[] = [
  ['$$', '$$'],
  ['\\[', '\\]'],
  ['$', '$'],
  ['\\(', '\\)'],
];

/** Sorted, disjoint half-open spans [start, end) covering each math/code region including its delimiters. */
export function findMathAndCodeSpans(text: string, kinds: SpanKinds): [number, number][] {
  const pairs = [...(kinds.code ? CODE : []), ...(kinds.math ? MATH : [])];
  const spans: [number, number][] = [];
  if (pairs.length === 0) return spans;
  const exhausted = new Set<string>();
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 96 /* ` */ && c !== 36 /* $ */ && c !== 92 /* \ */) {
      i++;
      continue;
    }
    let advanced = false;
    for (const [open, close] of pairs) {
      if (exhausted.has(close) || !text.startsWith(open, i)) continue;
      const at = text.indexOf(close, i + open.length);
      if (at === -1) {
        exhausted.add(close);
        continue;
      }
      spans.push([i, at + close.length]);
      i = at + close.length;
      advanced = true;
      break;
    }
    if (!advanced) i++;
  }
  return spans;
}
