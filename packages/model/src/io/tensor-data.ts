/**
 * Host-side tensor data as checkpoints hold it: a flat typed array plus a shape, in the two dtypes tfjs computes in.
 * Kept free of tfjs so reading and writing files never touches a backend; `tf.tensor(t.data, t.shape, t.dtype)`
 * turns one into a tensor.
 */

export type TensorData =
  | { dtype: 'float32'; shape: number[]; data: Float32Array }
  | { dtype: 'int32'; shape: number[]; data: Int32Array };

/** Number of elements of a shape (1 for a scalar `[]`). */
export function numElements(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** `[2, 3]` → `"[2, 3]"`, the spelling every shape error message uses. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
