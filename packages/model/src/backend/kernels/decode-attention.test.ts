/**
 * `R1DecodeAttention` against the composed ops it replaces, on cpu: RoPE on q and k, the cache concatenated with
 * this token's keys and values, grouped attention with the key-mask bias. Random shapes (head dims 4…32, GQA groups,
 * spare capacity, masked slots) through fast-check; the slots it writes into the cache, and only those, checked
 * too. Then whole models on wasm, whose decode steps take this kernel: logits equal a full forward pass across cache
 * growth, `select`, and multi-token steps (which take the composed path on the same cache).
 */
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, test } from 'vitest';
import { groupedAttention } from '../../nn/attention';
import { createModel, resolveModelConfig } from '../../nn/index';
import { MASKED_SCORE } from '../../nn/mask';
import { applyRope, ropeAngles } from '../../nn/rope';
import { initBackend } from '../init-backend';
import { expectClose, onBackend, randomArray } from '../test-utils/on-backend';
import { DECODE_ATTENTION, type DecodeAttentionAttrs } from './decode-attention';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

interface Case {
  rows: number;
  kvHeads: number;
  group: number;
  hd: number;
  /** Filled slots before this token, and spare slots after it. */
  past: number;
  spare: number;
  seed: number;
}

/** Inputs of one case as plain arrays: projections, positions, a key mask with some masked past slots, a cache. */
function inputs(c: Case) {
  const heads = c.kvHeads * c.group;
  const length = c.past + 1;
  const cap = length + c.spare;
  const mask = Array.from({ length: c.rows * length }, (_, i) =>
    i % length === length - 1 || (i * 7 + c.seed) % 5 ? 1 : 0,
  );
  return {
    heads,
    length,
    cap,
    q: randomArray(c.rows * heads * c.hd, c.seed),
    k: randomArray(c.rows * c.kvHeads * c.hd, c.seed + 1),
    v: randomArray(c.rows * c.kvHeads * c.hd, c.seed + 2),
    qBias: randomArray(heads * c.hd, c.seed + 5),
    kBias: randomArray(c.kvHeads * c.hd, c.seed + 6),
    vBias: randomArray(c.kvHeads * c.hd, c.seed + 7),
    keys: randomArray(c.rows * c.kvHeads * cap * c.hd, c.seed + 3),
    values: randomArray(c.rows * c.kvHeads * cap * c.hd, c.seed + 4),
    positions: Int32Array.from({ length: c.rows }, (_, b) => c.past + 3 * b),
    bias: Float32Array.from(mask, (m) => (m ? 0 : MASKED_SCORE)),
  };
}

/** The kernel on wasm: its output and the cache after it. */
function kernel(c: Case) {
  const x = inputs(c);
  return onBackend('wasm', () =>
    tf.tidy(() => {
      const angles = ropeAngles(x.positions, c.rows, 1, c.hd, 1e4, 1);
      const keys = tf.tensor4d(x.keys, [c.rows, c.kvHeads, x.cap, c.hd]);
      const values = tf.tensor4d(x.values, [c.rows, c.kvHeads, x.cap, c.hd]);
      const attrs: DecodeAttentionAttrs = { heads: x.heads, length: x.length };
      const out = tf.engine().runKernel(
        DECODE_ATTENTION,
        {
          q: tf.tensor2d(x.q, [c.rows, x.heads * c.hd]),
          k: tf.tensor2d(x.k, [c.rows, c.kvHeads * c.hd]),
          v: tf.tensor2d(x.v, [c.rows, c.kvHeads * c.hd]),
          qBias: tf.tensor1d(x.qBias),
          kBias: tf.tensor1d(x.kBias),
          vBias: tf.tensor1d(x.vBias),
          cos: angles.cos,
          sin: angles.sin,
          bias: tf.tensor2d(x.bias, [c.rows, x.length]),
          keys,
          values,
        },
        attrs as unknown as tf.NamedAttrMap,
      ) as tf.Tensor;
      return { out: out.dataSync(), keys: keys.dataSync(), values: values.dataSync() };
    }),
  );
}

/** The same step composed from tfjs ops on cpu (as `selfAttention` does it), and the cache it should leave. */
function composed(c: Case) {
  const x = inputs(c);
  return onBackend('cpu', () =>
    tf.tidy(() => {
      // As `selfAttention`: the projection plus its bias, split into heads.
      const split = (a: Float32Array, bias: Float32Array, h: number) =>
        tf.reshape(tf.add(tf.tensor2d(a, [c.rows, h * c.hd]), tf.tensor1d(bias)), [c.rows, h, 1, c.hd]) as tf.Tensor4D;
      const rope = (t: tf.Tensor4D, h: number) => applyRope(t, ropeAngles(x.positions, c.rows, 1, c.hd, 1e4, h));
      const q = rope(split(x.q, x.qBias, x.heads), x.heads);
      const k = rope(split(x.k, x.kBias, c.kvHeads), c.kvHeads);
      const v = split(x.v, x.vBias, c.kvHeads);
      const cache = (a: Float32Array) => tf.tensor4d(a, [c.rows, c.kvHeads, x.cap, c.hd]);
      const before = (t: tf.Tensor4D) => tf.slice(t, [0, 0, 0, 0], [-1, -1, c.past, -1]);
      const after = (t: tf.Tensor4D) => tf.slice(t, [0, 0, x.length, 0], [-1, -1, c.spare, -1]);
      const [keys, values] = [cache(x.keys), cache(x.values)];
      const bias = tf.tensor4d(x.bias, [c.rows, 1, 1, x.length]);
      const out = groupedAttention(q, tf.concat([before(keys), k], 2), tf.concat([before(values), v], 2), bias);
      return {
        out: out.dataSync(),
        keys: tf.concat([before(keys), k, after(keys)], 2).dataSync(),
        values: tf.concat([before(values), v, after(values)], 2).dataSync(),
      };
    }),
  );
}

async function expectSame(c: Case) {
  const [got, want] = [await kernel(c), await composed(c)];
  expectClose(got.out, want.out, 1e-5, 1e-4);
  expectClose(got.keys, want.keys, 1e-6, 1e-6);
  expect(got.values).toEqual(want.values);
}

describe('R1DecodeAttention', () => {
  test.each<Case>([
    { rows: 1, kvHeads: 1, group: 1, hd: 4, past: 0, spare: 0, seed: 1 },
    { rows: 3, kvHeads: 2, group: 2, hd: 8, past: 5, spare: 3, seed: 2 },
    { rows: 2, kvHeads: 4, group: 1, hd: 32, past: 40, spare: 23, seed: 3 },
    { rows: 4, kvHeads: 1, group: 4, hd: 12, past: 6, spare: 1, seed: 4 },
  ])('equals the composed ops: %o', expectSame);

  it('equals the composed ops on random shapes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          rows: fc.integer({ min: 1, max: 5 }),
          kvHeads: fc.integer({ min: 1, max: 3 }),
          group: fc.integer({ min: 1, max: 3 }),
          hd: fc.constantFrom(4, 8, 12, 16, 32),
          past: fc.integer({ min: 0, max: 20 }),
          spare: fc.integer({ min: 0, max: 9 }),
          seed: fc.nat(1000),
        }),
        expectSame,
      ),
      { numRuns: 40 },
    );
  });

  it('rejects a length past the capacity and head dims not a multiple of 4', async () => {
    const c: Case = { rows: 1, kvHeads: 1, group: 1, hd: 4, past: 2, spare: 0, seed: 1 };
    await expect(kernel({ ...c, hd: 6 })).rejects.toThrow(/hd % 4 = 0/);
    const x = inputs(c);
    await onBackend('wasm', () =>
      tf.tidy(() => {
        const angles = ropeAngles(x.positions, 1, 1, 4, 1e4, 1);
        const t = (a: Float32Array, shape: number[]) => tf.tensor(a, shape);
        const run = () =>
          tf.engine().runKernel(
            DECODE_ATTENTION,
            {
              q: t(x.q, [1, 4]),
              k: t(x.k, [1, 4]),
              v: t(x.v, [1, 4]),
              qBias: t(x.qBias, [4]),
              kBias: t(x.kBias, [4]),
              vBias: t(x.vBias, [4]),
              cos: angles.cos,
              sin: angles.sin,
              bias: t(new Float32Array(4), [1, 4]),
              keys: t(x.keys, [1, 1, 3, 4]),
              values: t(x.values, [1, 1, 3, 4]),
            },
            { heads: 1, length: 4 },
          );
        expect(run).toThrow(/length ≤ cap/);
      }),
    );
  });
});

describe('decoding on wasm through the in-place cache', () => {
  const config = resolveModelConfig({
    model_type: 'qwen2',
    vocab_size: 40,
    hidden_size: 32,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    intermediate_size: 48,
  });

  it('reproduces full-forward logits across growth, select and multi-token steps, without leaking tensors', async () => {
    const worst = await onBackend('wasm', () => {
      const before = tf.memory().numTensors;
      const model = createModel(config, { seed: 7 });
      let max = 0;
      const ids = [
        [0, 0, 0, 5, 9, 2],
        [3, 1, 4, 1, 5, 9],
      ];
      const mask: number[][] = ids.map((row, b) => row.map((_, t) => (b === 0 && t < 3 ? 0 : 1)));
      const prompt = [tf.tensor2d(ids, [2, 6], 'int32'), tf.tensor2d(mask, [2, 6], 'int32')] as const;
      const prefilled = model.prefill(prompt[0], { attentionMask: prompt[1] });
      tf.dispose([...prompt, prefilled.logits]);
      // Rows 1, 0, 1: a repeated row, in a new order.
      const rows = [1, 0, 1];
      const cache = prefilled.cache.select(rows);
      prefilled.cache.dispose();
      const seqs = rows.map((r) => [...ids[r]!]);
      const masks: number[][] = rows.map((r) => [...mask[r]!]);
      // One-token steps (in place: capacity 6 → 12 → 24), one 3-token step (composed), one-token steps again.
      const steps = [1, 1, 1, 1, 1, 1, 1, 3, 1, 1, 1, 1, 1, 1, 1];
      steps.forEach((n, s) => {
        const next = rows.map((_, i) => Array.from({ length: n }, (_, j) => (s * 5 + i * 3 + j * 7) % 40));
        tf.tidy(() => {
          const got = model.decodeStep(cache, tf.tensor2d(next, [rows.length, n], 'int32'));
          next.forEach((t, i) => {
            seqs[i]!.push(...t);
            masks[i]!.push(...t.map(() => 1));
          });
          const len = seqs[0]!.length;
          const full = model.forward(tf.tensor2d(seqs, [rows.length, len], 'int32'), {
            attentionMask: tf.tensor2d(masks, [rows.length, len], 'int32'),
          });
          const want = tf.slice(full, [0, len - n, 0], [-1, n, -1]);
          max = Math.max(max, tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]!);
        });
      });
      expect(cache.length).toBe(6 + 17);
      cache.dispose();
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
      return max;
    });
    expect(worst).toBeLessThan(1e-4);
  });
});
