/**
 * `R1Attention` / `R1AttentionGrad` against what they replace: `selfAttention` on wasm (the fused core) against the
 * same call on cpu (the composition of tfjs ops), forward and the gradients of the input and all seven weights, over
 * GQA groups, lengths that are not multiples of 4, padding and packed-segment masks, through tables and fast-check;
 * the keys and values an untaped (prefill) call returns; a float64 finite-difference check of the kernel pair's own
 * gradients; and whole models, whose training forward takes the kernels, against cpu.
 */
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { type AttentionWeights, canFuseAttention, selfAttention } from '../../nn/attention';
import { createModel, resolveModelConfig } from '../../nn/index';
import { attentionBias, MASKED_SCORE, segmentAttentionBias } from '../../nn/mask';
import { ropeAngles } from '../../nn/rope';
import { initBackend } from '../init-backend';
import { expectMatchesFiniteDifferences } from '../test-utils/finite-diff';
import { expectClose, onBackend, randomArray } from '../test-utils/on-backend';
import { ATTENTION, ATTENTION_GRAD, type AttentionAttrs } from './attention';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

interface Case {
  batch: number;
  time: number;
  kvHeads: number;
  group: number;
  hd: number;
  d: number;
  /** 'pad': left padding on odd rows; 'segments': packed sequences with a padding tail. */
  mask: 'none' | 'pad' | 'segments';
  seed: number;
}

const WEIGHT_NAMES = ['q', 'qBias', 'k', 'kBias', 'v', 'vBias', 'o'] as const;

function arrays(c: Case) {
  const heads = c.kvHeads * c.group;
  const shapes: Record<(typeof WEIGHT_NAMES)[number], number[]> = {
    q: [heads * c.hd, c.d],
    qBias: [heads * c.hd],
    k: [c.kvHeads * c.hd, c.d],
    kBias: [c.kvHeads * c.hd],
    v: [c.kvHeads * c.hd, c.d],
    vBias: [c.kvHeads * c.hd],
    o: [c.d, heads * c.hd],
  };
  const weights = WEIGHT_NAMES.map((name, i) => ({
    name,
    shape: shapes[name],
    values: randomArray(
      shapes[name].reduce((a, b) => a * b, 1),
      c.seed + 10 + i,
    ).map((x) => x * 0.5),
  }));
  const n = c.batch * c.time;
  const positions = new Int32Array(n);
  const keyMask = new Uint8Array(n).fill(1);
  const segments = new Int32Array(n);
  for (let b = 0; b < c.batch; b++) {
    const pad = c.mask === 'pad' && b % 2 === 1 ? Math.floor(c.time / 3) : 0;
    let segment = 1;
    let start = 0;
    for (let t = 0; t < c.time; t++) {
      const i = b * c.time + t;
      if (t < pad) keyMask[i] = 0;
      positions[i] = Math.max(0, t - pad);
      if (c.mask === 'segments') {
        if (t > 0 && (t * 5 + b) % 7 === 0) {
          segment++;
          start = t;
        }
        segments[i] = t >= c.time - 1 && c.time > 2 ? 0 : segment; // a padding tail
        positions[i] = t - start;
      }
    }
  }
  return { heads, weights, x: randomArray(n * c.d, c.seed), positions, keyMask, segments };
}

/**
 * `selfAttention` on `backend` as a training step computes it: the output and the gradients of
 * `sum(out ⊙ proj)` w.r.t. x and every weight.
 */
function block(c: Case, backend: 'cpu' | 'wasm') {
  const a = arrays(c);
  return onBackend(backend, () =>
    tf.tidy(() => {
      const n = c.batch * c.time;
      const x = tf.tensor2d(a.x, [n, c.d]);
      const ws = a.weights.map((w) => tf.tensor(w.values, w.shape));
      const rope = ropeAngles(a.positions, c.batch, c.time, c.hd, 10000, backend === 'wasm' ? 1 : a.heads);
      const kRope = backend === 'wasm' ? rope : ropeAngles(a.positions, c.batch, c.time, c.hd, 10000, c.kvHeads);
      const bias =
        c.mask === 'segments'
          ? segmentAttentionBias(a.segments, c.batch, c.time)
          : attentionBias(a.keyMask, c.batch, c.time, c.time);
      const proj = tf.tensor2d(randomArray(n * c.d, c.seed + 99), [n, c.d]);
      const run = (xx: tf.Tensor, ...ww: tf.Tensor[]) => {
        const w = Object.fromEntries(WEIGHT_NAMES.map((name, i) => [name, ww[i]!])) as unknown as AttentionWeights;
        const shape = { heads: a.heads, kvHeads: c.kvHeads, headDim: c.hd };
        return selfAttention(xx as tf.Tensor2D, w, shape, c, { q: rope, k: kRope }, bias, undefined, { kv: false }).out;
      };
      const grads = tf.grads((xx: tf.Tensor, ...ww: tf.Tensor[]) => tf.sum(tf.mul(run(xx, ...ww), proj)))([x, ...ws]);
      return { out: run(x, ...ws).dataSync(), grads: grads.map((g) => g.dataSync()) };
    }),
  );
}

/** Which kernels one taped `selfAttention` call runs on wasm. */
async function kernelsOf(c: Case): Promise<string[]> {
  const a = arrays(c);
  return onBackend('wasm', async () => {
    const info = await tf.profile(() =>
      tf.tidy(() => {
        const n = c.batch * c.time;
        const x = tf.tensor2d(a.x, [n, c.d]);
        const ws = a.weights.map((w) => tf.variable(tf.tensor(w.values, w.shape)));
        const w = Object.fromEntries(WEIGHT_NAMES.map((name, i) => [name, ws[i]!])) as unknown as AttentionWeights;
        const rope = ropeAngles(a.positions, c.batch, c.time, c.hd, 10000, 1);
        const bias = attentionBias(a.keyMask, c.batch, c.time, c.time);
        const shape = { heads: a.heads, kvHeads: c.kvHeads, headDim: c.hd };
        const { grads } = tf.variableGrads(() =>
          tf.sum(selfAttention(x, w, shape, c, { q: rope, k: rope }, bias, undefined, { kv: false }).out),
        );
        for (const v of ws) v.dispose();
        return Object.values(grads);
      }),
    );
    return info.kernelNames;
  });
}

async function expectBlocksAgree(c: Case, tol = 2e-4): Promise<void> {
  const got = await block(c, 'wasm');
  const want = await block(c, 'cpu');
  expectClose(got.out, want.out, tol, tol);
  ['x', ...WEIGHT_NAMES].forEach((name, i) => {
    try {
      expectClose(got.grads[i]!, want.grads[i]!, tol, 1e-3);
    } catch (error) {
      throw new Error(`gradient of ${name} (${JSON.stringify(c)}): ${(error as Error).message}`);
    }
  });
}

const base: Case = { batch: 2, time: 6, kvHeads: 2, group: 2, hd: 8, d: 12, mask: 'pad', seed: 1 };

describe('R1Attention / R1AttentionGrad (fused) against the composed ops on cpu', () => {
  test('the fused path is the one a taped selfAttention takes on wasm', async () => {
    expect(await onBackend('wasm', () => canFuseAttention(8))).toBe(true);
    expect(await onBackend('wasm', () => canFuseAttention(4))).toBe(false);
    expect(await onBackend('cpu', () => canFuseAttention(8))).toBe(false);
    const names = await kernelsOf(base);
    expect(names).toContain(ATTENTION);
    expect(names).toContain(ATTENTION_GRAD);
    expect(names).not.toContain('Softmax');
  });

  test.each<Partial<Case>>([
    {},
    { group: 1, kvHeads: 3 },
    { group: 4, kvHeads: 1, time: 5 },
    { time: 1 },
    { time: 7, mask: 'none' },
    { time: 9, mask: 'segments' },
    { batch: 1, time: 16, hd: 16, mask: 'segments' },
    { batch: 3, time: 13, hd: 24, group: 3, kvHeads: 1 },
  ])('forward and all gradients agree: %j', async (overrides) => {
    await expectBlocksAgree({ ...base, ...overrides });
  });

  test('property: random shapes, groups and masks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          batch: fc.integer({ min: 1, max: 3 }),
          time: fc.integer({ min: 1, max: 12 }),
          kvHeads: fc.integer({ min: 1, max: 2 }),
          group: fc.integer({ min: 1, max: 3 }),
          hd: fc.constantFrom(8, 16),
          d: fc.integer({ min: 4, max: 12 }),
          mask: fc.constantFrom<Case['mask']>('none', 'pad', 'segments'),
          seed: fc.integer({ min: 0, max: 1000 }),
        }),
        async (c) => {
          await expectBlocksAgree(c);
        },
      ),
      { numRuns: 15 },
    );
  });

  test('an untaped call returns the same keys and values as the composition', async () => {
    const c: Case = { ...base, time: 7 };
    const kv = (backend: 'cpu' | 'wasm') => {
      const a = arrays(c);
      return onBackend(backend, () =>
        tf.tidy(() => {
          const n = c.batch * c.time;
          const w = Object.fromEntries(
            a.weights.map((wt) => [wt.name, tf.tensor(wt.values, wt.shape)]),
          ) as unknown as AttentionWeights;
          const q = ropeAngles(a.positions, c.batch, c.time, c.hd, 10000, backend === 'wasm' ? 1 : a.heads);
          const k = backend === 'wasm' ? q : ropeAngles(a.positions, c.batch, c.time, c.hd, 10000, c.kvHeads);
          const shape = { heads: a.heads, kvHeads: c.kvHeads, headDim: c.hd };
          const bias = attentionBias(a.keyMask, c.batch, c.time, c.time);
          const r = selfAttention(tf.tensor2d(a.x, [n, c.d]), w, shape, c, { q, k }, bias);
          return [r.out, r.keys!, r.values!].map((t) => ({ shape: t.shape, data: t.dataSync() }));
        }),
      );
    };
    const [got, want] = [await kv('wasm'), await kv('cpu')];
    got.forEach((g, i) => {
      expect(g.shape).toEqual(want[i]!.shape);
      expectClose(g.data, want[i]!.data, 1e-4, 1e-4);
    });
  });

  test('bad shapes are a clear error naming the kernel and the tensor', async () => {
    await onBackend('wasm', () => {
      const attrs = { heads: 2 } satisfies AttentionAttrs as unknown as tf.NamedAttrMap;
      const angles = ropeAngles(new Int32Array(4), 1, 4, 8, 10000, 1);
      const inputs = (qWidth: number, hd = 8) => ({
        q: tf.zeros([4, qWidth]),
        k: tf.zeros([4, hd]),
        v: tf.zeros([4, hd]),
        cos: hd === 8 ? angles.cos : tf.zeros([1, 1, 4, hd]),
        sin: hd === 8 ? angles.sin : tf.zeros([1, 1, 4, hd]),
        bias: tf.zeros([1, 1, 4, 4]),
      });
      expect(() => tf.engine().runKernel(ATTENTION, inputs(12), attrs)).toThrow(/R1Attention: q \[4,12\]/);
      expect(() => tf.engine().runKernel(ATTENTION, inputs(8, 4), attrs)).toThrow(/multiple of 8/);
      expect(() => tf.engine().runKernel(ATTENTION, { ...inputs(16), bias: tf.zeros([1, 1, 4, 5]) }, attrs)).toThrow(
        /bias must be \[1, 1, 4, 4\]/,
      );
    });
  });
});

/** Float64 host math of the core: RoPE (rotate_half), masked scaled softmax, GQA values; `[B·T, H·hd]` out. */
function coreF64(
  inputs: number[][],
  c: { batch: number; time: number; heads: number; kvHeads: number; hd: number },
  positions: Int32Array,
  bias: Float32Array,
): number[] {
  const { batch: B, time: T, heads: H, kvHeads: Hkv, hd } = c;
  const [q, k, v] = inputs as [number[], number[], number[]];
  const g = H / Hkv;
  const half = hd / 2;
  const rot = (src: number[], width: number, b: number, t: number, h: number) => {
    const o = (b * T + t) * width + h * hd;
    const pos = positions[b * T + t]!;
    return Array.from({ length: hd }, (_, i) => {
      const f = i % half;
      const angle = pos / 10000 ** ((2 * f) / hd);
      const [x, partner] = i < half ? [src[o + i]!, -src[o + i + half]!] : [src[o + i]!, src[o + i - half]!];
      return x * Math.cos(angle) + partner * Math.sin(angle);
    });
  };
  const out = new Array<number>(B * T * H * hd).fill(0);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++) {
      const kv = Math.floor(h / g);
      const keys = Array.from({ length: T }, (_, s) => rot(k, Hkv * hd, b, s, kv));
      for (let t = 0; t < T; t++) {
        const qv = rot(q, H * hd, b, t, h);
        const scores = keys.map(
          (kk, s) => kk.reduce((acc, x, i) => acc + x * qv[i]!, 0) / Math.sqrt(hd) + bias[(b * T + t) * T + s]!,
        );
        const mx = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - mx));
        const sum = e.reduce((a, x) => a + x, 0);
        for (let s = 0; s < T; s++)
          for (let i = 0; i < hd; i++)
            out[(b * T + t) * H * hd + h * hd + i]! += (e[s]! / sum) * v[(b * T + s) * Hkv * hd + kv * hd + i]!;
      }
    }
  return out;
}

test('R1AttentionGrad matches float64 finite differences of the core', async () => {
  const c = { batch: 2, time: 5, heads: 4, kvHeads: 2, hd: 8 };
  const positions = Int32Array.from({ length: c.batch * c.time }, (_, i) => (i % c.time) + (i >= c.time ? 2 : 0));
  const mask = new Uint8Array(c.batch * c.time).fill(1);
  // Row 1 has a masked key in the middle. (Not a fully masked query row: there −1e9 swamps the float32 scores, the
  // row is uniform and its true derivative 0, where float64 host math still sees the scores.)
  mask[c.time + 2] = 0;
  const biasT = attentionBias(mask, c.batch, c.time, c.time);
  const bias = biasT.dataSync() as Float32Array;
  biasT.dispose();
  expect(bias.includes(MASKED_SCORE)).toBe(true);
  const n = c.batch * c.time;
  const inputs = [
    Array.from(randomArray(n * c.heads * c.hd, 3)),
    Array.from(randomArray(n * c.kvHeads * c.hd, 4)),
    Array.from(randomArray(n * c.kvHeads * c.hd, 5)),
  ];
  const proj = Array.from(randomArray(n * c.heads * c.hd, 6));
  const analytic = await onBackend('wasm', () =>
    tf.tidy(() => {
      const attrs = { heads: c.heads } satisfies AttentionAttrs as unknown as tf.NamedAttrMap;
      const angles = ropeAngles(positions, c.batch, c.time, c.hd, 10000, 1);
      const [q, k, v] = inputs.map((a, i) => tf.tensor2d(a, [n, (i === 0 ? c.heads : c.kvHeads) * c.hd]));
      const bt = tf.tensor4d(bias, [c.batch, 1, c.time, c.time]);
      const [, qr, kr, vh, p] = tf
        .engine()
        .runKernel(
          ATTENTION,
          { q: q!, k: k!, v: v!, cos: angles.cos, sin: angles.sin, bias: bt },
          attrs,
        ) as tf.Tensor[];
      const dy = tf.tensor2d(proj, [n, c.heads * c.hd]);
      const grads = tf
        .engine()
        .runKernel(ATTENTION_GRAD, { dy, qr: qr!, kr: kr!, vh: vh!, p: p!, cos: angles.cos, sin: angles.sin }, attrs);
      return (grads as tf.Tensor[]).map((t) => t.dataSync());
    }),
  );
  const loss = (xs: number[][]) => coreF64(xs, c, positions, bias).reduce((acc, y, i) => acc + y * proj[i]!, 0);
  expectMatchesFiniteDifferences(loss, inputs, analytic, { h: 1e-3, atol: 3e-4, rtol: 3e-3 });
});

test('a model trains on wasm (fused attention) as it does on cpu: loss and gradients', async () => {
  const config = resolveModelConfig({
    model_type: 'qwen2',
    vocab_size: 24,
    hidden_size: 32,
    intermediate_size: 32,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
  });
  const ids = [
    [3, 5, 7, 9, 11, 2, 4],
    [0, 0, 1, 2, 3, 4, 5],
  ];
  const mask = [
    [1, 1, 1, 1, 1, 1, 1],
    [0, 0, 1, 1, 1, 1, 1],
  ];
  const run = (backend: 'cpu' | 'wasm') =>
    onBackend(backend, () => {
      const model = createModel(config, { seed: 3 });
      try {
        return tf.tidy(() => {
          const input = tf.tensor2d(ids, undefined, 'int32');
          const attentionMask = tf.tensor2d(mask, undefined, 'int32');
          const { value, grads } = tf.variableGrads(
            () => tf.sum(tf.mul(model.forward(input, { attentionMask }), 0.01)) as tf.Scalar,
            model.trainableVariables(),
          );
          return { value: value.dataSync()[0]!, grads: Object.values(grads).map((g) => g.dataSync()) };
        });
      } finally {
        model.dispose();
      }
    });
  const [got, want] = [await run('wasm'), await run('cpu')];
  expect(got.value).toBeCloseTo(want.value, 3);
  expect(got.grads.length).toBe(want.grads.length);
  got.grads.forEach((g, i) => {
    expectClose(g, want.grads[i]!, 1e-4, 1e-3);
  });
});
