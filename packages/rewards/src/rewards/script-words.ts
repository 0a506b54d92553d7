/**
 * Counts words by writing system, for the language-consistency reward.
 *
 * A "word" is a run of letters of one script: a run of Latin letters (a–z, A–Z, Latin-1 and Latin Extended
 * letters, with combining marks) is one Latin word; every Han character is one word on its own (Chinese is written
 * without spaces, so characters are the unit, as in R1's per-word ratio applied to Chinese); a run of letters of any
 * other script (Cyrillic, Greek, Arabic, Kana, Hangul, …) is one "other" word. Digits, punctuation, symbols and
 * whitespace are neutral: they end a word and count for nothing. A backslash followed by ASCII letters (a LaTeX
 * command such as `\frac` outside math delimiters) is neutral too. Runs shorter than `minWordLength` code points
 * are neutral — single letters are nearly always variables (`x`, `n`, `π`) — except Han characters, which always
 * count. Markup tags (`<think>`, `</answer>`, `<|im_end|>`) are neutral. Spans listed in `skip` (math and code, see math-code-spans.ts) are not read at all.
 *
 * This is script detection, not language identification: French counts as Latin ("en"), Japanese kanji as Han.
 */

export interface ScriptWordCounts {
  latin: number;
  han: number;
  other: number;
}

type Kind = 'latin' | 'han' | 'other' | 'mark' | 'neutral';

const LETTER = /\p{L}/u;
const MARK = /\p{M}/u;

function kindOf(cp: number): Kind {
  if (cp < 0x80) return (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122) ? 'latin' : 'neutral';
  if ((cp >= 0xc0 && cp <= 0x24f && cp !== 0xd7 && cp !== 0xf7) || (cp >= 0x1e00 && cp <= 0x1eff)) return 'latin';
  if (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x20000 && cp <= 0x3134f)
  ) {
    return 'han';
  }
  const ch = String.fromCodePoint(cp);
  if (LETTER.test(ch)) return 'other';
  return MARK.test(ch) ? 'mark' : 'neutral';
}

/**
 * Counts Latin words, Han characters and other-script words in `text`, skipping the half-open spans in `skip`
 * (sorted, disjoint). One pass; linear in the text length.
 */
export function countScriptWords(
  text: string,
  minWordLength: number,
  skip: readonly (readonly [number, number])[] = [],
): ScriptWordCounts {
  const counts: ScriptWordCounts = { latin: 0, han: 0, other: 0 };
  let run: 'latin' | 'other' | null = null;
  let runLength = 0;
  const endRun = () => {
    if (run !== null && runLength >= minWordLength) counts[run]++;
    run = null;
    runLength = 0;
  };
  let nextSkip = 0;
  let i = 0;
  while (i < text.length) {
    const span = skip[nextSkip];
    if (span !== undefined && i >= span[0]) {
      endRun();
      i = Math.max(i, span[1]);
      nextSkip++;
      continue;
    }
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const tagEnd = cp === 60 /* < */ ? markupTagEnd(text, i) : -1;
    if (tagEnd !== -1) {
      endRun();
      i = tagEnd;
      continue;
    }
    if (cp === 92 /* \ */ && isAsciiLetter(text.charCodeAt(i + 1))) {
      endRun();
      i++;
      while (i < text.length && isAsciiLetter(text.charCodeAt(i))) i++;
      continue;
    }
    const kind = kindOf(cp);
    switch (kind) {
      case 'latin':
      case 'other':
        if (run !== kind) endRun();
        run = kind;
        runLength++;
        break;
      case 'han':
        endRun();
        counts.han++;
        break;
      case 'mark':
        break; // a combining mark continues the current word (or is ignored outside one)
      case 'neutral':
        endRun();
        break;
      default: {
        const unreachable: never = kind;
        throw new Error(`unknown character kind ${String(unreachable)}`);
      }
    }
    i += width;
  }
  endRun();
  return counts;
}

/**
 * End of a markup tag such as `<think>`, `</answer>` or `<|im_end|>` starting at `i` (a '<'), or −1. Reads at most
 * the tag's name, so a '<' that opens no tag costs no more than the letters after it.
 */
function markupTagEnd(text: string, i: number): number {
  let j = i + 1;
  if (text.charCodeAt(j) === 47 /* / */) j++;
  const nameStart = j;
  for (let c = text.charCodeAt(j); isAsciiLetter(c) || c === 95 /* _ */ || c === 124 /* | */; c = text.charCodeAt(j))
    j++;
  return j > nameStart && text.charCodeAt(j) === 62 /* > */ ? j + 1 : -1;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
