import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseCompletion } from './parse-completion';
import { DEFAULT_R1_TOKENS, R1_PAPER_TOKENS, type R1Tokens, renderR1Readable, resolveR1Tokens } from './r1-readable';

describe('resolveR1Tokens', () => {
  test('defaults are the released models’ think tags', () => {
    expect(resolveR1Tokens()).toEqual({ reasoningStart: '<think>', reasoningEnd: '</think>' });
    expect(resolveR1Tokens({ reasoningEnd: '</thought>' })).toEqual({
      reasoningStart: '<think>',
      reasoningEnd: '</thought>',
    });
  });

  test.each<[object, RegExp]>([
    [{ start: '<a>' }, /unknown key 'start'; the keys are reasoningStart, reasoningEnd/],
    [{ reasoningStart: '' }, /'reasoningStart' must be a non-empty string/],
    [{ reasoningEnd: 3 }, /'reasoningEnd' must be a non-empty string, got 3/],
    [{ reasoningStart: '<t>', reasoningEnd: '<t>>' }, /overlap/],
  ])('%j is refused', (partial, message) => {
    expect(() => resolveR1Tokens(partial as Partial<R1Tokens>)).toThrow(message);
  });
});

describe('renderR1Readable', () => {
  test.each<[string, string, Partial<R1Tokens>, string]>([
    ['2+2=4', 'The answer is 4.', {}, '<think>2+2=4</think>The answer is 4.'],
    ['', '', {}, '<think></think>'],
    ['r', 's', R1_PAPER_TOKENS, '|special_token|r|special_token|s'],
    ['\nr\n', '\n\ns', {}, '<think>\nr\n</think>\n\ns'],
  ])('%j + %j', (reasoning, summary, tokens, expected) => {
    expect(renderR1Readable({ reasoning, summary }, tokens)).toBe(expected);
  });

  test('refuses parts that contain a token, since they could not be parsed back', () => {
    expect(() => renderR1Readable({ reasoning: 'a </think> b', summary: 's' })).toThrow(
      /'reasoning' contains the special token '<\/think>'/,
    );
    expect(() => renderR1Readable({ reasoning: 'r', summary: '<think>' })).toThrow(/'summary' contains/);
  });

  test('refuses a reasoning that forms another token across the seam with the closing token', () => {
    expect(() => renderR1Readable({ reasoning: 'a |special_token', summary: 's' }, R1_PAPER_TOKENS)).toThrow(
      /forms another token across the seam/,
    );
  });
});

describe('round trip render → parse', () => {
  const tokenSets: R1Tokens[] = [
    DEFAULT_R1_TOKENS,
    R1_PAPER_TOKENS,
    { reasoningStart: '<|begin_of_thought|>', reasoningEnd: '<|end_of_thought|>' },
  ];
  // Text built partly from token fragments, so seams and near-tokens are actually exercised.
  const part = (t: R1Tokens) => {
    const fragments = [t.reasoningStart, t.reasoningEnd].flatMap((k) => [k.slice(0, 3), k.slice(3), k.slice(1, -1)]);
    const unit = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 3 }), fc.constantFrom(...fragments));
    return fc
      .array(unit, { maxLength: 8 })
      .map((xs) => xs.join(''))
      .filter((s) => !s.includes(t.reasoningStart) && !s.includes(t.reasoningEnd));
  };
  /** Inputs render refuses (a token formed across a seam) are outside the round-trip contract. */
  const renders = (reasoning: string, summary: string, tokens: R1Tokens) => {
    try {
      return renderR1Readable({ reasoning, summary }, tokens);
    } catch {
      return null;
    }
  };

  test.each(tokenSets)('exact with trim: false (%j)', (tokens) => {
    fc.assert(
      fc.property(part(tokens), part(tokens), (reasoning, summary) => {
        const text = renders(reasoning, summary, tokens);
        fc.pre(text !== null);
        const parsed = parseCompletion(text!, 'r1', { tokens, trim: false });
        expect(parsed.reasoning).toBe(reasoning);
        expect(parsed.summary).toBe(summary);
        expect(parsed.answer).toBe(summary);
      }),
    );
  });

  test.each(tokenSets)('trimmed by default, well formed iff both parts are non-blank (%j)', (tokens) => {
    fc.assert(
      fc.property(part(tokens), part(tokens), (reasoning, summary) => {
        const text = renders(reasoning, summary, tokens);
        fc.pre(text !== null);
        const parsed = parseCompletion(text!, 'r1', { tokens });
        expect(parsed.reasoning).toBe(reasoning.trim());
        expect(parsed.summary).toBe(summary.trim());
        expect(parsed.wellFormed).toBe(reasoning.trim() !== '' && summary.trim() !== '');
      }),
    );
  });
});
