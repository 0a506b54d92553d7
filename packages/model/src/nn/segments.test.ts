import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, test } from 'vitest';
import { MASKED_SCORE, readSegments, segmentAttentionBias, segmentPositionIds } from './mask';
import { createModel } from './model';
import { int2d, maxAbsDiff, tinyDense } from './test-utils/tiny';

describe('segment ids (packed sequences)', () => {
  test.each([
    [
      [1, 1, 1, 2, 2, 0],
      [0, 1, 2, 0, 1, 0],
    ],
    [
      [1, 2, 2, 2, 3, 3],
      [0, 0, 1, 2, 0, 1],
    ],
    [
      [0, 0, 0],
      [0, 0, 0],
    ],
  ])('segments %j → positions %j', (segments, positions) => {
    expect([...segmentPositionIds(Int32Array.from(segments), 1, segments.length)]).toEqual(positions);
  });

  test('the bias is block-diagonal causal; padding sees nothing', () => {
    const bias = segmentAttentionBias(Int32Array.from([1, 1, 2, 0]), 1, 4);
    const open = [...bias.dataSync()].map((x) => (x === 0 ? 1 : x === MASKED_SCORE ? 0 : Number.NaN));
    bias.dispose();
    expect(open).toEqual([1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
  });

  test.each([
    [[[1, 2, 1]], 'resumes'],
    [[[1, -1, 0]], 'integers ≥ 1'],
  ])('bad segments %j are refused', (rows, message) => {
    const t = int2d(rows);
    expect(() => readSegments(t, 1, 3)).toThrow(message);
    t.dispose();
  });

  const model = createModel(tinyDense(), { seed: 3 });
  afterAll(() => model.dispose());

  test('a packed row gives each segment the logits it has alone, and pass attentionMask or segmentIds only', () => {
    const a = [3, 1, 4, 1];
    const b = [5, 9, 2];
    const packed = model.forward(int2d([[...a, ...b, 0]]), { segmentIds: int2d([[1, 1, 1, 1, 2, 2, 2, 0]]) });
    const alone = [model.forward(int2d([a])), model.forward(int2d([b]))];
    const first = tf.slice(packed, [0, 0, 0], [1, 4, -1]);
    const second = tf.slice(packed, [0, 4, 0], [1, 3, -1]);
    expect(maxAbsDiff(first, alone[0]!)).toBeLessThan(1e-5);
    expect(maxAbsDiff(second, alone[1]!)).toBeLessThan(1e-5);
    expect(() =>
      model.forward(int2d([a]), { segmentIds: int2d([[1, 1, 1, 1]]), attentionMask: int2d([[1, 1, 1, 1]]) }),
    ).toThrow('not both');
    expect(() => model.prefill(int2d([a]), { segmentIds: int2d([[1, 1, 1, 1]]) } as never)).toThrow('prefill');
    tf.dispose([packed, ...alone, first, second]);
  });
});
