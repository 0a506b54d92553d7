/** Real Hugging Face `config.json`s, as published (keys we do not model included, as a real file has them). Test-only. */

/** Qwen/Qwen2.5-0.5B-Instruct. */
export const QWEN25_05B_INSTRUCT = {
  architectures: ['Qwen2ForCausalLM'],
  attention_dropout: 0.0,
  bos_token_id: 151643,
  eos_token_id: 151645,
  hidden_act: 'silu',
  hidden_size: 896,
  initializer_range: 0.02,
  intermediate_size: 4864,
  max_position_embeddings: 32768,
  max_window_layers: 21,
  model_type: 'qwen2',
  num_attention_heads: 14,
  num_hidden_layers: 24,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000.0,
  sliding_window: 32768,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  transformers_version: '4.43.1',
  use_cache: true,
  use_sliding_window: false,
  vocab_size: 151936,
};

/** Qwen/Qwen2.5-0.5B (the base model): the same shapes, its own end token and window layers, an explicit null. */
export const QWEN25_05B = {
  ...QWEN25_05B_INSTRUCT,
  eos_token_id: 151643,
  max_window_layers: 24,
  rope_scaling: null,
};
