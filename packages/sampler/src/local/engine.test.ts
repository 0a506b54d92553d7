import { type Model, tf } from '@r1/model';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSampler, type Sampler } from '../sampler';
import { ALPHABET, tinyModel } from '../test-utils/tiny-model';
import type { Completion } from '../types';
import { createLocalEngine, type EngineTokenizer } from './engine';

/** A byte-ish tokenizer at the seam: characters 'a'..'z', ' ', '.', digits → ids 1..; id 0 is EOS. */
const tokenizer: EngineTokenizer = {
  eosTokenId: 0,
  encode: (text) =>
    [...text].map((c) => {
      const i = ALPHABET.indexOf(c);
      if (i < 0) throw new Error(`char ${c} not in test alphabet`);
      return i + 1;
    }),
  decode: (ids) => ids.map((id) => (id === 0 ? '<eos>' : (ALPHABET[id - 1] ?? '?'))).join(''),
};

let model: Model;
let sampler: Sampler;
beforeAll(() => {
  model = tinyModel(1);
  sampler = createSampler(createLocalEngine({ model, tokenizer }));
});
afterAll(() => model.dispose());

/** Greedy decoding by full forward passes (no cache): the reference the cached engine must reproduce. */
function greedyReference(prompt: number[], steps: number): number[] {
  const ids = [...prompt];
  const out: number[] = [];
  for (let s = 0; s < steps; s++) {
    const next = tf.tidy(() => {
      const logits = model.forward(tf.tensor2d([ids], [1, ids.length], 'int32'));
      return tf.argMax(tf.squeeze(tf.slice(logits, [0, ids.length - 1, 0], [1, 1, -1])), -1).dataSync()[0]!;
    });
    out.push(next);
    if (next === 0) break;
    ids.push(next);
  }
  return out;
}

describe('local engine', () => {
  test('temperature 0 reproduces greedy decoding by full forward passes', async () => {
    const [[c]] = (await sampler.generate([{ prompt: 'the cat sat' }], { temperature: 0, maxNewTokens: 12 })) as [
      [Completion],
    ];
    expect(c.tokenIds).toEqual(greedyReference(tokenizer.encode('the cat sat'), 12));
    expect(c.promptTokens).toBe(11);
  });

  test('prompts of different lengths in one batch give the same tokens as alone (left padding is invisible)', async () => {
    const prompts = ['a', 'hello there', 'xyz. 42'];
    const together = await sampler.generate(
      prompts.map((prompt) => ({ prompt, seed: 5 })),
      { n: 3, temperature: 1, maxNewTokens: 10 },
    );
    for (let i = 0; i < prompts.length; i++) {
      const alone = await sampler.generate([{ prompt: prompts[i]!, seed: 5 }], {
        n: 3,
        temperature: 1,
        maxNewTokens: 10,
      });
      expect(together[i]!.map((c) => c.tokenIds)).toEqual(alone[0]!.map((c) => c.tokenIds));
    }
  });

  test('seeded: same seed → same tokens, different seed → different tokens; temperature 0 is deterministic', async () => {
    const req = [{ prompt: 'abc' }];
    const a = await sampler.generate(req, { n: 4, seed: 1, maxNewTokens: 16 });
    const b = await sampler.generate(req, { n: 4, seed: 1, maxNewTokens: 16 });
    const c = await sampler.generate(req, { n: 4, seed: 2, maxNewTokens: 16 });
    expect(b).toEqual(a);
    expect(c[0]!.map((x) => x.tokenIds)).not.toEqual(a[0]!.map((x) => x.tokenIds));
    const g1 = await sampler.generate(req, { n: 2, temperature: 0, seed: 1, maxNewTokens: 8 });
    const g2 = await sampler.generate(req, { n: 2, temperature: 0, seed: 9, maxNewTokens: 8 });
    expect(g1).toEqual(g2);
    expect(g1[0]![0]).toEqual(g1[0]![1]);
  });

  test('the n samples of a prompt are independent of n and of firstSampleIndex bookkeeping', async () => {
    const all = await sampler.generate([{ prompt: 'q', seed: 3 }], { n: 4, maxNewTokens: 8 });
    const tail = await sampler.generate([{ prompt: 'q', seed: 3, firstSampleIndex: 2 }], { n: 2, maxNewTokens: 8 });
    expect(tail[0]).toEqual(all[0]!.slice(2));
  });

  test("raw logprobs equal the model's own log-probabilities of the sampled tokens", async () => {
    const prompt = tokenizer.encode('some text');
    const [[c]] = (await sampler.generate([{ promptTokenIds: prompt }], {
      maxNewTokens: 6,
      logprobsMode: 'raw',
      seed: 4,
    })) as [[Completion]];
    const full = [...prompt, ...c.tokenIds];
    const expected = tf.tidy(() => {
      const ids = tf.tensor2d([full.slice(0, -1)], [1, full.length - 1], 'int32');
      const targets = tf.tensor2d([full.slice(1)], [1, full.length - 1], 'int32');
      return Array.from(model.tokenLogprobs(ids, targets).dataSync()).slice(prompt.length - 1);
    });
    expect(c.logprobs).toHaveLength(c.tokenIds.length);
    for (const [i, lp] of c.logprobs.entries()) expect(lp).toBeCloseTo(expected[i]!, 4);
  });

  test('stop strings cut the text; stop token ids and EOS end a row and stay in tokenIds; length finishes', async () => {
    const free = await sampler.generate([{ prompt: 'abc', seed: 8 }], { maxNewTokens: 20, temperature: 0 });
    const text = free[0]![0]!.text;
    const ids = free[0]![0]!.tokenIds;
    if (ids.length >= 3 && !text.includes('<eos>')) {
      const stop = text.slice(1, 3);
      const [[s]] = (await sampler.generate([{ prompt: 'abc', seed: 8 }], {
        maxNewTokens: 20,
        temperature: 0,
        stop: [stop],
      })) as [[Completion]];
      expect(s.finishReason).toBe('stop');
      expect(s.text).toBe(text.slice(0, text.indexOf(stop)));
    }
    const stopId = ids[1]!;
    const [[t]] = (await sampler.generate([{ prompt: 'abc' }], {
      maxNewTokens: 20,
      temperature: 0,
      stopTokenIds: [stopId],
    })) as [[Completion]];
    expect(t.finishReason).toBe('stop');
    expect(t.tokenIds.at(-1)).toBe(stopId);
    expect(t.tokenIds).toEqual(ids.slice(0, ids.indexOf(stopId) + 1));
    const [[l]] = (await sampler.generate([{ prompt: 'abc' }], { maxNewTokens: 3, temperature: 0 })) as [[Completion]];
    if (!l.tokenIds.includes(0)) expect(l).toMatchObject({ finishReason: 'length' });
    expect(l.tokenIds.length).toBeLessThanOrEqual(3);
  });

  test('rows finishing at different times are compacted without changing the others', async () => {
    const many = await sampler.generate([{ prompt: 'go', seed: 11 }], { n: 8, maxNewTokens: 12 });
    const common = many[0]!.flatMap((c) => c.tokenIds);
    const frequent = [...new Set(common)].sort(
      (a, b) => common.filter((x) => x === b).length - common.filter((x) => x === a).length,
    )[0]!;
    const withStop = await sampler.generate([{ prompt: 'go', seed: 11 }], {
      n: 8,
      maxNewTokens: 12,
      stopTokenIds: [frequent],
    });
    withStop[0]!.forEach((c, j) => {
      const free = many[0]![j]!.tokenIds;
      const cut = free.indexOf(frequent);
      expect(c.tokenIds).toEqual(cut >= 0 ? free.slice(0, cut + 1) : free);
    });
  });

  test('decoding without the KV cache gives the same completions', async () => {
    const slow = createSampler(createLocalEngine({ model, tokenizer, useKvCache: false }));
    const requests = [
      { prompt: 'ab', seed: 2 },
      { prompt: 'longer prompt', seed: 3 },
    ];
    const params = { n: 3, maxNewTokens: 8, stopTokenIds: [5] };
    const a = await sampler.generate(requests, params);
    const b = await slow.generate(requests, params);
    expect(b.map((r) => r.map((c) => c.tokenIds))).toEqual(a.map((r) => r.map((c) => c.tokenIds)));
    for (const [i, c] of b.flat().entries()) {
      for (const [j, lp] of c.logprobs.entries()) expect(lp).toBeCloseTo(a.flat()[i]!.logprobs[j]!, 4);
    }
  });

  test('no tensor leaks across calls', async () => {
    await sampler.generate([{ prompt: 'warm' }], { n: 2, maxNewTokens: 4 });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++)
      await sampler.generate([{ prompt: 'abc' }, { prompt: 'de f' }], { n: 3, maxNewTokens: 6, stop: ['zz'] });
    expect(tf.memory().numTensors).toBe(before);
  });

  test('bad input gives clear errors', async () => {
    await expect(sampler.generate([{ prompt: '' }])).rejects.toThrow(/empty after tokenisation/);
    await expect(sampler.generate([{ promptTokenIds: [999] }])).rejects.toThrow(/outside the model's vocabulary/);
    await expect(sampler.generate([{ prompt: 'a' }], { maxNewTokens: 500 })).rejects.toThrow(
      /max_position_embeddings 128/,
    );
    await expect(sampler.generate([{ messages: [{ role: 'user', content: 'hi' }] }])).rejects.toThrow(/renderChat/);
  });
});
