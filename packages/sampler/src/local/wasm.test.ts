/**
 * The local engines on the wasm backend, where decode steps write the KV cache in place (`R1DecodeAttention`) and
 * caches carry spare capacity: the other tests here run on cpu, where the cache grows by concatenation. Cached
 * decoding must give what full forward passes give, with rows finishing early (compaction through `select`), and
 * requests joining a running batch (`concatCaches`, `trimCache`) must get what they get alone.
 */
import { initBackend, type Model, tf } from '@r1/model';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { resolveSamplingParams } from '../params';
import { alphabetTokenizer, tinyModel } from '../test-utils/tiny-model';
import type { Completion } from '../types';
import { createContinuousEngine } from './continuous';
import { createLocalEngine } from './engine';

const tokenizer = alphabetTokenizer;
const ids = (cs: Completion[]) => cs.map((c) => c.tokenIds);

let model: Model;
beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
  model = tinyModel(1);
});
afterAll(() => model.dispose());

describe('local engines on wasm (in-place KV cache)', () => {
  test('cached decoding gives what full forward passes give, with rows stopping early, and leaks nothing', async () => {
    const cached = createLocalEngine({ model, tokenizer });
    const uncached = createLocalEngine({ model, tokenizer, useKvCache: false });
    const requests = [
      { prompt: 'ab', seed: 2 },
      { prompt: 'longer prompt', seed: 3 },
    ];
    const params = resolveSamplingParams({ n: 3, maxNewTokens: 30, stopTokenIds: [5, 9] });
    await cached.generate(requests, params);
    const before = tf.memory().numTensors;
    const a = await cached.generate(requests, params);
    expect(tf.memory().numTensors).toBe(before);
    const b = await uncached.generate(requests, params);
    expect(b.map(ids)).toEqual(a.map(ids));
    expect(new Set(a.flat().map((c) => c.tokenIds.length)).size).toBeGreaterThan(1); // some rows did stop early
    for (const [i, c] of b.flat().entries()) {
      for (const [j, lp] of c.logprobs.entries()) expect(lp).toBeCloseTo(a.flat()[i]!.logprobs[j]!, 4);
    }
  });

  test('requests joining a running batch get what each gets alone', async () => {
    const engine = createContinuousEngine({ model, tokenizer, modelId: 'wasm', maxBatchRows: 16 });
    const cases = [
      { prompt: 'a', seed: 5, n: 3, maxNewTokens: 20 },
      { prompt: 'hello there', seed: 6, n: 2, maxNewTokens: 25 },
      { prompt: 'xyz. 42', seed: 7, n: 1, maxNewTokens: 6 },
      { prompt: 'the cat sat on the mat', seed: 8, n: 2, maxNewTokens: 14 },
    ];
    const params = (c: (typeof cases)[number]) => resolveSamplingParams({ n: c.n, maxNewTokens: c.maxNewTokens });
    const start = (c: (typeof cases)[number]) => engine.submit({ prompt: c.prompt, seed: c.seed }, params(c));
    const alone: Completion[][] = [];
    for (const c of cases) alone.push(await start(c));
    const together: Promise<Completion[]>[] = [];
    let steps = 0;
    await new Promise<void>((joined) => {
      together.push(
        engine.submit({ prompt: cases[0]!.prompt, seed: cases[0]!.seed }, params(cases[0]!), {
          onDelta: () => {
            if (++steps === 4) joined();
          },
        }),
      );
    });
    for (const c of cases.slice(1)) together.push(start(c));
    expect((await Promise.all(together)).map(ids)).toEqual(alone.map(ids));
    await engine.close();
  });
});
