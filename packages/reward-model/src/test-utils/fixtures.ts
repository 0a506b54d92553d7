/** Test fixtures: a char-level tokenizer (ChatML template), tiny causal LMs as checkpoint directories, JSONL files. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildCharTokenizer, createModel, createTokenizer, type Model, saveModel, type Tokenizer } from '@r1/model';

export const CHATML_TEMPLATE =
  "{% for m in messages %}{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 +-*/=?.,:!()\n';

/** Char-level tokenizer: EOS `<|endoftext|>` = 0, `<think>` … and ChatML tokens, one id per character. */
export function charTokenizer(chatTemplate: string | undefined = CHATML_TEMPLATE): Tokenizer {
  return createTokenizer(
    buildCharTokenizer(ALPHABET, ['<|im_start|>', '<|im_end|>'], chatTemplate ? { chatTemplate } : {}),
  );
}

/** A 1-layer, width-16 Qwen2 with an untied LM head (so "no lm_head in the RM" is a real check). */
export function tinyLm(vocab: number, seed = 0): Model {
  return createModel(
    {
      model_type: 'qwen2',
      vocab_size: vocab,
      hidden_size: 16,
      intermediate_size: 32,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      num_key_value_heads: 1,
      max_position_embeddings: 256,
      tie_word_embeddings: false,
      rms_norm_eps: 1e-6,
      rope_theta: 10_000,
      initializer_range: 0.2,
    } as unknown as Parameters<typeof createModel>[0],
    { seed },
  );
}

/** Writes a tiny random causal LM with the char tokenizer as a checkpoint directory. */
export async function writeTinyLm(dir: string, seed = 0, chatTemplate?: string): Promise<Tokenizer> {
  const tokenizer = charTokenizer(chatTemplate);
  const model = tinyLm(tokenizer.vocabSize, seed);
  await saveModel(dir, model, { tokenizer: tokenizer.files, generationConfig: { eos_token_id: tokenizer.eosTokenId } });
  model.dispose();
  return tokenizer;
}

export function writeJsonl(path: string, rows: readonly unknown[]): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return path;
}
