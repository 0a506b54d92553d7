/**
 * Padded vocabularies in both local engines: a model whose `vocab_size` is larger than its tokenizer, with the
 * padding ids' output rows scaled up so that they are the model's most likely tokens. The engines must never draw
 * them; their log-probs must be what a trainer computes from the same logits (log softmax over the whole row for
 * `temperature`/`raw`, over the real ids for `processed`) — checked against full forward passes, not the engine.
 */
import { createModel, type Model, tf } from '@r1/model';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { resolveSamplingParams } from '../params';
import type { Completion, SamplingParams } from '../types';
import { createContinuousEngine } from './continuous';
import { createLocalEngine, type EngineTokenizer } from './engine';
import { paddingIds, sampleableIds } from './padding';

const ALPHABET = ' abcdefghijklmnopqrstuvwxyz.0123456789';
const SIZE = ALPHABET.length + 1; // id 0 is EOS
const VOCAB = 64;

/** Like a real tokenizer, decoding an id it does not have is an error. */
function seamTokenizer(vocabSize: number): EngineTokenizer {
  return {
    eosTokenId: 0,
    vocabSize,
    encode: (text) => [...text].map((c) => ALPHABET.indexOf(c) + 1),
    decode: (ids) =>
      ids
        .map((id) => {
          if (!(id >= 0 && id < SIZE)) throw new Error(`decode: ${id} is not a token id`);
          return id === 0 ? '<eos>' : ALPHABET[id - 1]!;
        })
        .join(''),
  };
}
const tokenizer = seamTokenizer(SIZE);

let model: Model;
beforeAll(() => {
  model = createModel(
    {
      model_type: 'qwen2',
      vocab_size: VOCAB,
      hidden_size: 16,
      intermediate_size: 32,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      num_key_value_heads: 1,
      max_position_embeddings: 128,
      tie_word_embeddings: false,
    } as never,
    { seed: 4 },
  );
  const head = model.parameters().get('lm_head.weight')!;
  tf.tidy(() => {
    const [real, padding] = tf.split(head, [SIZE, VOCAB - SIZE], 0);
    head.assign(tf.concat([real!, tf.mul(padding!, 60)], 0));
  });
});
afterAll(() => model.dispose());

/** Logits [steps, V] of a full forward pass over prompt + completion, at the positions that chose each token. */
function forwardLogits(prompt: number[], completion: number[]): Float32Array[] {
  const ids = [...prompt, ...completion.slice(0, -1)];
  return tf.tidy(() => {
    const logits = model.forward(tf.tensor2d([ids], [1, ids.length], 'int32'));
    const rows = tf.slice(logits, [0, prompt.length - 1, 0], [1, completion.length, VOCAB]);
    const data = rows.dataSync() as Float32Array;
    return completion.map((_, i) => data.slice(i * VOCAB, (i + 1) * VOCAB));
  });
}

function logSoftmaxAt(row: ArrayLike<number>, token: number, t: number, upTo = row.length): number {
  const xs = Array.from(row, (x) => x / t).slice(0, upTo);
  const m = Math.max(...xs);
  return xs[token]! - m - Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
}

const PROMPTS = ['the cat', 'a', 'hello there 42'];
const quiet = () => {};

async function both(p: Partial<SamplingParams>): Promise<[string, Completion[][]][]> {
  const params = resolveSamplingParams(p);
  const requests = PROMPTS.map((prompt) => ({ prompt }));
  const local = createLocalEngine({ model, tokenizer, log: quiet });
  const continuous = createContinuousEngine({ model, tokenizer, modelId: 'c', log: quiet });
  try {
    return [
      ['batch engine', await local.generate(requests, params)],
      ['continuous engine', await continuous.generate(requests, params)],
    ];
  } finally {
    await continuous.close();
  }
}

describe('a padded vocabulary (64 model ids, 39 tokenizer ids, padding the most likely)', () => {
  test('the fixture is adversarial: unmasked, the model would pick a padding id', () => {
    const [row] = forwardLogits(tokenizer.encode('the cat'), [1]);
    let best = 0;
    for (let i = 1; i < VOCAB; i++) if (row![i]! > row![best]!) best = i;
    expect(best).toBeGreaterThanOrEqual(SIZE);
  });

  test('sampling at T 0.8 never draws a padding id; temperature log-probs are log softmax over all 64 ids', async () => {
    for (const [name, out] of await both({ n: 4, maxNewTokens: 16, temperature: 0.8, seed: 3 })) {
      out.forEach((completions, r) => {
        for (const c of completions) {
          expect(
            c.tokenIds.every((id) => id < SIZE),
            name,
          ).toBe(true);
          const rows = forwardLogits(tokenizer.encode(PROMPTS[r]!), c.tokenIds);
          c.tokenIds.forEach((id, i) => {
            expect(c.logprobs[i]!, name).toBeCloseTo(logSoftmaxAt(rows[i]!, id, 0.8), 3);
          });
        }
      });
    }
  });

  test('processed log-probs are under the masked distribution; raw ones under the whole row at T 1', async () => {
    for (const mode of ['processed', 'raw'] as const) {
      for (const [name, out] of await both({ n: 2, maxNewTokens: 10, temperature: 0.7, logprobsMode: mode })) {
        out.forEach((completions, r) => {
          for (const c of completions) {
            const rows = forwardLogits(tokenizer.encode(PROMPTS[r]!), c.tokenIds);
            c.tokenIds.forEach((id, i) => {
              const want = mode === 'raw' ? logSoftmaxAt(rows[i]!, id, 1) : logSoftmaxAt(rows[i]!, id, 0.7, SIZE);
              expect(c.logprobs[i]!, `${name} ${mode}`).toBeCloseTo(want, 3);
            });
          }
        });
      }
    }
  });

  test('greedy decoding is the argmax over the tokenizer ids', async () => {
    for (const [name, out] of await both({ maxNewTokens: 8, temperature: 0 })) {
      out.forEach(([c], r) => {
        const rows = forwardLogits(tokenizer.encode(PROMPTS[r]!), c!.tokenIds);
        c!.tokenIds.forEach((id, i) => {
          const real = Array.from(rows[i]!.subarray(0, SIZE));
          expect(id, name).toBe(real.indexOf(Math.max(...real)));
        });
      });
    }
  });

  test('the notice is logged once per log, in the words the issue gives', async () => {
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    createLocalEngine({ model, tokenizer, log });
    createLocalEngine({ model, tokenizer, log });
    const continuous = createContinuousEngine({ model, tokenizer, modelId: 'c', log });
    await continuous.close();
    expect(lines).toEqual(['sampler: vocab_size 64, tokenizer 39: 25 padding ids masked']);
    expect(sampleableIds(151_936, 151_669, 'x', log)).toBe(151_669);
    expect(lines.at(-1)).toBe('sampler: vocab_size 151936, tokenizer 151669: 267 padding ids masked');
    // No notice without padding, nor for a tokenizer that does not say its size.
    expect(sampleableIds(64, 64, 'x', log)).toBe(64);
    expect(sampleableIds(64, undefined, 'x', log)).toBe(64);
    expect(lines).toHaveLength(2);
  });

  test('a tokenizer larger than vocab_size is refused, naming the model, by both engines and by swap', async () => {
    const big = seamTokenizer(70);
    const message = /ckpt: the tokenizer has 70 ids but the model's vocab_size \(config\.json\) is 64, so ids 64…69/;
    expect(() => createLocalEngine({ model, tokenizer: big, modelId: 'ckpt' })).toThrow(message);
    expect(() => createContinuousEngine({ model, tokenizer: big, modelId: 'ckpt' })).toThrow(message);
    expect(() => paddingIds(64, 0, 'ckpt')).toThrow(/ckpt: the tokenizer reports 0 ids/);
    const engine = createContinuousEngine({ model, tokenizer, modelId: 'c', log: quiet });
    await expect(engine.swap({ model, tokenizer: big, modelId: 'ckpt' })).rejects.toThrow(message);
    // The engine still serves the old parts.
    const [c] = await engine.submit({ prompt: 'a' }, resolveSamplingParams({ maxNewTokens: 3 }));
    expect(c!.tokenIds.every((id) => id < SIZE)).toBe(true);
    expect(engine.parts.tokenizer).toBe(tokenizer);
    await engine.close();
  });
});
