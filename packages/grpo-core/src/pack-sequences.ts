/**
 * Packs (prompt, completion) token sequences into the tensors a training forward needs, left-padded as the model
 * expects: `ids` and `targets` are the sequence and the sequence shifted by one; `lossMask` marks the positions whose
 * target is a completion token (prompt and padding positions are not trained on).
 */
import { tf } from '@r1/model';

export interface PackedBatch {
  /** `[B, L]` int32 inputs: the sequence without its last token, left-padded. */
  ids: tf.Tensor2D;
  /** `[B, L]` int32 next tokens. */
  targets: tf.Tensor2D;
  /** `[B, L]` int32, 1 = real input token. */
  attentionMask: tf.Tensor2D;
  /** `[B, L]` float32, 1 where the target is a completion token. */
  lossMask: tf.Tensor2D;
  /** Completion tokens per row. */
  completionLengths: number[];
}

export interface SequencePair {
  prompt: readonly number[];
  completion: readonly number[];
}

export function packSequences(pairs: readonly SequencePair[], padId: number): PackedBatch {
  if (pairs.length === 0) throw new Error('packSequences: empty batch');
  const lengths = pairs.map((p) => p.prompt.length + p.completion.length - 1);
  const width = Math.max(...lengths);
  const B = pairs.length;
  const ids = new Int32Array(B * width).fill(padId);
  const targets = new Int32Array(B * width).fill(padId);
  const attention = new Int32Array(B * width);
  const loss = new Float32Array(B * width);
  pairs.forEach((pair, b) => {
    if (pair.prompt.length === 0) throw new Error(`packSequences: row ${b} has an empty prompt`);
    const seq = [...pair.prompt, ...pair.completion];
    const n = seq.length - 1;
    const offset = b * width + (width - n);
    for (let t = 0; t < n; t++) {
      ids[offset + t] = seq[t]!;
      targets[offset + t] = seq[t + 1]!;
      attention[offset + t] = 1;
      // Target t is token t+1 of the sequence: a completion token once t + 1 ≥ prompt length.
      if (t + 1 >= pair.prompt.length) loss[offset + t] = 1;
    }
  });
  return {
    ids: tf.tensor2d(ids, [B, width], 'int32'),
    targets: tf.tensor2d(targets, [B, width], 'int32'),
    attentionMask: tf.tensor2d(attention, [B, width], 'int32'),
    lossMask: tf.tensor2d(loss, [B, width], 'float32'),
    completionLengths: pairs.map((p) => p.completion.length),
  };
}

export function disposeBatch(batch: PackedBatch): void {
  batch.ids.dispose();
  batch.targets.dispose();
  batch.attentionMask.dispose();
  batch.lossMask.dispose();
}
