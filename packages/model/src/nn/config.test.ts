import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { isMoeConfig, isMoeLayer, ModelConfigError, resolveModelConfig, toHfConfig } from './config';
import { QWEN25_05B } from './test-utils/qwen-configs';

const base = {
  model_type: 'qwen2',
  vocab_size: 64,
  hidden_size: 32,
  intermediate_size: 64,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
};

// A real Qwen2.5-0.5B config.json, including keys we do not read.
const qwen25 = QWEN25_05B;

describe('resolveModelConfig', () => {
  test('a real Qwen2.5 config resolves, tolerating unknown keys', () => {
    const c = resolveModelConfig(qwen25);
    expect(c).toMatchObject({ head_dim: 64, num_key_value_heads: 2, rope_theta: 1e6, tie_word_embeddings: true });
    expect(c.moe).toBeNull();
    expect(isMoeConfig(c)).toBe(false);
  });

  test.each([
    ['rms_norm_eps', 1e-6],
    ['rope_theta', 10000],
    ['max_position_embeddings', 32768],
    ['tie_word_embeddings', false],
    ['initializer_range', 0.02],
  ])('default %s = %s', (key, value) => {
    expect(resolveModelConfig(base)[key as keyof typeof base]).toBe(value);
  });

  test('num_key_value_heads defaults to num_attention_heads', () => {
    const { num_key_value_heads: _, ...noKv } = base;
    expect(resolveModelConfig(noKv).num_key_value_heads).toBe(4);
  });

  test.each([
    [{ hidden_size: 30 }, 'num_attention_heads', /not divisible by num_attention_heads/],
    [{ num_key_value_heads: 3 }, 'num_key_value_heads', /each kv head must serve/],
    [{ vocab_size: undefined }, 'vocab_size', /required/],
    [{ vocab_size: 1.5 }, 'vocab_size', /integer/],
    [{ hidden_size: 12, num_attention_heads: 4, num_key_value_heads: 4 }, 'hidden_size', /even/],
    [{ model_type: 'llama' }, 'model_type', /expected "qwen2" or "r1_moe"/],
    [{ model_type: 'deepseek_v3' }, 'model_type', /MLA/],
    [{ model_type: 'r1_moe' }, 'n_routed_experts', /needs/],
    [{ rope_scaling: { type: 'yarn' } }, 'rope_scaling', /not implemented/],
    [{ use_sliding_window: true }, 'use_sliding_window', /not implemented/],
    [{ hidden_act: 'gelu' }, 'hidden_act', /silu/],
    [{ rms_norm_eps: -1 }, 'rms_norm_eps', /> 0/],
    [{ tie_word_embeddings: 'yes' }, 'tie_word_embeddings', /true or false/],
    [{ head_dim: 16 }, 'head_dim', /remove head_dim/],
    [{ n_routed_experts: 4, num_experts_per_tok: 5, moe_intermediate_size: 8 }, 'num_experts_per_tok', /at most/],
    [{ n_routed_experts: 4, num_experts_per_tok: 2 }, 'moe_intermediate_size', /required/],
    [
      { n_routed_experts: 4, num_experts_per_tok: 2, moe_intermediate_size: 8, scoring_func: 'relu' },
      'scoring_func',
      /sigmoid/,
    ],
    [
      { n_routed_experts: 4, num_experts_per_tok: 2, moe_intermediate_size: 8, n_group: 2 },
      'n_group',
      /not implemented/,
    ],
    [
      { n_routed_experts: 4, num_experts_per_tok: 2, moe_intermediate_size: 8, first_k_dense_replace: 3 },
      'first_k_dense_replace',
      /at most/,
    ],
  ])('rejects %j with a fix in the message (%s)', (patch, field, message) => {
    let error: unknown;
    try {
      resolveModelConfig({ ...base, ...patch });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelConfigError);
    expect((error as ModelConfigError).field).toBe(field);
    expect((error as Error).message).toMatch(message);
  });

  test.each([null, 3, 'config', [1]])('rejects a non-object %j', (json) => {
    expect(() => resolveModelConfig(json)).toThrow(/JSON object/);
  });

  test('MoE keys make an MoE config; defaults follow DeepSeek-V3', () => {
    const c = resolveModelConfig({ ...base, n_routed_experts: 8, num_experts_per_tok: 2, moe_intermediate_size: 16 });
    expect(isMoeConfig(c)).toBe(true);
    expect(c.moe).toEqual({
      n_routed_experts: 8,
      num_experts_per_tok: 2,
      n_shared_experts: 1,
      moe_intermediate_size: 16,
      scoring_func: 'sigmoid',
      norm_topk_prob: true,
      routed_scaling_factor: 1,
      first_k_dense_replace: 0,
      aux_loss_alpha: 0,
    });
  });

  test('n_routed_experts 0 or null means dense', () => {
    expect(resolveModelConfig({ ...base, n_routed_experts: 0 }).moe).toBeNull();
    expect(resolveModelConfig({ ...base, n_routed_experts: null }).moe).toBeNull();
  });

  test('isMoeLayer honours first_k_dense_replace', () => {
    const c = resolveModelConfig({
      ...base,
      num_hidden_layers: 3,
      n_routed_experts: 4,
      num_experts_per_tok: 1,
      moe_intermediate_size: 8,
      first_k_dense_replace: 1,
    });
    expect([0, 1, 2].map((i) => isMoeLayer(c, i))).toEqual([false, true, true]);
  });

  test('fast-check: any consistent config resolves, and toHfConfig round-trips', () => {
    fc.assert(
      fc.property(
        fc.record({
          kv: fc.integer({ min: 1, max: 4 }),
          group: fc.integer({ min: 1, max: 4 }),
          halfHead: fc.integer({ min: 1, max: 8 }),
          layers: fc.integer({ min: 1, max: 4 }),
          experts: fc.integer({ min: 0, max: 8 }),
          k: fc.integer({ min: 1, max: 8 }),
          dense: fc.integer({ min: 0, max: 4 }),
          scoring: fc.constantFrom('sigmoid', 'softmax'),
        }),
        (r) => {
          const heads = r.kv * r.group;
          const json: Record<string, unknown> = {
            ...base,
            num_attention_heads: heads,
            num_key_value_heads: r.kv,
            hidden_size: heads * r.halfHead * 2,
            num_hidden_layers: r.layers,
          };
          if (r.experts > 0) {
            Object.assign(json, {
              n_routed_experts: r.experts,
              num_experts_per_tok: Math.min(r.k, r.experts),
              moe_intermediate_size: 8,
              first_k_dense_replace: Math.min(r.dense, r.layers),
              scoring_func: r.scoring,
            });
          }
          const c = resolveModelConfig(json);
          expect(c.head_dim * c.num_attention_heads).toBe(c.hidden_size);
          expect(isMoeConfig(c)).toBe(r.experts > 0);
          expect(resolveModelConfig(toHfConfig(c))).toEqual(c);
          expect(resolveModelConfig(c)).toEqual(c);
        },
      ),
      { numRuns: 100 },
    );
  });
});
