/**
 * Which tensors a checkpoint of a given model config holds, by Hugging Face name, and with which shapes; and the
 * comparison of that expectation with what a checkpoint actually contains.
 *
 * Names follow transformers' Qwen2 (`model.layers.N.self_attn.q_proj.weight`, q/k/v biases, `mlp.gate_proj`, …) and,
 * for MoE layers, DeepSeek-V3 (`mlp.gate.weight`, `mlp.gate.e_score_correction_bias`, `mlp.experts.E.*_proj.weight`,
 * `mlp.shared_experts.*_proj.weight`). Linear weights are `[out, in]`, as HF stores them.
 *
 * The names and shapes themselves come from nn's `parameterSpecs`; this module adds the checkpoint-side rules (ignored
 * buffers, a redundant tied `lm_head`) and the error report. Deliberately reads no files and builds no model.
 */
import { type ModelConfig, parameterSpecs } from '../nn/index';
import { formatShape, sameShape } from './tensor-data';

/** Buffers some exported checkpoints carry that are derived, not learned; transformers ignores them on load too. */
const IGNORED_SUFFIXES = ['.rotary_emb.inv_freq'];

/** Whether a checkpoint tensor is a derived buffer to skip rather than an unexpected tensor. */
export function isIgnoredCheckpointTensor(name: string): boolean {
  return IGNORED_SUFFIXES.some((s) => name.endsWith(s));
}

/**
 * Every tensor a checkpoint of `config` holds, by HF name, in HF's order: exactly nn's `parameterSpecs`, so the files
 * and `model.parameters()` can never disagree. `lm_head.weight` only when embeddings are untied.
 */
export function checkpointTensorShapes(config: ModelConfig): Map<string, number[]> {
  return new Map(parameterSpecs(config).map((spec) => [spec.name, [...spec.shape]]));
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
