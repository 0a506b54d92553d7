/**
 * Parameter creation: every weight of the model as a `tf.Variable`, keyed by its Hugging Face name, in HF order.
 * Linear weights are `[out, in]` (HF layout) so checkpoints load with `variable.assign` and no transposes.
 * Init follows HF `_init_weights`: N(0, initializer_range²) for linear and embedding weights, zeros for biases,
 * ones for RMSNorm weights, zeros for the MoE selection bias (`e_score_correction_bias`, not trainable).
 * It does not load checkpoints (io/ does) and knows nothing about the forward pass.
 */
import * as tf from '@tensorflow/tfjs';
import { isMoeLayer, type ModelConfig } from './config';
import { normalArray } from './rng';

/** Names and shapes of every parameter, in HF order; `init` says how it starts. */
export interface ParamSpec {
  name: string;
  shape: number[];
  init: 'normal' | 'zeros' | 'ones';
  trainable: boolean;
}

function swigluSpecs(prefix: string, d: number, inter: number): ParamSpec[] {
  return [
    { name: `${prefix}.gate_proj.weight`, shape: [inter, d], init: 'normal', trainable: true },
    { name: `${prefix}.up_proj.weight`, shape: [inter, d], init: 'normal', trainable: true },
    { name: `${prefix}.down_proj.weight`, shape: [d, inter], init: 'normal', trainable: true },
  ];
}

/** The parameter list of `config` (no tensors are created). */
export function parameterSpecs(config: ModelConfig): ParamSpec[] {
  const d = config.hidden_size;
  const qOut = config.num_attention_heads * config.head_dim;
  const kvOut = config.num_key_value_heads * config.head_dim;
  const specs: ParamSpec[] = [
    { name: 'model.embed_tokens.weight', shape: [config.vocab_size, d], init: 'normal', trainable: true },
  ];
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const p = `model.layers.${i}`;
    specs.push(
      { name: `${p}.input_layernorm.weight`, shape: [d], init: 'ones', trainable: true },
      { name: `${p}.self_attn.q_proj.weight`, shape: [qOut, d], init: 'normal', trainable: true },
      { name: `${p}.self_attn.q_proj.bias`, shape: [qOut], init: 'zeros', trainable: true },
      { name: `${p}.self_attn.k_proj.weight`, shape: [kvOut, d], init: 'normal', trainable: true },
      { name: `${p}.self_attn.k_proj.bias`, shape: [kvOut], init: 'zeros', trainable: true },
      { name: `${p}.self_attn.v_proj.weight`, shape: [kvOut, d], init: 'normal', trainable: true },
      { name: `${p}.self_attn.v_proj.bias`, shape: [kvOut], init: 'zeros', trainable: true },
      { name: `${p}.self_attn.o_proj.weight`, shape: [d, qOut], init: 'normal', trainable: true },
      { name: `${p}.post_attention_layernorm.weight`, shape: [d], init: 'ones', trainable: true },
    );
    const moe = config.moe;
    if (moe !== null && isMoeLayer(config, i)) {
      const e = moe.n_routed_experts;
      specs.push(
        { name: `${p}.mlp.gate.weight`, shape: [e, d], init: 'normal', trainable: true },
        { name: `${p}.mlp.gate.e_score_correction_bias`, shape: [e], init: 'zeros', trainable: false },
      );
      for (let x = 0; x < e; x++) specs.push(...swigluSpecs(`${p}.mlp.experts.${x}`, d, moe.moe_intermediate_size));
      if (moe.n_shared_experts > 0) {
        specs.push(...swigluSpecs(`${p}.mlp.shared_experts`, d, moe.moe_intermediate_size * moe.n_shared_experts));
      }
    } else {
      specs.push(...swigluSpecs(`${p}.mlp`, d, config.intermediate_size));
    }
  }
  specs.push({ name: 'model.norm.weight', shape: [d], init: 'ones', trainable: true });
  if (!config.tie_word_embeddings) {
    specs.push({ name: 'lm_head.weight', shape: [config.vocab_size, d], init: 'normal', trainable: true });
  }
  return specs;
}

/**
 * Creates every parameter of `config`, seeded: the same (config, seed) gives bit-identical weights.
 * Variables get tfjs-unique auto names (two models can coexist); the map key is the HF name.
 */
export function initParameters(config: ModelConfig, seed: number): Map<string, tf.Variable> {
  const params = new Map<string, tf.Variable>();
  for (const spec of parameterSpecs(config)) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    let values: Float32Array;
    switch (spec.init) {
      case 'normal':
        values = normalArray(size, config.initializer_range, seed, spec.name);
        break;
      case 'zeros':
        values = new Float32Array(size);
        break;
      case 'ones':
        values = new Float32Array(size).fill(1);
        break;
      default: {
        const never: never = spec.init;
        throw new Error(`unknown init ${String(never)}`);
      }
    }
    const t = tf.tensor(values, spec.shape, 'float32');
    params.set(spec.name, tf.variable(t, spec.trainable));
    t.dispose();
  }
  return params;
}
