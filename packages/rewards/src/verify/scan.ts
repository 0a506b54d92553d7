/**
 * Linear-time scanners over a completion: brace matching (one pass, so thousands of unclosed `\boxed{`
 * cost O(n) in total, not O(n²)), `\boxed{}`/`\fbox{}` groups, math environments (`$…$`, `$$…$$`,
 * `\(…\)`, `\[…\]`), and `<answer>` tags.
 * Deliberately not here: choosing which of these is the answer (extract.ts).
 */

export interface Span {
  /** Content between the delimiters. */
  text: string;
  start: number;
  end: number;
}

/**
 * For each `{` the index of its matching `}` (or -1), computed in one pass. With `from`, only braces from there
 * on are matched (entry k is for `s[from + k]`). When `s[from]` is a backslash followed by a letter (the start
 * of `\boxed`), each of those braces gets the same match as in a scan of the whole text: escaped or not, that
 * backslash escapes nothing, and braces opened before `from` never change the matches of later ones.
 */
export function matchBraces(s: string, from = 0): Int32Array {
  const match = new Int32Array(s.length - from).fill(-1);
  const stack: number[] = [];
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 /* \ */) {
      const n = s[i + 1];
      if (n === '{' || n === '}' || n === '\\') i++;
      continue;
    }
    if (c === 123 /* { */) stack.push(i);
    else if (c === 125 /* } */) {
      const open = stack.pop();
      if (open !== undefined) match[open - from] = i;
    }
  }
  return match;
}

/** Every complete `\boxed{…}` / `\fbox{…}` in order (nested boxes are returned once, outermost). */
export function findBoxed(s: string): Span[] {
  const out: Span[] = [];
  let braces: Int32Array | null = null;
  let bracesFrom = 0;
  let from = 0;
  // Cached next positions: each indexOf runs again only after its hit is consumed (linear in total).
  let b = -2;
  let f = -2;
  for (;;) {
    if (b !== -1 && b < from) b = s.indexOf('\\boxed', from);
    if (f !== -1 && f < from) f = s.indexOf('\\fbox', from);
    const at = b < 0 ? f : f < 0 ? b : Math.min(b, f);
    if (at < 0) break;
    let i = at + (at === b ? 6 : 5);
    while (s[i] === ' ') i++;
    if (s[i] !== '{') {
      // `\boxed 5` (no braces): the next token.
      const m = /^\s+([^\s$]+)/.exec(s.slice(i - 1, i + 64));
      if (m?.[1] !== undefined && s[i - 1] === ' ') out.push({ text: m[1], start: at, end: i - 1 + m[0].length });
      from = i;
      continue;
    }
    if (braces === null) {
      braces = matchBraces(s, at);
      bracesFrom = at;
    }
    const close = braces[i - bracesFrom] ?? -1;
    if (close < 0) {
      from = i + 1;
      continue;
    }
    out.push({ text: s.slice(i + 1, close), start: at, end: close + 1 });
    from = close + 1;
  }
  return out;
}

type Closer = '\\]' | '\\)' | '$$';

function closeAt(s: string, exhausted: Record<Closer, boolean>, delim: Closer, from: number): number {
  if (exhausted[delim]) return -1;
  const k = s.indexOf(delim, from);
  if (k < 0) exhausted[delim] = true;
  return k;
}

/** Math environments in order. Inline `$…$` and `\(…\)` may not span a line break. */
export function findMath(s: string): Span[] {
  const out: Span[] = [];
  // A closing delimiter that is missing once is missing for the rest of the text: search for it only once.
  const exhausted = { '\\]': false, '\\)': false, $$: false };
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '\\') {
      const n = s[i + 1];
      if (n === '[' || n === '(') {
        const close = closeAt(s, exhausted, n === '[' ? '\\]' : '\\)', i + 2);
        const inner = close < 0 ? '' : s.slice(i + 2, close);
        if (close >= 0 && (n === '[' || !inner.includes('\n'))) {
          out.push({ text: inner, start: i, end: close + 2 });
          i = close + 2;
          continue;
        }
      }
      i += 2;
      continue;
    }
    if (c === '$') {
      if (s[i + 1] === '$') {
        const close = closeAt(s, exhausted, '$$', i + 2);
        if (close >= 0) {
          out.push({ text: s.slice(i + 2, close), start: i, end: close + 2 });
          i = close + 2;
          continue;
        }
        i += 2;
        continue;
      }
      let j = i + 1;
      while (j < s.length && s[j] !== '$' && s[j] !== '\n') j += s[j] === '\\' ? 2 : 1;
      if (s[j] === '$' && j > i + 1) {
        out.push({ text: s.slice(i + 1, j), start: i, end: j + 1 });
        i = j + 1;
        continue;
      }
      i = j;
      continue;
    }
    i++;
  }
  return out;
}

/** Content of the last complete `<answer>…</answer>`, or null when there is none. */
export function lastAnswerTag(s: string): string | null {
  const close = s.lastIndexOf('</answer>');
  if (close < 0) return null;
  const open = s.lastIndexOf('<answer>', close);
  if (open < 0) return null;
  return s.slice(open + 8, close);
}
