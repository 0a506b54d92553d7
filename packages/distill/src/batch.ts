/**
 * Training batches: each sequence is one or more tokenized rows laid end to end (one row when not packing), padded
 * on the right to the longest sequence of the batch. A row of n tokens fills n − 1 positions (inputs t, targets
 * t + 1); `segmentIds` number the rows of each sequence from 1 (0 = padding), so the model restarts positions and
 * keeps attention inside each row. `lossMask` is 1 where the target token is trained.
 */
import { tf } from '@r1/model';
import type { TokenizedExample } from './tokenize-row';

export interface TrainBatch {
  /** `[B, L]` int32 inputs. */
  ids: tf.Tensor2D;
  /** `[B, L]` int32 next tokens. */
  targets: tf.Tensor2D;
  /** `[B, L]` int32: k ≥ 1 for the k-th row of a sequence, 0 for padding. */
  segmentIds: tf.Tensor2D;
  /** `[B, L]` float32: 1 where the target is trained. */
  lossMask: tf.Tensor2D;
  /** Trained targets (Σ lossMask). */
  trainedTokens: number;
  /** Non-padding positions. */
  realTokens: number;
  /** B · L. */
  paddedTokens: number;
}

/** Positions a row fills in a sequence. */
export const positionsOf = (example: TokenizedExample): number => example.ids.length - 1;

export function buildBatch(sequences: readonly (readonly TokenizedExample[])[], padId: number): TrainBatch {
  if (sequences.length === 0) throw new Error('buildBatch: empty batch');
  const widths = sequences.map((rows) => rows.reduce((s, r) => s + positionsOf(r), 0));
  const width = Math.max(1, ...widths);
  const B = sequences.length;
  const ids = new Int32Array(B * width).fill(padId);
  const targets = new Int32Array(B * width).fill(padId);
  const segments = new Int32Array(B * width);
  const loss = new Float32Array(B * width);
  let trained = 0;
  let real = 0;
  sequences.forEach((rows, b) => {
    let at = b * width;
    rows.forEach((row, k) => {
      if (row.ids.length < 2) throw new Error(`buildBatch: a row needs at least 2 tokens, got ${row.ids.length}`);
      for (let t = 0; t + 1 < row.ids.length; t++, at++) {
        ids[at] = row.ids[t]!;
        targets[at] = row.ids[t + 1]!;
        segments[at] = k + 1;
        const flag = row.labels[t + 1]!;
        loss[at] = flag;
        trained += flag;
        real++;
      }
    });
  });
  return {
    ids: tf.tensor2d(ids, [B, width], 'int32'),
    targets: tf.tensor2d(targets, [B, width], 'int32'),
    segmentIds: tf.tensor2d(segments, [B, width], 'int32'),
    lossMask: tf.tensor2d(loss, [B, width], 'float32'),
    trainedTokens: trained,
    realTokens: real,
    paddedTokens: B * width,
  };
}

export function disposeTrainBatch(batch: TrainBatch): void {
  tf.dispose([batch.ids, batch.targets, batch.segmentIds, batch.lossMask]);
}
