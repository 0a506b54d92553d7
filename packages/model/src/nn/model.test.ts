import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, test } from 'vitest';
import type { ModelConfig } from './config';
import { createModel } from './model';
import { int2d, maxAbsDiff, tinyDense, tinyMoe } from './test-utils/tiny';
import type { Model } from './types';

const configs: Array<[string, ModelConfig]> = [
  ['dense GQA', tinyDense()],
  ['MoE', tinyMoe()],
];

const models = new Map(configs.map(([name, c]) => [name, createModel(c, { seed: 1 })]));
afterAll(() => {
  for (const m of models.values()) m.dispose();
});

// Left-padded batch of 3 prompts of lengths 5, 3, 1.
const IDS = [
  [3, 1, 4, 1, 5],
  [0, 0, 9, 2, 6],
  [0, 0, 0, 0, 7],
];
const MASK = [
  [1, 1, 1, 1, 1],
  [0, 0, 1, 1, 1],
  [0, 0, 0, 0, 1],
];

/** Full-forward logits of `ids` (with mask) at position `t`, `[B, V]`. */
function logitsAt(model: Model, ids: number[][], mask: number[][], t: number): tf.Tensor2D {
  return tf.tidy(() => {
    const logits = model.forward(int2d(ids), { attentionMask: int2d(mask) });
    const [b, , v] = logits.shape;
    return tf.reshape(tf.slice(logits, [0, t, 0], [b, 1, v]), [b, v]) as tf.Tensor2D;
  });
}

describe.each(configs)('%s', (name) => {
  const model = models.get(name)!;
  const V = model.config.vocab_size;

  test('forward gives [B, T, V] finite logits', () => {
    const logits = model.forward(int2d(IDS), { attentionMask: int2d(MASK) });
    expect(logits.shape).toEqual([3, 5, V]);
    expect([...logits.dataSync()].every(Number.isFinite)).toBe(true);
    logits.dispose();
  });

  test('padding does not change real tokens: a left-padded row equals the same prompt alone', () => {
    const alone = logitsAt(model, [[9, 2, 6]], [[1, 1, 1]], 2);
    const padded = logitsAt(model, IDS, MASK, 4);
    expect(maxAbsDiff(tf.slice(padded, [1, 0], [1, V]), alone)).toBeLessThan(1e-4);
    tf.dispose([alone, padded]);
  });

  test('KV-cache decoding reproduces full-forward logits (left-padded batch, 1- and 2-token steps)', () => {
    const { cache, logits } = model.prefill(int2d(IDS), { attentionMask: int2d(MASK) });
    const first = logitsAt(model, IDS, MASK, 4);
    expect(maxAbsDiff(logits, first)).toBeLessThan(1e-4);
    let ids = IDS.map((r) => [...r]);
    let mask = MASK.map((r) => [...r]);
    const steps = [
      [[8], [10], [11]],
      [[12], [13], [14]],
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
    ];
    for (const step of steps) {
      const got = model.decodeStep(cache, int2d(step));
      ids = ids.map((r, b) => [...r, ...step[b]!]);
      mask = mask.map((r) => [...r, ...step[0]!.map(() => 1)]);
      step[0]!.forEach((_, j) => {
        const want = logitsAt(model, ids, mask, ids[0]!.length - step[0]!.length + j);
        const gotJ = tf.reshape(tf.slice(got, [0, j, 0], [3, 1, V]), [3, V]);
        expect(maxAbsDiff(gotJ, want)).toBeLessThan(1e-4);
        tf.dispose([want, gotJ]);
      });
      got.dispose();
    }
    expect(cache.length).toBe(5 + 4);
    expect([...cache.nextPositions()]).toEqual([9, 7, 5]);
    tf.dispose([logits, first]);
    cache.dispose();
  });

  test('cache.select repeats and compacts rows; decoding continues correctly', () => {
    const { cache, logits } = model.prefill(int2d(IDS), { attentionMask: int2d(MASK) });
    const group = cache.select([2, 2, 0]); // row 2 twice, then row 0
    cache.dispose();
    const step1 = model.decodeStep(group, int2d([[4], [5], [6]]));
    const compact = group.select([2, 1]); // drop the first row
    group.dispose();
    const step2 = model.decodeStep(compact, int2d([[7], [8]]));
    const want = logitsAt(
      model,
      [
        [...IDS[0]!, 6, 7],
        [...IDS[2]!, 5, 8],
      ],
      [
        [...MASK[0]!, 1, 1],
        [...MASK[2]!, 1, 1],
      ],
      6,
    );
    expect(maxAbsDiff(tf.reshape(step2, [2, V]), want)).toBeLessThan(1e-4);
    tf.dispose([logits, step1, step2, want]);
    compact.dispose();
  });

  test('tokenLogprobs equals gather(logSoftmax(forward)) and so does its gradient', () => {
    const ids = int2d(IDS);
    const targets = int2d(IDS.map((r) => r.map((x, i) => (x + i + 1) % V)));
    const attentionMask = int2d(MASK);
    const weights = tf.tensor2d(MASK); // mask the loss like a trainer does
    const vars = model.trainableVariables();
    const viaForward = () =>
      tf.tidy(() => {
        const lp = tf.logSoftmax(model.forward(ids, { attentionMask }));
        return tf.sum(tf.mul(lp, tf.oneHot(targets, V)), 2) as tf.Tensor2D;
      });
    const mine = model.tokenLogprobs(ids, targets, { attentionMask, chunkRows: 4 });
    const ref = viaForward();
    expect(maxAbsDiff(mine, ref)).toBeLessThan(1e-4);
    const loss = (f: () => tf.Tensor2D) => () => tf.sum(tf.mul(f(), weights)) as tf.Scalar;
    const g1 = tf.variableGrads(
      loss(() => model.tokenLogprobs(ids, targets, { attentionMask, chunkRows: 4 })),
      vars,
    );
    const g2 = tf.variableGrads(loss(viaForward), vars);
    expect(Object.keys(g1.grads).sort()).toEqual(Object.keys(g2.grads).sort());
    for (const [k, g] of Object.entries(g1.grads)) expect(maxAbsDiff(g, g2.grads[k]!)).toBeLessThan(1e-4);
    tf.dispose([ids, targets, attentionMask, weights, mine, ref, g1.value, g2.value]);
    tf.dispose(Object.values(g1.grads));
    tf.dispose(Object.values(g2.grads));
  });

  test('score gives entropy equal to −Σ p log p of the forward logits', () => {
    const ids = int2d(IDS);
    const attentionMask = int2d(MASK);
    const s = model.score(ids, ids, { attentionMask, temperature: 0.8 });
    const want = tf.tidy(() => {
      const lp = tf.logSoftmax(tf.div(model.forward(ids, { attentionMask }), 0.8));
      return tf.neg(tf.sum(tf.mul(tf.exp(lp), lp), 2));
    });
    expect(maxAbsDiff(s.entropy, want)).toBeLessThan(1e-4);
    tf.dispose([ids, attentionMask, s.logprobs, s.entropy, s.auxLoss, want]);
  });

  test('no tensor leaks over repeated forward/backward/decode', () => {
    const ids = int2d(IDS);
    const attentionMask = int2d(MASK);
    const optimizer = tf.train.adam(1e-3);
    const next = int2d([[1], [2], [3], [4]]);
    const step = () => {
      const { value, grads } = tf.variableGrads(() => {
        const s = model.score(ids, ids, { attentionMask });
        return tf.add(tf.neg(tf.mean(s.logprobs)), s.auxLoss) as tf.Scalar;
      }, model.trainableVariables());
      optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
      tf.dispose([value, ...Object.values(grads)]);
      const { cache, logits } = model.prefill(ids, { attentionMask });
      const group = cache.select([0, 1, 2, 2]);
      cache.dispose();
      for (let i = 0; i < 3; i++) model.decodeStep(group, next).dispose();
      group.dispose();
      logits.dispose();
      model.forward(ids).dispose();
    };
    step(); // the optimizer creates its slots on the first step
    const before = tf.memory().numTensors;
    step();
    step();
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    tf.dispose([ids, attentionMask, next]);
  });
});

describe('createModel', () => {
  test('seeded init is reproducible, other seeds differ', () => {
    const ids = int2d([[1, 2, 3]]);
    const outs = [1, 1, 2].map((seed) => {
      const m = createModel(tinyMoe(), { seed });
      const logits = m.forward(ids);
      m.dispose();
      return logits;
    });
    expect(maxAbsDiff(outs[0]!, outs[1]!)).toBe(0);
    expect(maxAbsDiff(outs[0]!, outs[2]!)).toBeGreaterThan(1e-3);
    tf.dispose([ids, ...outs]);
  });

  test('requires a seed', () => {
    // @ts-expect-error: seed is required
    expect(() => createModel(tinyDense(), {})).toThrow(/seed/);
  });

  test('GQA: 2 kv heads equal 4 kv heads holding repeated copies (HF repeat_kv order)', () => {
    const gqa = createModel(tinyDense({ num_key_value_heads: 2 }), { seed: 5 });
    const mha = createModel(tinyDense({ num_key_value_heads: 4 }), { seed: 6 });
    const hd = gqa.config.head_dim;
    const gp = gqa.parameters();
    for (const [name, v] of mha.parameters()) {
      const src = gp.get(name)!;
      if (/\.(k|v)_proj\./.test(name)) {
        // kv head j of the GQA model serves query heads 2j and 2j + 1
        const rows = Array.from({ length: 4 * hd }, (_, r) => Math.floor(Math.floor(r / hd) / 2) * hd + (r % hd));
        v.assign(tf.gather(src, tf.tensor1d(rows, 'int32')));
      } else v.assign(src);
    }
    const ids = int2d([[1, 5, 2, 9, 3]]);
    const a = gqa.forward(ids);
    const b = mha.forward(ids);
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-5);
    tf.dispose([ids, a, b]);
    gqa.dispose();
    mha.dispose();
  });

  test('tied embeddings: no lm_head.weight, logits use embed_tokens', () => {
    const m = createModel(tinyDense({ tie_word_embeddings: true }), { seed: 1 });
    expect(m.parameters().has('lm_head.weight')).toBe(false);
    const logits = m.forward(int2d([[1, 2]]));
    expect(logits.shape).toEqual([1, 2, 17]);
    logits.dispose();
    m.dispose();
  });
});

describe('bad input says what to do', () => {
  const model = createModel(tinyDense(), { seed: 0 });
  afterAll(() => model.dispose());

  test.each([
    ['float ids', () => model.forward(tf.tensor2d([[1, 2]])), /int32/],
    ['out-of-vocabulary id', () => model.forward(int2d([[1, 17]])), /\[0\]\[1\] = 17 is outside the vocabulary/],
    ['mask shape', () => model.forward(int2d([[1, 2]]), { attentionMask: int2d([[1]]) }), /expected shape \[1, 2\]/],
    [
      'right-padded prefill',
      () => model.prefill(int2d([[1, 2]]), { attentionMask: int2d([[1, 0]]) }),
      /pad prompts on the left/,
    ],
    ['targets shape', () => model.tokenLogprobs(int2d([[1, 2]]), int2d([[1]])), /must equal ids/],
    ['dense bias update', () => model.updateMoeBias({ tokens: 0, layers: [] }), /dense/],
  ])('%s', (_, f, message) => {
    expect(f).toThrow(message);
  });

  test('decode with the wrong batch size, and use after dispose', () => {
    const { cache, logits } = model.prefill(int2d([[1, 2]]));
    expect(() => model.decodeStep(cache, int2d([[1], [2]]))).toThrow(/select cache rows first/);
    cache.dispose();
    expect(() => model.decodeStep(cache, int2d([[1]]))).toThrow(/after dispose/);
    logits.dispose();
    const m = createModel(tinyDense(), { seed: 0 });
    m.dispose();
    expect(() => m.forward(int2d([[1]]))).toThrow(/after dispose/);
  });
});

describe('MoE balancing', () => {
  test('updateMoeBias nudges under-loaded experts up and over-loaded down by rate', () => {
    const m = createModel(tinyMoe(), { seed: 3 });
    const bias = m.parameters().get('model.layers.1.mlp.gate.e_score_correction_bias')!;
    expect(m.trainableVariables()).not.toContain(bias);
    m.updateMoeBias({ tokens: 4, layers: [{ layer: 1, tokensPerExpert: [4, 2, 2, 0] }] }, { rate: 0.01 });
    const got = [...bias.dataSync()];
    [-0.01, 0, 0, 0.01].forEach((want, i) => {
      expect(got[i]).toBeCloseTo(want, 7);
    });
    expect(() => m.updateMoeBias({ tokens: 1, layers: [{ layer: 0, tokensPerExpert: [1, 1, 0, 0] }] })).toThrow(
      /not an MoE layer/,
    );
    m.dispose();
  });

  test('every trainable variable gets a gradient even when experts are idle (tfjs Adam needs a stable set)', () => {
    const m = createModel(tinyMoe(), { seed: 3 });
    m.parameters()
      .get('model.layers.1.mlp.gate.e_score_correction_bias')!
      .assign(tf.tensor1d([100, 100, 0, 0]));
    const ids = int2d([[1, 2, 3]]);
    const { value, grads } = tf.variableGrads(() => tf.neg(tf.mean(m.tokenLogprobs(ids, ids))) as tf.Scalar);
    expect(Object.keys(grads)).toHaveLength(m.trainableVariables().length);
    const idle = m.parameters().get('model.layers.1.mlp.experts.3.up_proj.weight')!;
    expect(maxAbsDiff(grads[idle.name]!, tf.zerosLike(idle))).toBe(0);
    tf.dispose([ids, value, ...Object.values(grads)]);
    m.dispose();
  });

  test('forwardWithAux reports load over real tokens and a positive aux loss', () => {
    const m = createModel(tinyMoe(), { seed: 3 });
    const out = m.forwardWithAux(int2d(IDS), { attentionMask: int2d(MASK) });
    expect(out.load).not.toBeNull();
    expect(out.load!.tokens).toBe(9);
    expect(out.load!.layers).toHaveLength(1);
    expect(out.load!.layers[0]!.tokensPerExpert.reduce((a, b) => a + b, 0)).toBe(9 * 2);
    expect(out.auxLoss.dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([out.logits, out.auxLoss]);
    m.dispose();
  });
});

describe.each(configs)('%s can overfit a tiny batch', (_name, config) => {
  test('loss falls', () => {
    const model = createModel(config, { seed: 7 });
    const ids = int2d([
      [1, 2, 3, 4, 5, 6, 7, 8],
      [8, 7, 6, 5, 4, 3, 2, 1],
    ]);
    const targets = int2d([
      [2, 3, 4, 5, 6, 7, 8, 9],
      [7, 6, 5, 4, 3, 2, 1, 0],
    ]);
    const optimizer = tf.train.adam(0.02);
    const losses: number[] = [];
    for (let i = 0; i < 40; i++) {
      let load = null as ReturnType<Model['score']>['load'];
      const { value, grads } = tf.variableGrads(() => {
        const s = model.score(ids, targets);
        load = s.load;
        return tf.add(tf.neg(tf.mean(s.logprobs)), s.auxLoss) as tf.Scalar;
      }, model.trainableVariables());
      optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
      if (load !== null) model.updateMoeBias(load);
      losses.push(value.dataSync()[0]!);
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(losses[0]).toBeGreaterThan(2);
    expect(losses.at(-1)!).toBeLessThan(0.3 * losses[0]!);
    optimizer.dispose();
    tf.dispose([ids, targets]);
    model.dispose();
  }, 60_000);
});
