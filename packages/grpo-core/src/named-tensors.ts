/**
 * Gradients and parameters arrive either as a `Map` (what the optimiser keeps) or as a plain record (what
 * `tf.variableGrads` returns). This normalises both to entries. Nothing else.
 */
import type { tf } from '@r1/model';

/** Tensors by parameter name. */
export type NamedTensors = ReadonlyMap<string, tf.Tensor> | Readonly<Record<string, tf.Tensor>>;

export function namedEntries(tensors: NamedTensors): [string, tf.Tensor][] {
  return tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
}
