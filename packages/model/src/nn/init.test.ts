import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { initParameters, parameterSpecs } from './init';
import { tinyDense, tinyMoe } from './test-utils/tiny';

describe('parameterSpecs', () => {
  test('dense Qwen2 names and [out, in] shapes', () => {
    const specs = parameterSpecs(tinyDense({ num_hidden_layers: 1 }));
    expect(specs.map((s) => [s.name, s.shape])).toEqual([
      ['model.embed_tokens.weight', [17, 16]],
      ['model.layers.0.input_layernorm.weight', [16]],
      ['model.layers.0.self_attn.q_proj.weight', [16, 16]],
      ['model.layers.0.self_attn.q_proj.bias', [16]],
      ['model.layers.0.self_attn.k_proj.weight', [8, 16]],
      ['model.layers.0.self_attn.k_proj.bias', [8]],
      ['model.layers.0.self_attn.v_proj.weight', [8, 16]],
      ['model.layers.0.self_attn.v_proj.bias', [8]],
      ['model.layers.0.self_attn.o_proj.weight', [16, 16]],
      ['model.layers.0.post_attention_layernorm.weight', [16]],
      ['model.layers.0.mlp.gate_proj.weight', [24, 16]],
      ['model.layers.0.mlp.up_proj.weight', [24, 16]],
      ['model.layers.0.mlp.down_proj.weight', [16, 24]],
      ['model.norm.weight', [16]],
      ['lm_head.weight', [17, 16]],
    ]);
  });

  test('tied embeddings drop lm_head.weight', () => {
    const names = parameterSpecs(tinyDense({ tie_word_embeddings: true })).map((s) => s.name);
    expect(names).not.toContain('lm_head.weight');
  });

  test('MoE layers use DeepSeek-V3 names; the selection bias is not trainable', () => {
    const specs = parameterSpecs(tinyMoe({ n_shared_experts: 2 }));
    const layer1 = specs.filter((s) => s.name.startsWith('model.layers.1.mlp.'));
    expect(layer1.map((s) => [s.name, s.shape, s.trainable])).toEqual([
      ['model.layers.1.mlp.gate.weight', [4, 16], true],
      ['model.layers.1.mlp.gate.e_score_correction_bias', [4], false],
      ...[0, 1, 2, 3].flatMap((e) => [
        [`model.layers.1.mlp.experts.${e}.gate_proj.weight`, [8, 16], true],
        [`model.layers.1.mlp.experts.${e}.up_proj.weight`, [8, 16], true],
        [`model.layers.1.mlp.experts.${e}.down_proj.weight`, [16, 8], true],
      ]),
      ['model.layers.1.mlp.shared_experts.gate_proj.weight', [16, 16], true],
      ['model.layers.1.mlp.shared_experts.up_proj.weight', [16, 16], true],
      ['model.layers.1.mlp.shared_experts.down_proj.weight', [16, 16], true],
    ]);
    // layer 0 stays dense (first_k_dense_replace = 1)
    expect(specs.some((s) => s.name === 'model.layers.0.mlp.gate_proj.weight')).toBe(true);
  });

  test('no shared experts when n_shared_experts = 0', () => {
    const names = parameterSpecs(tinyMoe({ n_shared_experts: 0 })).map((s) => s.name);
    expect(names.some((n) => n.includes('shared_experts'))).toBe(false);
  });
});

describe('initParameters', () => {
  test('same seed → identical weights; other seed → different; norms 1, biases 0', () => {
    const a = initParameters(tinyDense(), 3);
    const b = initParameters(tinyDense(), 3);
    const c = initParameters(tinyDense(), 4);
    for (const [name, v] of a) {
      expect(v.dataSync()).toEqual(b.get(name)!.dataSync());
      if (name.endsWith('norm.weight')) expect([...v.dataSync()].every((x) => x === 1)).toBe(true);
      else if (name.endsWith('.bias')) expect([...v.dataSync()].every((x) => x === 0)).toBe(true);
      else expect(v.dataSync()).not.toEqual(c.get(name)!.dataSync());
    }
    for (const m of [a, b, c]) for (const v of m.values()) v.dispose();
  });

  test('a parameter does not depend on which others exist (keyed by name)', () => {
    const a = initParameters(tinyDense({ num_hidden_layers: 1 }), 9);
    const b = initParameters(tinyDense({ num_hidden_layers: 2 }), 9);
    const name = 'model.layers.0.self_attn.q_proj.weight';
    expect(a.get(name)!.dataSync()).toEqual(b.get(name)!.dataSync());
    for (const m of [a, b]) for (const v of m.values()) v.dispose();
  });

  test('std follows initializer_range', () => {
    const p = initParameters(tinyDense({ initializer_range: 0.05, vocab_size: 500 }), 1);
    const w = p.get('model.embed_tokens.weight')!;
    const std = tf.tidy(() => tf.moments(w).variance.sqrt().dataSync()[0]!);
    expect(std).toBeCloseTo(0.05, 2);
    for (const v of p.values()) v.dispose();
  });
});
