/**
 * Reasoning that mixes languages in a known proportion, for language-consistency rewards (DeepSeek-R1 §2.3.2: the
 * share of the chain of thought's words in the target language). Words are counted the way R1's per-word ratio is
 * applied to each script: one per Latin word of two or more letters, one per Han character, one per word of another
 * script (Cyrillic here). Numbers, punctuation, single-letter variables and `$…$` math are neutral and mixed in, so a
 * reward that counts them is caught.
 */

import fc from 'fast-check';

export interface MultilingualReasoning {
  text: string;
  /** Words per script: English (Latin), Chinese (Han characters), other (Cyrillic). */
  words: { en: number; zh: number; other: number };
  /** Share of English words among all words (1 when there are none). */
  enShare: number;
  /** Share of Chinese words among all words (1 when there are none). */
  zhShare: number;
}

const EN = ['we', 'add', 'the', 'numbers', 'then', 'check', 'result', 'so', 'answer', 'is', 'carefully'];
/** Chinese words with their length in Han characters. */
const ZH: readonly (readonly [string, number])[] = [
  ['我们', 2],
  ['计算', 2],
  ['结果', 2],
  ['所以', 2],
  ['答案是', 3],
  ['加', 1],
];
const OTHER = ['сумма', 'ответ', 'проверим'];
const NEUTRAL = ['3', '+', '=', '42,', '.', '?', 'x', 'n', '$x^2 + 1$', '$\\frac{1}{2}$', '(7)', '—'];

type Piece = { text: string; en: number; zh: number; other: number };

const piece: fc.Arbitrary<Piece> = fc.oneof(
  fc.constantFrom(...EN).map((text) => ({ text, en: 1, zh: 0, other: 0 })),
  fc.constantFrom(...ZH).map(([text, n]) => ({ text, en: 0, zh: n, other: 0 })),
  fc.constantFrom(...OTHER).map((text) => ({ text, en: 0, zh: 0, other: 1 })),
  fc.constantFrom(...NEUTRAL).map((text) => ({ text, en: 0, zh: 0, other: 0 })),
);

/** Reasoning mixing English, Chinese and Russian words and neutral tokens, with the share of each known. */
export const multilingualReasoning: fc.Arbitrary<MultilingualReasoning> = fc
  .array(piece, { minLength: 1, maxLength: 40 })
  .map((pieces) => {
    const words = { en: 0, zh: 0, other: 0 };
    for (const p of pieces) {
      words.en += p.en;
      words.zh += p.zh;
      words.other += p.other;
    }
    const total = words.en + words.zh + words.other;
    return {
      text: pieces.map((p) => p.text).join(' '),
      words,
      enShare: total === 0 ? 1 : words.en / total,
      zhShare: total === 0 ? 1 : words.zh / total,
    };
  });
