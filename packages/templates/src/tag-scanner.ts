/**
 * Finds every occurrence of a small set of literal tags in a text, left to right, in one linear pass.
 *
 * This is the only place that looks for tags, so every parser built on it inherits its guarantee: the work is
 * O(text length × number of tags × longest tag), with no backtracking, whatever the input (a megabyte of `<think>`
 * repeated, half-open tags, tags inside tags). It does not interpret the tags — nesting, order and repetition are
 * the caller's business — and it does not match case-insensitively or tolerate spaces inside a tag: `<THINK>` and
 * `< think >` are plain text.
 */

/** One occurrence of a tag: which tag (its index in the list given), and the half-open span [start, end). */
export interface TagHit {
  tag: number;
  start: number;
  end: number;
}

/**
 * Returns the non-overlapping occurrences of `tags` in `text`, in order. Where two tags match at the same position
 * the longer wins; after a match the scan resumes at its end (so `<think><think>` is two hits, and a tag is never
 * found inside another one).
 *
 * @example scanTags('<a>x</a>', ['<a>', '</a>']) // [{tag: 0, start: 0, end: 3}, {tag: 1, start: 4, end: 8}]
 */
export function scanTags(text: string, tags: readonly string[]): TagHit[] {
  for (const [i, tag] of tags.entries()) {
    if (tag.length === 0)
      throw new Error(`scanTags: tag ${i} is the empty string; every tag needs at least one character`);
  }
  // Candidates per first UTF-16 unit, longest first, so the inner loop only tries tags that can start here.
  const byFirst = new Map<number, number[]>();
  for (const [i, tag] of tags.entries()) {
    const first = tag.charCodeAt(0);
    const list = byFirst.get(first) ?? [];
    list.push(i);
    byFirst.set(first, list);
  }
  for (const list of byFirst.values()) list.sort((a, b) => tags[b]!.length - tags[a]!.length);

  const hits: TagHit[] = [];
  const n = text.length;
  // Jump from one possible tag start to the next with indexOf when all tags share a first unit (the usual case:
  // every tag starts with '<'); otherwise step one unit at a time.
  const firsts = [...byFirst.keys()];
  const onlyFirst = firsts.length === 1 ? String.fromCharCode(firsts[0]!) : null;
  let i = onlyFirst === null ? 0 : text.indexOf(onlyFirst);
  while (i !== -1 && i < n) {
    const candidates = byFirst.get(text.charCodeAt(i));
    let matched = -1;
    if (candidates !== undefined) {
      for (const t of candidates) {
        if (text.startsWith(tags[t]!, i)) {
          matched = t;
          break;
        }
      }
    }
    const next = matched === -1 ? i + 1 : i + tags[matched]!.length;
    if (matched !== -1) hits.push({ tag: matched, start: i, end: next });
    i = onlyFirst === null ? next : text.indexOf(onlyFirst, next);
  }
  return hits;
}

/** True when text[from, to) holds only whitespace (as `String.prototype.trim` defines it). Linear in to − from. */
export function isBlank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    if (!isWhitespaceCode(text.charCodeAt(i))) return false;
  }
  return true;
}

/** Index of the first non-whitespace unit in [from, to), or `to` when there is none. */
export function firstNonBlank(text: string, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    if (!isWhitespaceCode(text.charCodeAt(i))) return i;
  }
  return to;
}

// The set String.prototype.trim removes: ECMAScript WhiteSpace + LineTerminator.
function isWhitespaceCode(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}
