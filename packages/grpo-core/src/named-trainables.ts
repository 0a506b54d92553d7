/**
 * Bridges tfjs's variable names (auto-generated, different in every process) and Hugging Face parameter names
 * (stable): the optimiser is keyed by HF names so its exported state can be saved and resumed in another process.
 */
import type { Model, tf } from '@r1/model';

export interface NamedTrainables {
  /** HF name → variable, trainable variables only. */
  params: Map<string, tf.Variable>;
  /** Re-keys `tf.variableGrads` output (by variable name) to HF names. */
  rename(grads: Record<string, tf.Tensor>): Map<string, tf.Tensor>;
}

export function namedTrainables(model: Model): NamedTrainables {
  const trainable = new Set(model.trainableVariables());
  const params = new Map<string, tf.Variable>();
  const hfNameOf = new Map<string, string>();
  for (const [name, v] of model.parameters()) {
    if (!trainable.has(v)) continue;
    params.set(name, v);
    hfNameOf.set(v.name, name);
  }
  return {
    params,
    rename(grads) {
      const out = new Map<string, tf.Tensor>();
      for (const [varName, g] of Object.entries(grads)) {
        const name = hfNameOf.get(varName);
        if (name === undefined) throw new Error(`gradient for unknown variable ${varName}`);
        out.set(name, g);
      }
      return out;
    },
  };
}
