/**
 * Tokenizers: a Hugging Face `tokenizer.json` + `tokenizer_config.json` (a real Qwen / DeepSeek one, or one written
 * by buildCharTokenizer) behind the small interface the sampler and trainer use. `@huggingface/tokenizers` does the
 * work; this module adds what RL needs on top: the EOS id, the special-token table, the chat template, strict id
 * checks on decode, a refusal to silently turn unknown characters into `<unk>`, and exact decoding (no
 * "clean-up" of spaces unless the config asks for it).
 *
 * Deliberately does not render chat templates (the templates package does) and does not add BOS/EOS on its own:
 * `encode` returns exactly the tokens of the text, special tokens written in the text included.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { TOKENIZER_CONFIG_FILE, TOKENIZER_FILE, type TokenizerFiles } from './checkpoint';
import { readJsonObject } from './json-file';

export interface EncodeOptions {
  /** Let the tokenizer's post-processor add its special tokens (BOS for Llama-style models). Default false. */
  addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  /** Drop special tokens (`<think>`, EOS, …) from the text. Default false: decoding is exact. */
  skipSpecialTokens?: boolean;
}

export interface Tokenizer {
  /** Token ids of `text`. Special tokens written in the text become their single ids. */
  encode(text: string, options?: EncodeOptions): number[];
  /** Text of `ids`; throws on an id that is not in the vocabulary. `decode([])` is `''`. */
  decode(ids: readonly number[], options?: DecodeOptions): string;
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
  /** One more than the largest id, added tokens included (Qwen3: 151,669). A model's vocab_size may be larger. */
  readonly vocabSize: number;
  readonly eosToken: string;
  readonly eosTokenId: number;
  /** The padding token's id, or undefined when the tokenizer defines none. */
  readonly padTokenId: number | undefined;
  /** Every added token marked special, content → id. */
  readonly specialTokens: ReadonlyMap<string, number>;
  /** The Jinja chat template, when the tokenizer ships one. */
  readonly chatTemplate: string | undefined;
  /** The source files, so a checkpoint can save the tokenizer it was trained with. */
  readonly files: TokenizerFiles;
}

export interface CreateTokenizerOptions {
  /** Overrides `eos_token` of tokenizer_config.json (e.g. `'<|endoftext|>'` for base-model pretraining text). */
  eosToken?: string;
  /** Chat template to use when tokenizer_config.json has none (e.g. from a `chat_template.jinja` file). */
  chatTemplate?: string;
  /** Names the source in error messages. Default `'tokenizer'`. */
  source?: string;
}

/**
 * Loads `tokenizer.json` and `tokenizer_config.json` from a checkpoint directory (and `chat_template.jinja`, which
 * newer transformers write instead of a `chat_template` key).
 * @example
 * const tok = await loadTokenizer('checkpoints/qwen2.5-0.5b');
 * tok.encode('<think>'); // [151667]
 */
export async function loadTokenizer(
  dir: string,
  options: Omit<CreateTokenizerOptions, 'source'> = {},
): Promise<Tokenizer> {
  const tokenizerJson = await readJsonObject(join(dir, TOKENIZER_FILE), 'tokenizer (tokenizer.json)');
  const tokenizerConfig = await readJsonObject(
    join(dir, TOKENIZER_CONFIG_FILE),
    'tokenizer config (tokenizer_config.json)',
  );
  let chatTemplate = options.chatTemplate;
  if (chatTemplate === undefined) chatTemplate = await readOptionalText(join(dir, 'chat_template.jinja'));
  return createTokenizer({ tokenizerJson, tokenizerConfig }, { ...options, chatTemplate, source: dir });
}

/** Builds a tokenizer from already-parsed files (e.g. the output of buildCharTokenizer). */
export function createTokenizer(files: TokenizerFiles, options: CreateTokenizerOptions = {}): Tokenizer {
  const source = options.source ?? 'tokenizer';
  const { tokenizerJson, tokenizerConfig } = files;
  const model = tokenizerJson.model as { type?: unknown } | undefined;
  if (model?.type === 'WordLevel') {
    // @huggingface/tokenizers 0.2.0 falls back to a legacy path for WordLevel and encodes unknown words as null.
    throw new Error(
      `${source}: WordLevel tokenizers are not supported; use a BPE tokenizer (buildCharTokenizer writes one)`,
    );
  }
  let hf: HfTokenizer;
  try {
    hf = new HfTokenizer(tokenizerJson, tokenizerConfig);
  } catch (e) {
    throw new Error(`${source}: tokenizer.json could not be loaded: ${(e as Error).message}`);
  }

  const vocab = hf.get_vocab(true);
  let vocabSize = 0;
  for (const id of vocab.values()) vocabSize = Math.max(vocabSize, id + 1);
  const specialTokens = new Map<string, number>();
  for (const [id, token] of hf.get_added_tokens_decoder()) if (token.special) specialTokens.set(token.content, id);

  const eosToken = options.eosToken ?? tokenString(tokenizerConfig.eos_token);
  if (eosToken === undefined) {
    throw new Error(
      `${source}: tokenizer_config.json has no "eos_token"; add one (e.g. "eos_token": "<|endoftext|>") or pass { eosToken }`,
    );
  }
  const eosTokenId = hf.token_to_id(eosToken);
  if (eosTokenId === undefined)
    throw new Error(`${source}: eos_token ${JSON.stringify(eosToken)} is not in the vocabulary`);
  const padToken = tokenString(tokenizerConfig.pad_token);
  const padTokenId = padToken === undefined ? undefined : hf.token_to_id(padToken);
  const chatTemplate = readChatTemplate(tokenizerConfig.chat_template, source) ?? options.chatTemplate;
  const unkToken = readUnkToken(tokenizerJson);
  const unkId = unkToken === undefined ? undefined : hf.token_to_id(unkToken);
  const cleanUp = tokenizerConfig.clean_up_tokenization_spaces === true;

  return {
    encode(text, opts = {}) {
      if (typeof text !== 'string') throw new Error(`${source}: encode expects a string, got ${typeof text}`);
      if (text === '') return [];
      const { ids } = hf.encode(text, { add_special_tokens: opts.addSpecialTokens ?? false });
      checkKnown(ids, text);
      return ids;
    },
    decode(ids, opts = {}) {
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i]!;
        if (!Number.isInteger(id) || id < 0 || id >= vocabSize || hf.id_to_token(id) === undefined) {
          throw new Error(`${source}: decode: ids[${i}] = ${id} is not a token id (vocabulary 0…${vocabSize - 1})`);
        }
      }
      if (ids.length === 0) return '';
      return hf.decode([...ids], {
        skip_special_tokens: opts.skipSpecialTokens ?? false,
        clean_up_tokenization_spaces: cleanUp,
      });
    },
    tokenToId: (token) => hf.token_to_id(token),
    idToToken: (id) => hf.id_to_token(id),
    vocabSize,
    eosToken,
    eosTokenId,
    padTokenId,
    specialTokens,
    chatTemplate,
    files,
  };

  // Unknown characters become `<unk>` (or, with no unk token, vanish): either way the text would not round-trip.
  function checkKnown(ids: (number | undefined | null)[], text: string): void {
    let unknown = 0;
    for (const id of ids) if (id === undefined || id === null || id === unkId) unknown++;
    if (unknown === 0) return;
    const literal = unkToken === undefined ? 0 : text.split(unkToken).length - 1;
    if (unknown === literal && ids.every((id) => id !== undefined && id !== null)) return;
    const missing = [...new Set(Array.from(text))].filter((c) => hf.token_to_id(c) === undefined).slice(0, 5);
    throw new Error(
      `${source}: encode: the text has characters the vocabulary cannot represent${missing.length > 0 ? ` (${missing.map((c) => JSON.stringify(c)).join(', ')})` : ''}; add them to the alphabet or build the tokenizer with byteFallback`,
    );
  }
}

async function readOptionalText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${path}: cannot read chat template: ${(e as Error).message}`);
  }
}

function tokenString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

function readUnkToken(tokenizerJson: Record<string, unknown>): string | undefined {
  const model = tokenizerJson.model as { unk_token?: unknown } | undefined;
  return typeof model?.unk_token === 'string' ? model.unk_token : undefined;
}

/** `chat_template` is a string, or (multi-template configs) a list of `{name, template}` whose `default` we use. */
function readChatTemplate(value: unknown, source: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const entry = value.find((t) => (t as { name?: unknown })?.name === 'default') as
      | { template?: unknown }
      | undefined;
    if (typeof entry?.template === 'string') return entry.template;
  }
  throw new Error(`${source}: tokenizer_config.json "chat_template" must be a string or a list with a "default" entry`);
}
