import { type Model, tf } from '@r1/model';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { resolveSamplingParams } from '../params';
import { ALPHABET, alphabetTokenizer, tinyModel } from '../test-utils/tiny-model';
import type { Completion, GenerationRequest, SamplingParams } from '../types';
import { concatCaches, trimCache } from './cache-rows';
import { createContinuousEngine } from './continuous';
import type { ContinuousEngine, SampleDelta } from './continuous-types';
import { createLocalEngine, type EngineTokenizer } from './engine';

const tokenizer = alphabetTokenizer;

let model: Model;
let other: Model;
let engine: ContinuousEngine;
beforeAll(() => {
  model = tinyModel(1);
  other = tinyModel(2);
  engine = createContinuousEngine({ model, tokenizer, modelId: 'one', maxBatchRows: 16 });
});
afterAll(async () => {
  await engine.close();
  model.dispose();
  other.dispose();
});

const params = (p: Partial<SamplingParams>) => resolveSamplingParams(p);
const ids = (cs: Completion[]) => cs.map((c) => c.tokenIds);

const CASES: [GenerationRequest, Partial<SamplingParams>][] = [
  [
    { prompt: 'a', seed: 5 },
    { n: 3, maxNewTokens: 10 },
  ],
  [
    { prompt: 'hello there', seed: 6 },
    { n: 2, maxNewTokens: 14, temperature: 0.7, topP: 0.9 },
  ],
  [
    { prompt: 'xyz. 42', seed: 7 },
    { n: 1, maxNewTokens: 6, temperature: 0 },
  ],
  [
    { prompt: 'the cat sat on the mat', seed: 8 },
    { n: 4, maxNewTokens: 12, topK: 5, stop: ['e'] },
  ],
  [
    { prompt: 'q', seed: 9, firstSampleIndex: 2 },
    { n: 2, maxNewTokens: 9, repetitionPenalty: 1.3 },
  ],
];

describe('continuous-batching engine', () => {
  test('greedy and seeded sampling give what the batch engine gives', async () => {
    const local = createLocalEngine({ model, tokenizer });
    for (const [request, p] of CASES) {
      const resolved = params(p);
      const [expected] = await local.generate([request], resolved);
      const got = await engine.submit(request, resolved);
      expect(ids(got)).toEqual(ids(expected!));
      expect(got.map((c) => c.text)).toEqual(expected!.map((c) => c.text));
      for (const [i, c] of got.entries()) {
        for (const [j, lp] of c.logprobs.entries()) expect(lp).toBeCloseTo(expected![i]!.logprobs[j]!, 4);
      }
    }
  });

  test('requests decoded together, joining at different steps, get what each gets alone', async () => {
    const alone: Completion[][] = [];
    for (const [request, p] of CASES) alone.push(await engine.submit(request, params(p)));
    // Start the first two, and let the others join a few decode steps later.
    const together: Promise<Completion[]>[] = [];
    let steps = 0;
    const joined = new Promise<void>((resolve) => {
      together.push(
        engine.submit(CASES[0]![0], params(CASES[0]![1]), {
          onDelta: () => {
            if (++steps === 3) resolve();
          },
        }),
      );
    });
    together.push(engine.submit(CASES[1]![0], params(CASES[1]![1])));
    await joined;
    expect(engine.stats().activeRows).toBeGreaterThan(0);
    for (const [request, p] of CASES.slice(2)) together.push(engine.submit(request, params(p)));
    const results = await Promise.all(together);
    results.forEach((r, i) => {
      expect(ids(r)).toEqual(ids(alone[i]!));
      expect(r.map((c) => c.text)).toEqual(alone[i]!.map((c) => c.text));
    });
  });

  test('property: whatever step each request joins at, it gets what it gets alone', async () => {
    const request = fc.record({
      prompt: fc.stringMatching(/^[a-z. ]{1,12}$/),
      n: fc.integer({ min: 1, max: 3 }),
      maxNewTokens: fc.integer({ min: 1, max: 10 }),
      temperature: fc.constantFrom(0, 1),
      seed: fc.nat(1000),
      at: fc.integer({ min: 0, max: 8 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 4 }), async (requests) => {
        const start = (r: (typeof requests)[number]) =>
          engine.submit(
            { prompt: r.prompt, seed: r.seed },
            params({ n: r.n, maxNewTokens: r.maxNewTokens, temperature: r.temperature }),
          );
        const alone: Completion[][] = [];
        for (const r of requests) alone.push(await start(r));
        // A pacing request counts decode steps; request i joins after `at` of them.
        const together: Promise<Completion[]>[] = [];
        let steps = 0;
        const joinDue = () => {
          for (const [i, r] of requests.entries()) if (r.at === steps) together[i] = start(r);
        };
        joinDue();
        await engine.submit({ prompt: 'pace', seed: 1 }, params({ maxNewTokens: 9 }), {
          onDelta: () => {
            steps++;
            joinDue();
          },
        });
        for (const [i, r] of requests.entries()) together[i] ??= start(r);
        const results = await Promise.all(together);
        for (const [i, r] of results.entries()) expect(ids(r)).toEqual(ids(alone[i]!));
      }),
      { numRuns: 12 },
    );
  });

  test('streamed deltas add up to the completions, with the finish reason on each last delta', async () => {
    const deltas: SampleDelta[] = [];
    const [request, p] = CASES[3]!;
    const out = await engine.submit(request, params(p), { onDelta: (d) => deltas.push(...d) });
    out.forEach((c, j) => {
      const mine = deltas.filter((d) => d.index === j);
      expect(mine.map((d) => d.tokenId)).toEqual(c.tokenIds);
      expect(mine.map((d) => d.text).join('')).toBe(c.text);
      expect(mine.map((d) => d.logprob)).toEqual(c.logprobs);
      expect(mine.at(-1)!.finishReason).toBe(c.finishReason);
      expect(mine.slice(0, -1).every((d) => d.finishReason === null)).toBe(true);
    });
  });

  test('an aborted request leaves at the next step; the others are unchanged and no tensor leaks', async () => {
    await engine.submit({ prompt: 'warm' }, params({ maxNewTokens: 3 }));
    const before = tf.memory().numTensors;
    const [request, p] = CASES[0]!;
    const expected = await engine.submit(request, params(p));
    const controller = new AbortController();
    const doomed = engine.submit({ prompt: 'long one', seed: 1 }, params({ maxNewTokens: 60, n: 2 }), {
      signal: controller.signal,
      onDelta: () => controller.abort(new Error('client went away')),
    });
    const survivor = engine.submit(request, params(p));
    await expect(doomed).rejects.toThrow(/client went away/);
    expect(ids(await survivor)).toEqual(ids(expected));
    const queuedAbort = new AbortController();
    queuedAbort.abort(new Error('never mind'));
    await expect(engine.submit(request, params(p), { signal: queuedAbort.signal })).rejects.toThrow(/never mind/);
    expect(engine.stats()).toEqual({ activeRequests: 0, activeRows: 0, queuedRequests: 0 });
    expect(tf.memory().numTensors).toBe(before);
  });

  test('more rows than fit wait their turn and still match', async () => {
    const small = createContinuousEngine({ model, tokenizer, modelId: 'small', maxBatchRows: 4 });
    const requests = Array.from({ length: 5 }, (_, i) => ({ prompt: `p${i}`, seed: i }));
    const p = params({ n: 3, maxNewTokens: 5 });
    const wide = await engine.generate(requests, p);
    expect((await small.generate(requests, p)).map(ids)).toEqual(wide.map(ids));
    await expect(small.submit({ prompt: 'x' }, params({ n: 5, maxNewTokens: 5 }))).rejects.toThrow(
      /n = 5 .*maxBatchRows 4/,
    );
    await small.close();
  });

  test('swap: requests in flight finish on the old weights, later ones run on the new', async () => {
    const swappable = createContinuousEngine({ model, tokenizer, modelId: 'one' });
    const p = params({ temperature: 0, maxNewTokens: 20 });
    const request = { prompt: 'the cat' };
    const [onOld] = await createLocalEngine({ model, tokenizer }).generate([request], p);
    const [onNew] = await createLocalEngine({ model: other, tokenizer }).generate([request], p);
    const inFlight = swappable.submit(request, p);
    const swapped = swappable.swap({ model: other, tokenizer, modelId: 'two' });
    const queued = swappable.submit(request, p);
    const result = await swapped;
    expect(result).toMatchObject({ inFlight: 1, queued: 1 });
    expect(result.previous.modelId).toBe('one');
    expect(swappable.modelId).toBe('two');
    expect(ids(await inFlight)).toEqual(ids(onOld!));
    expect(ids(await queued)).toEqual(ids(onNew!));
    let started: () => void = () => {};
    const decoding = new Promise<void>((resolve) => {
      started = resolve;
    });
    const aborting = swappable.submit({ prompt: 'abc' }, params({ maxNewTokens: 100 }), { onDelta: () => started() });
    await decoding;
    await swappable.swap({ model, tokenizer, modelId: 'one' }, { abortInFlight: true });
    await expect(aborting).rejects.toThrow(/weights are being replaced/);
    await swappable.close();
  });

  test('bad input is refused before it joins the batch', async () => {
    await expect(engine.submit({ prompt: '' }, params({}))).rejects.toThrow(/empty after tokenisation/);
    await expect(engine.submit({ promptTokenIds: [999] }, params({}))).rejects.toThrow(/outside the model's vocab/);
    await expect(engine.submit({ prompt: 'a' }, params({ maxNewTokens: 500 }))).rejects.toThrow(
      /max_position_embeddings 128/,
    );
    await expect(engine.submit({ messages: [{ role: 'user', content: 'hi' }] }, params({}))).rejects.toThrow(
      /chat template/,
    );
  });

  test('a tokenizer that cannot decode a drawn token fails that request instead of leaving it pending', async () => {
    const picky: EngineTokenizer = {
      ...tokenizer,
      decode: () => {
        throw new Error('decode: not a token id');
      },
    };
    const failing = createContinuousEngine({ model, tokenizer: picky, modelId: 'picky' });
    await expect(failing.submit({ prompt: 'a' }, params({ maxNewTokens: 3 }))).rejects.toThrow(/not a token id/);
    // The loop carries on with the next request.
    await expect(failing.submit({ prompt: 'b' }, params({ maxNewTokens: 2 }))).rejects.toThrow(/not a token id/);
    expect(failing.stats()).toEqual({ activeRequests: 0, activeRows: 0, queuedRequests: 0 });
    await failing.close();
  });
});

describe('cache rows', () => {
  test('stacked caches of different lengths decode like the separate ones; trimming drops unused slots', () => {
    const a = model.prefill(tf.tensor2d([[3, 4, 5, 6, 7]], [1, 5], 'int32'));
    const b = model.prefill(tf.tensor2d([[8, 9]], [1, 2], 'int32'));
    const both = concatCaches([a.cache, b.cache]);
    expect([both.batchSize, both.length]).toEqual([2, 5]);
    expect(Array.from(both.keyMask())).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 1, 1]);
    const step = (c: typeof both, next: number[]) =>
      Array.from(model.decodeStep(c, tf.tensor2d(next, [next.length, 1], 'int32')).dataSync());
    const together = step(both, [10, 11]);
    const vocab = ALPHABET.length + 1;
    const alone = [...step(a.cache, [10]), ...step(b.cache, [11])];
    for (const [i, v] of together.entries()) expect(v).toBeCloseTo(alone[i]!, 4);
    const onlyShort = both.select([1]);
    const trimmed = trimCache(onlyShort);
    expect(trimmed.length).toBe(3);
    const t1 = step(trimmed, [12]);
    const t2 = step(b.cache, [12]);
    for (const [i, v] of t1.entries()) expect(v).toBeCloseTo(t2[i]!, 4);
    expect(t1).toHaveLength(vocab);
    for (const c of [a.cache, b.cache, both, onlyShort, trimmed]) c.dispose();
    a.logits.dispose();
    b.logits.dispose();
  });
});
