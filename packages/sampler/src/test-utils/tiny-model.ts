/**
 * The local engines' test model and tokenizer: characters ' ', 'a'..'z', '.', digits → ids 1.., id 0 is EOS, and a
 * seeded 2-layer Qwen2 over that vocabulary (engine, continuous-batching and wasm tests share them).
 */
import { createModel, type Model } from '@r1/model';
import type { EngineTokenizer } from '../local/engine';

export const ALPHABET = ' abcdefghijklmnopqrstuvwxyz.0123456789';

export const alphabetTokenizer: EngineTokenizer = {
  eosTokenId: 0,
  encode: (text) => [...text].map((c) => ALPHABET.indexOf(c) + 1),
  decode: (ids) => ids.map((id) => (id === 0 ? '<eos>' : (ALPHABET[id - 1] ?? '?'))).join(''),
};

export function tinyModel(seed: number): Model {
  return createModel(
    {
      model_type: 'qwen2',
      vocab_size: ALPHABET.length + 1,
      hidden_size: 32,
      intermediate_size: 64,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      max_position_embeddings: 128,
    } as never,
    { seed },
  );
}
