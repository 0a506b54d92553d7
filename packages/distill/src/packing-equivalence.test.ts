/**
 * Packing is exact: a packed batch (several rows per sequence, segment ids) gives every row the loss and the
 * gradient it has alone, to 1e-5 — positions restart per row and attention stays inside each row.
 */
import { namedTrainables } from '@r1/grpo-core';
import { tf } from '@r1/model';
import { afterAll, describe, expect, test } from 'vitest';
import { buildBatch, disposeTrainBatch } from './batch';
import { maskedNllSum } from './losses';
import { packBestFitDecreasing } from './pack';
import { tinyModel } from './test-utils/fixtures';
import type { TokenizedExample } from './tokenize-row';

const VOCAB = 40;

const maxGap = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length ? Math.max(0, ...a.map((x, i) => Math.abs(x - b[i]!))) : Number.POSITIVE_INFINITY;

function example(length: number, promptLength: number, seed: number): TokenizedExample {
  const ids = Array.from({ length }, (_, i) => ((seed * 7 + i * 13 + ((seed * i) % 5)) % (VOCAB - 1)) + 1);
  const labels = new Uint8Array(length);
  labels.fill(1, promptLength);
  return { ids, labels };
}

const rows = [
  example(9, 3, 1),
  example(5, 2, 2),
  example(12, 6, 3),
  example(4, 1, 4),
  example(7, 4, 5),
  example(3, 1, 6),
];

describe('packing equivalence', () => {
  const model = tinyModel(VOCAB, 11);
  const named = namedTrainables(model);
  afterAll(() => model.dispose());

  /** Per-row loss sums and the gradient of their total, for batches of sequences (lists of rows). */
  function lossesAndGrads(sequences: TokenizedExample[][][]): { perRow: number[]; grads: Map<string, Float32Array> } {
    const perRow: number[] = [];
    const total = new Map<string, Float32Array>();
    for (const batchSeqs of sequences) {
      const batch = buildBatch(batchSeqs, 0);
      const { grads } = tf.variableGrads(() => {
        const lp = model.tokenLogprobs(batch.ids, batch.targets, { segmentIds: batch.segmentIds });
        // Per-row sums on the side, from the segment layout.
        const lpv = lp.dataSync();
        const seg = batch.segmentIds.dataSync();
        const mask = batch.lossMask.dataSync();
        const width = batch.ids.shape[1];
        batchSeqs.forEach((seq, b) => {
          seq.forEach((_, k) => {
            let s = 0;
            for (let t = 0; t < width; t++)
              if (seg[b * width + t] === k + 1) s -= lpv[b * width + t]! * mask[b * width + t]!;
            perRow.push(s);
          });
        });
        return maskedNllSum(lp, batch.lossMask);
      }, model.trainableVariables());
      for (const [name, g] of named.rename(grads)) {
        const v = g.dataSync() as Float32Array;
        const acc = total.get(name);
        if (acc === undefined) total.set(name, Float32Array.from(v));
        else for (let i = 0; i < v.length; i++) acc[i]! += v[i]!;
        g.dispose();
      }
      disposeTrainBatch(batch);
    }
    return { perRow, grads: total };
  }

  test('per-row losses and gradients of a BFD-packed batch equal the unpacked ones (1e-5)', () => {
    const bins = packBestFitDecreasing(
      rows.map((r) => r.ids.length - 1),
      16,
      0,
    );
    expect(bins.length).toBeLessThan(rows.length);
    const packed = lossesAndGrads([bins.map((b) => b.rows.map((r) => rows[r]!))]);
    const order = bins.flatMap((b) => b.rows);
    // Reference: every row alone, through the plain forward (no segment ids).
    const perRowAlone: number[] = [];
    const alone = new Map<string, Float32Array>();
    for (const r of order) {
      const e = rows[r]!;
      const ids = tf.tensor2d([e.ids.slice(0, -1)], undefined, 'int32');
      const targets = tf.tensor2d([e.ids.slice(1)], undefined, 'int32');
      const mask = tf.tensor2d([Array.from(e.labels.slice(1))], undefined, 'float32');
      const { value, grads } = tf.variableGrads(
        () => maskedNllSum(model.tokenLogprobs(ids, targets), mask),
        model.trainableVariables(),
      );
      perRowAlone.push(value.dataSync()[0]!);
      for (const [name, g] of named.rename(grads)) {
        const v = g.dataSync() as Float32Array;
        const acc = alone.get(name);
        if (acc === undefined) alone.set(name, Float32Array.from(v));
        else for (let i = 0; i < v.length; i++) acc[i]! += v[i]!;
        g.dispose();
      }
      tf.dispose([ids, targets, mask, value]);
    }
    expect(maxGap(packed.perRow, perRowAlone)).toBeLessThan(1e-5);
    let worst = 0;
    for (const [name, g] of alone) {
      const p = packed.grads.get(name)!;
      for (let i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs(g[i]! - p[i]!));
    }
    expect(worst).toBeLessThan(1e-5);
    // And an unpacked, right-padded batch (one row per sequence) agrees too.
    const unpacked = lossesAndGrads([order.map((r) => [rows[r]!])]);
    expect(maxGap(unpacked.perRow, perRowAlone)).toBeLessThan(1e-5);
  });

  test('buildBatch: segment ids number rows from 1, padding is 0 and never trained', () => {
    const batch = buildBatch([[rows[3]!, rows[5]!], [rows[1]!]], 0);
    expect(batch.segmentIds.arraySync()).toEqual([
      [1, 1, 1, 2, 2],
      [1, 1, 1, 1, 0],
    ]);
    expect(batch.lossMask.arraySync()).toEqual([
      [1, 1, 1, 1, 1],
      [0, 1, 1, 1, 0],
    ]);
    expect([batch.trainedTokens, batch.realTokens, batch.paddedTokens]).toEqual([8, 9, 10]);
    disposeTrainBatch(batch);
  });
});
