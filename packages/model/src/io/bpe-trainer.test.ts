import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { preTokenize, trainBpeTokenizer } from './bpe-trainer';
import { createTokenizer } from './tokenizer';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 +-*/=?.,:()\n';
const PREFIX = 'A conversation between User and Assistant. The reasoning is enclosed within <think> </think>. User: ';
const corpus = Array.from(
  { length: 200 },
  (_, i) =>
    `${PREFIX}What is ${i} + ${i * 7}?. Assistant: <think> ${i} + ${i * 7} = ${i * 8}. </think> <answer> ${i * 8} </answer><|endoftext|>`,
);
const files = trainBpeTokenizer(corpus, ALPHABET, { vocabSize: 260 });
const tok = createTokenizer(files);

describe('trainBpeTokenizer', () => {
  test.each([
    ['ab12c', ['ab', '1', '2', 'c']],
    ['<think>x 10</think>', ['x ', '1', '0']],
    ['', []],
    ['007', ['0', '0', '7']],
  ])('preTokenize(%j)', (text, expected) => {
    expect(preTokenize(text, ['<think>', '</think>'])).toEqual(expected);
  });

  test('compresses the repeated template and round-trips exactly', () => {
    const text = corpus[42]!;
    const ids = tok.encode(text);
    expect(tok.decode(ids)).toBe(text);
    expect(ids.length).toBeLessThan(text.length / 4);
    // Three text chunks around two special tokens: at best 5 tokens for ~100 characters.
    expect(tok.encode(PREFIX).length).toBeLessThanOrEqual(6);
  });

  test('digits are always single tokens, never merged', () => {
    for (const id of tok.encode('What is 123 + 4567?')) {
      const t = tok.idToToken(id)!;
      if (/[0-9]/.test(t)) expect(t).toMatch(/^[0-9]$/);
    }
  });

  test('special tokens stay single ids', () => {
    for (const s of ['<think>', '</think>', '<answer>', '</answer>', '<|endoftext|>'])
      expect(tok.encode(s)).toHaveLength(1);
  });

  test('training is deterministic', () => {
    expect(trainBpeTokenizer(corpus, ALPHABET, { vocabSize: 260 })).toEqual(files);
  });

  test('stops early when nothing repeats, and respects vocabSize', () => {
    const small = trainBpeTokenizer(['abc'], 'abc', { vocabSize: 1000 });
    expect((small.tokenizerJson as { model: { merges: unknown[] } }).model.merges).toHaveLength(0);
    const vocab = (files.tokenizerJson as { model: { vocab: Record<string, number> } }).model.vocab;
    expect(Object.keys(vocab).length).toBeLessThanOrEqual(260);
  });

  test('a corpus character outside the alphabet is an error that says what to do', () => {
    expect(() => trainBpeTokenizer(['héllo'], 'helo', { vocabSize: 50 })).toThrow(
      /"é" in the corpus is not in the alphabet; add it/,
    );
  });

  test('property: any text over the alphabet round-trips', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...Array.from(ALPHABET), '<think>', '</answer>') }), (text) => {
        return tok.decode(tok.encode(text)) === text;
      }),
      { numRuns: 300 },
    );
  });
});
