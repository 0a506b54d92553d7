/**
 * Which tensors a checkpoint of a given model config holds, by Hugging Face name, and with which shapes; and the
 * comparison of that expectation with what a checkpoint actually contains.
 *
 * Names follow transformers' Qwen2 (`model.layers.N.self_attn.q_proj.weight`, q/k/v biases, `mlp.gate_proj`, …) and,
 * for MoE layers, DeepSeek-V3 (`mlp.gate.weight`, `mlp.gate.e_score_correction_bias`, `mlp.experts.E.*_proj.weight`,
 * `mlp.shared_experts.*_proj.weight`). Linear weights are `[out, in]`, as HF stores them.
 *
 * Deliberately reads no files and builds no model: this is the contract both sides (checkpoint files and nn's
 * `model.parameters()`) are checked against.
 */
import { isMoeLayer, type ModelConfig } from '../nn/index';
import { formatShape, sameShape } from './tensor-data';

/** Buffers some exported checkpoints carry that are derived, not learned; transformers ignores them on load too. */
const IGNORED_SUFFIXES = ['.rotary_emb.inv_freq'];

/** Whether a checkpoint tensor is a derived buffer to skip rather than an unexpected tensor. */
export function isIgnoredCheckpointTensor(name: string): boolean {
  return IGNORED_SUFFIXES.some((s) => name.endsWith(s));
}

/** Every tensor a checkpoint of `config` holds, by HF name, in HF's order. `lm_head.weight` only when untied. */
export function checkpointTensorShapes(config: ModelConfig): Map<string, number[]> {
  const { hidden_size: d, vocab_size: v, head_dim: hd } = config;
  const q = config.num_attention_heads * hd;
  const kv = config.num_key_value_heads * hd;
  const shapes = new Map<string, number[]>();
  shapes.set('model.embed_tokens.weight', [v, d]);
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const p = `model.layers.${i}`;
    shapes.set(`${p}.self_attn.q_proj.weight`, [q, d]);
    shapes.set(`${p}.self_attn.q_proj.bias`, [q]);
    shapes.set(`${p}.self_attn.k_proj.weight`, [kv, d]);
    shapes.set(`${p}.self_attn.k_proj.bias`, [kv]);
    shapes.set(`${p}.self_attn.v_proj.weight`, [kv, d]);
    shapes.set(`${p}.self_attn.v_proj.bias`, [kv]);
    shapes.set(`${p}.self_attn.o_proj.weight`, [d, q]);
    if (config.moe !== null && isMoeLayer(config, i)) {
      const { n_routed_experts: e, moe_intermediate_size: m, n_shared_experts: s } = config.moe;
      shapes.set(`${p}.mlp.gate.weight`, [e, d]);
      shapes.set(`${p}.mlp.gate.e_score_correction_bias`, [e]);
      for (let j = 0; j < e; j++) setSwiGlu(shapes, `${p}.mlp.experts.${j}`, d, m);
      if (s > 0) setSwiGlu(shapes, `${p}.mlp.shared_experts`, d, m * s);
    } else {
      setSwiGlu(shapes, `${p}.mlp`, d, config.intermediate_size);
    }
    shapes.set(`${p}.input_layernorm.weight`, [d]);
    shapes.set(`${p}.post_attention_layernorm.weight`, [d]);
  }
  shapes.set('model.norm.weight', [d]);
  if (!config.tie_word_embeddings) shapes.set('lm_head.weight', [v, d]);
  return shapes;
}

function setSwiGlu(shapes: Map<string, number[]>, prefix: string, d: number, hidden: number): void {
  shapes.set(`${prefix}.gate_proj.weight`, [hidden, d]);
  shapes.set(`${prefix}.up_proj.weight`, [hidden, d]);
  shapes.set(`${prefix}.down_proj.weight`, [d, hidden]);
}

/**
 * Compares the tensors found (`actual`, name → shape) with `expected` and throws one error listing every problem:
 * missing tensors, unexpected ones, and shape mismatches with both shapes. Ignored buffers (rotary `inv_freq`) and,
 * when the config ties embeddings, a redundant `lm_head.weight` of the right shape are accepted.
 * @param where the checkpoint path (and what it was checked against), the prefix of the error
 */
export function checkTensorShapes(
  expected: ReadonlyMap<string, readonly number[]>,
  actual: ReadonlyMap<string, readonly number[]>,
  where: string,
  tieWordEmbeddings: boolean,
): void {
  const problems: string[] = [];
  for (const [name, shape] of expected) {
    const got = actual.get(name);
    if (got === undefined) problems.push(`missing tensor "${name}" (expected shape ${formatShape(shape)})`);
    else if (!sameShape(got, shape)) {
      problems.push(
        `tensor "${name}" has shape ${formatShape(got)} in the checkpoint but the config expects ${formatShape(shape)}`,
      );
    }
  }
  for (const [name, shape] of actual) {
    if (expected.has(name) || isIgnoredCheckpointTensor(name)) continue;
    if (tieWordEmbeddings && name === 'lm_head.weight') {
      const embed = expected.get('model.embed_tokens.weight');
      if (embed !== undefined && sameShape(embed, shape)) continue;
    }
    problems.push(`unexpected tensor "${name}" ${formatShape(shape)} (the config does not use it)`);
  }
  if (problems.length === 0) return;
  const shown = problems.slice(0, 20);
  const more = problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : '';
  throw new Error(
    `${where}: checkpoint does not match the config (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${shown.join('\n  ')}${more}\nCheck that config.json belongs to these weights (vocab_size, hidden_size, layers, heads, MoE keys).`,
  );
}
