/**
 * A character-level BPE tokenizer for the built-in tasks: one token per character of a given alphabet, plus special
 * tokens (end of text, `<think>`, `</think>`, `<answer>`, `</answer>`, and any you add), written as a standard
 * Hugging Face `tokenizer.json` so it loads anywhere a real one does (transformers, tokenizers, our createTokenizer).
 *
 * Why BPE with no merges rather than WordLevel: `@huggingface/tokenizers` 0.2.0 mishandles WordLevel, while BPE with
 * an empty merge list is exactly "split into characters". Characters outside the alphabet either become UTF-8 byte
 * tokens `<0x00>`…`<0xFF>` (`byteFallback: true`, so every string round-trips) or `<unk>`, which our tokenizer
 * refuses to produce silently. Deliberately no normalizer and no pre-tokenizer: text round-trips exactly.
 */
import type { TokenizerFiles } from './checkpoint';

/** The end-of-text token: EOS and padding. Same spelling as Qwen's, so prompts and templates carry over. */
export const CHAR_EOS_TOKEN = '<|endoftext|>';
export const CHAR_UNK_TOKEN = '<unk>';
/** Always present, in this order after the EOS token, each encoding to one id. */
export const REASONING_TOKENS = ['<think>', '</think>', '<answer>', '</answer>'] as const;

export interface CharTokenizerOptions {
  /** Encode characters outside the alphabet as their UTF-8 bytes (256 extra tokens). Default false: add `<unk>`. */
  byteFallback?: boolean;
  /** Jinja chat template stored in tokenizer_config.json. Default none. */
  chatTemplate?: string;
}

/**
 * Writes the files of a char-level tokenizer. Ids: EOS = 0, then the reasoning tokens, your `specialTokens`,
 * `<unk>` (without byteFallback), the alphabet in the order given, then the 256 byte tokens (with byteFallback).
 * @param alphabet the characters (Unicode code points) ordinary text may use; duplicates are an error
 * @param specialTokens extra special tokens (e.g. `<|im_start|>`); the EOS and reasoning tokens are always included
 * @example
 * const tok = createTokenizer(buildCharTokenizer('0123456789+-*= \n', ['<|im_start|>', '<|im_end|>']));
 * tok.encode('<think>1+1</think>'); // [1, …, 2]
 */
export function buildCharTokenizer(
  alphabet: string | readonly string[],
  specialTokens: readonly string[] = [],
  options: CharTokenizerOptions = {},
): TokenizerFiles {
  const chars = typeof alphabet === 'string' ? Array.from(alphabet) : [...alphabet];
  const seen = new Set<string>();
  for (const c of chars) {
    if (Array.from(c).length !== 1) {
      throw new Error(
        `buildCharTokenizer: alphabet entry ${JSON.stringify(c)} must be exactly one character (code point)`,
      );
    }
    if (seen.has(c))
      throw new Error(`buildCharTokenizer: character ${JSON.stringify(c)} appears twice in the alphabet; list it once`);
    seen.add(c);
  }
  const byteFallback = options.byteFallback ?? false;
  const specials = [
    ...new Set([CHAR_EOS_TOKEN, ...REASONING_TOKENS, ...specialTokens, ...(byteFallback ? [] : [CHAR_UNK_TOKEN])]),
  ];
  for (const s of specials) {
    if (s.length === 0) throw new Error('buildCharTokenizer: a special token cannot be empty');
    if (seen.has(s))
      throw new Error(`buildCharTokenizer: ${JSON.stringify(s)} is both a special token and an alphabet character`);
  }

  const vocab: Record<string, number> = {};
  let next = 0;
  for (const s of specials) vocab[s] = next++;
  for (const c of chars) vocab[c] = next++;
  if (byteFallback) for (let b = 0; b < 256; b++) vocab[byteToken(b)] = next++;

  const added = specials.map((content) => ({
    id: vocab[content]!,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: null,
    post_processor: null,
    decoder: byteFallback
      ? { type: 'Sequence', decoders: [{ type: 'ByteFallback' }, { type: 'Fuse' }] }
      : { type: 'Fuse' },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: byteFallback ? null : CHAR_UNK_TOKEN,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: byteFallback,
      ignore_merges: false,
      vocab,
      merges: [],
    },
  };
  const tokenizerConfig: Record<string, unknown> = {
    tokenizer_class: 'PreTrainedTokenizerFast',
    eos_token: CHAR_EOS_TOKEN,
    pad_token: CHAR_EOS_TOKEN,
    bos_token: null,
    ...(byteFallback ? {} : { unk_token: CHAR_UNK_TOKEN }),
    clean_up_tokenization_spaces: false,
    model_max_length: 1_000_000,
    added_tokens_decoder: Object.fromEntries(added.map(({ id, ...rest }) => [String(id), rest])),
    ...(options.chatTemplate === undefined ? {} : { chat_template: options.chatTemplate }),
  };
  return { tokenizerJson, tokenizerConfig };
}

function byteToken(b: number): string {
  return `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
}
