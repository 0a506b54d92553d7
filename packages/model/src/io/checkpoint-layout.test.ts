import { describe, expect, test } from 'vitest';
import { createModel, resolveModelConfig } from '../nn/index';
import { QWEN25_05B_INSTRUCT as QWEN25_05B } from '../nn/test-utils/qwen-configs';
import { checkpointTensorShapes, checkTensorShapes } from './checkpoint-layout';
import { tinyConfig, tinyMoeConfig } from './test-utils/tiny-checkpoint';

describe('checkpointTensorShapes', () => {
  test('a real Qwen2.5-0.5B config gives its 290 tensors with HF names and [out, in] shapes', () => {
    const shapes = checkpointTensorShapes(resolveModelConfig(QWEN25_05B));
    expect(shapes.size).toBe(2 + 24 * 12); // embed + final norm + 12 per layer; tied, so no lm_head
    expect(shapes.get('model.embed_tokens.weight')).toEqual([151936, 896]);
    expect(shapes.get('model.layers.0.self_attn.q_proj.weight')).toEqual([896, 896]);
    expect(shapes.get('model.layers.0.self_attn.q_proj.bias')).toEqual([896]);
    expect(shapes.get('model.layers.23.self_attn.k_proj.weight')).toEqual([128, 896]); // 2 kv heads × 64
    expect(shapes.get('model.layers.23.self_attn.v_proj.bias')).toEqual([128]);
    expect(shapes.get('model.layers.5.self_attn.o_proj.weight')).toEqual([896, 896]);
    expect(shapes.get('model.layers.5.mlp.gate_proj.weight')).toEqual([4864, 896]);
    expect(shapes.get('model.layers.5.mlp.down_proj.weight')).toEqual([896, 4864]);
    expect(shapes.get('model.layers.5.post_attention_layernorm.weight')).toEqual([896]);
    expect(shapes.get('model.norm.weight')).toEqual([896]);
    expect(shapes.has('lm_head.weight')).toBe(false);
  });

  test('MoE layers use DeepSeek-V3 names; layers before first_k_dense_replace stay dense', () => {
    const shapes = checkpointTensorShapes(tinyMoeConfig());
    expect(shapes.get('model.layers.0.mlp.gate_proj.weight')).toEqual([12, 8]);
    expect(shapes.has('model.layers.1.mlp.gate_proj.weight')).toBe(false);
    expect(shapes.get('model.layers.1.mlp.gate.weight')).toEqual([3, 8]);
    expect(shapes.get('model.layers.1.mlp.gate.e_score_correction_bias')).toEqual([3]);
    expect(shapes.get('model.layers.1.mlp.experts.2.down_proj.weight')).toEqual([8, 4]);
    expect(shapes.get('model.layers.1.mlp.shared_experts.up_proj.weight')).toEqual([4, 8]);
    expect(shapes.get('lm_head.weight')).toEqual([11, 8]);
  });

  test.each([
    ['dense', tinyConfig()],
    ['tied', tinyConfig({ tie_word_embeddings: true })],
    ['MoE', tinyMoeConfig()],
  ])('%s: equals the names and shapes of model.parameters()', (_, config) => {
    const model = createModel(config, { seed: 0 });
    const fromModel = new Map([...model.parameters()].map(([name, v]) => [name, v.shape]));
    model.dispose();
    expect([...checkpointTensorShapes(config)]).toEqual([...fromModel]);
  });
});

describe('checkTensorShapes', () => {
  const expected = new Map([
    ['model.embed_tokens.weight', [4, 2]],
    ['model.norm.weight', [2]],
  ]);

  test('accepts a match, rotary inv_freq buffers, and a redundant lm_head when embeddings are tied', () => {
    const actual = new Map([
      ...expected,
      ['model.layers.0.self_attn.rotary_emb.inv_freq', [1]],
      ['lm_head.weight', [4, 2]],
    ]);
    expect(() => checkTensorShapes(expected, actual, 'ckpt', true)).not.toThrow();
    expect(() => checkTensorShapes(expected, actual, 'ckpt', false)).toThrow(
      'unexpected tensor "lm_head.weight" [4, 2]',
    );
  });

  test('a tied lm_head of the wrong shape is still an error', () => {
    const actual = new Map([...expected, ['lm_head.weight', [5, 2]]]);
    expect(() => checkTensorShapes(expected, actual, 'ckpt', true)).toThrow(
      'unexpected tensor "lm_head.weight" [5, 2]',
    );
  });

  test('every problem is listed once, with both shapes, capped at 20 lines', () => {
    const many = new Map(Array.from({ length: 30 }, (_, i) => [`w${i}`, [i + 1]] as [string, number[]]));
    const actual = new Map([...many].map(([n, s]) => [n, [s[0]! + 1]] as [string, number[]]));
    let message = '';
    try {
      checkTensorShapes(many, actual, 'big', false);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^big: checkpoint does not match the config \(30 problems\):/);
    expect(message).toContain('tensor "w0" has shape [2] in the checkpoint but the config expects [1]');
    expect(message).toContain('… and 10 more');
    expect(message).not.toContain('"w25"');
  });
});
