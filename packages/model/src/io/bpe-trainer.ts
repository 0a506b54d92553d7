/**
 * Trains a small BPE tokenizer on a corpus and writes it as a standard Hugging Face `tokenizer.json`, built on the
 * char-level tokenizer (same special tokens, ids and decoder) plus learned merges.
 *
 * Why: the R1-Zero template is ~400 characters. A char-level model would spend almost all of its compute on that
 * fixed prompt; a tokenizer trained on the corpus compresses it to a handful of tokens, as real LLM tokenizers
 * compress English ~4×. Digits are always split one per token (the `Digits` pre-tokenizer with individual digits, as
 * Llama and Qwen do), so arithmetic stays learnable: merges never glue digits together or to other text.
 *
 * The merge search is the textbook one (count adjacent pairs over unique pre-tokens weighted by frequency, merge the
 * most frequent, ties broken by the pair's text so training is deterministic). It is meant for corpora of generated
 * task text (thousands of unique chunks), not for web-scale data.
 */

import { buildCharTokenizer, type CharTokenizerOptions } from './char-tokenizer';
import type { TokenizerFiles } from './checkpoint';

export interface BpeTrainOptions extends Pick<CharTokenizerOptions, 'chatTemplate'> {
  /** Total vocabulary size to reach (special tokens and alphabet included); training stops earlier if no pair repeats. */
  vocabSize: number;
  /** Extra special tokens, as for buildCharTokenizer. */
  specialTokens?: readonly string[];
  /** Merges need a pair to occur at least this often. Default 2. */
  minFrequency?: number;
}

const DIGIT = /[0-9]/;

/** Splits text the way the tokenizer will before BPE: special tokens are atomic, digits are single pre-tokens. */
export function preTokenize(text: string, specials: readonly string[]): string[] {
  const out: string[] = [];
  let chunk = '';
  let i = 0;
  outer: while (i < text.length) {
    for (const s of specials) {
      if (text.startsWith(s, i)) {
        if (chunk) out.push(chunk);
        chunk = '';
        i += s.length;
        continue outer; // special tokens are not part of any BPE word
      }
    }
    const c = text[i]!;
    if (DIGIT.test(c)) {
      if (chunk) out.push(chunk);
      chunk = '';
      out.push(c);
    } else chunk += c;
    i++;
  }
  if (chunk) out.push(chunk);
  return out;
}

/**
 * Learns merges on `corpus` over the characters of `alphabet` and returns tokenizer files.
 * @example
 * const files = trainBpeTokenizer(texts, '0123456789+-*= ?.abcdefghijklmnopqrstuvwxyz', { vocabSize: 400 });
 * const tok = createTokenizer(files);
 */
export function trainBpeTokenizer(
  corpus: Iterable<string>,
  alphabet: string,
  options: BpeTrainOptions,
): TokenizerFiles {
  const base = buildCharTokenizer(alphabet, options.specialTokens ?? [], { chatTemplate: options.chatTemplate });
  const model = (base.tokenizerJson as { model: { vocab: Record<string, number>; merges: unknown } }).model;
  const vocab = model.vocab;
  const specials = Object.keys(vocab).filter((t) => t.length > 1);
  const alphabetSet = new Set(Array.from(alphabet));

  // Unique words with their counts; each word is a list of symbols.
  const counts = new Map<string, number>();
  for (const text of corpus) {
    for (const word of preTokenize(text, specials)) {
      if (word.length < 2) continue;
      for (const c of word) {
        if (!alphabetSet.has(c)) {
          throw new Error(
            `trainBpeTokenizer: character ${JSON.stringify(c)} in the corpus is not in the alphabet; add it`,
          );
        }
      }
      counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  const words = [...counts].map(([w, n]) => ({ symbols: Array.from(w), count: n }));
  const minFrequency = options.minFrequency ?? 2;
  const merges: [string, string][] = [];
  let next = Object.keys(vocab).length;

  while (next < options.vocabSize) {
    const pairs = new Map<string, number>();
    for (const { symbols, count } of words) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = `${symbols[i]}\u0000${symbols[i + 1]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + count);
      }
    }
    let best: string | null = null;
    let bestCount = 0;
    for (const [key, n] of pairs) {
      if (n > bestCount || (n === bestCount && best !== null && key < best)) {
        best = key;
        bestCount = n;
      }
    }
    if (best === null || bestCount < minFrequency) break;
    const [left, right] = best.split('\u0000') as [string, string];
    const merged = left + right;
    if (vocab[merged] === undefined) vocab[merged] = next++;
    merges.push([left, right]);
    for (const w of words) {
      const s = w.symbols;
      const out: string[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === left && s[i + 1] === right) {
          out.push(merged);
          i++;
        } else out.push(s[i]!);
      }
      w.symbols = out;
    }
  }
  // Merges as [left, right] pairs (the current tokenizer.json format): symbols here may contain spaces, which the
  // older "left right" string format cannot express.
  (model as { merges: unknown }).merges = merges;
  (base.tokenizerJson as Record<string, unknown>).pre_tokenizer = { type: 'Digits', individual_digits: true };
  return base;
}
