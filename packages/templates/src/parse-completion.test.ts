import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { CompletionProblemCode } from './completion-problems';
import { parseCompletion } from './parse-completion';
import { R1_PAPER_TOKENS } from './r1-readable';

/** Problems as "code:block" strings, in the order reported. */
const codes = (text: string, format: 'r1-zero' | 'r1' | 'think') =>
  parseCompletion(text, format).problems.map((p) => `${p.code}:${p.block}`);

describe("parseCompletion 'r1-zero'", () => {
  test.each<[string, string | null, string | null, string[]]>([
    ['<think> 2+2 is 4 </think> <answer> 4 </answer>', '2+2 is 4', '4', []],
    ['\n<think>\nr\n</think>\n<answer>\n4\n</answer>\n', 'r', '4', []],
    ['<think>r</think><answer>4</answer>', 'r', '4', []],
    // structure problems
    ['<answer>4</answer>', null, '4', ['missing-block:think']],
    ['<think>r</think>', 'r', null, ['missing-block:answer']],
    ['just text', null, null, ['missing-block:think', 'missing-block:answer']],
    ['<think>r</think><answer>4</answer> and more', 'r', '4', ['text-after:answer']],
    ['Sure! <think>r</think><answer>4</answer>', 'r', '4', ['text-before:think']],
    ['<think>r</think> so <answer>4</answer>', 'r', '4', ['text-between:answer']],
    ['<answer>4</answer><think>r</think>', 'r', '4', ['wrong-order:answer']],
    ['<think>r <answer>4</answer>', 'r', '4', ['unclosed-block:think']],
    ['<think>r</think><answer>4', 'r', '4', ['unclosed-block:answer']],
    ['r</think><answer>4</answer>', 'r', '4', ['missing-open:think']],
    ['<think>r</think> 4</answer>', 'r', '4', ['missing-open:answer']],
    ['<think>a <think> b</think><answer>4</answer>', 'a <think> b', '4', ['nested-open:think']],
    ['<think>r</think></think><answer>4</answer>', 'r', '4', ['stray-close:think', 'text-between:answer']],
    ['<think>a</think><think>b</think><answer>4</answer>', 'a', '4', ['repeated-block:think']],
    ['<think>r</think><answer>3</answer><answer>4</answer>', 'r', '4', ['repeated-block:answer']],
    ['<think></think><answer>4</answer>', '', '4', ['empty-block:think']],
    ['<think>r</think><answer>  </answer>', 'r', '', ['empty-block:answer']],
    ['<think></think>x', '', null, ['missing-block:answer', 'text-after:think', 'empty-block:think']],
    ['<think>r</answer></think><answer>4</answer>', 'r</answer>', '4', ['stray-close:answer']],
  ])('%j', (text, reasoning, answer, problems) => {
    const parsed = parseCompletion(text, 'r1-zero');
    expect(parsed.reasoning).toBe(reasoning);
    expect(parsed.answer).toBe(answer);
    expect(parsed.summary).toBeNull();
    expect(parsed.problems.map((p) => `${p.code}:${p.block}`)).toEqual(problems);
    expect(parsed.wellFormed).toBe(problems.length === 0);
  });

  test('repeated problems are counted, not listed one by one', () => {
    const parsed = parseCompletion(`<think>r</think>${'</think>'.repeat(1000)}<answer>4</answer>`, 'r1-zero');
    const stray = parsed.problems.find((p) => p.code === 'stray-close');
    expect(stray?.count).toBe(1000);
    expect(stray?.at).toBe(16);
    expect(stray?.message).toBe("'</think>' closes nothing (1000 times)");
  });

  test('trim: false keeps the exact block contents', () => {
    const parsed = parseCompletion('<think> r\n</think><answer>\n4 </answer>', 'r1-zero', { trim: false });
    expect(parsed.reasoning).toBe(' r\n');
    expect(parsed.answer).toBe('\n4 ');
  });

  test('every problem has a message that names the tags', () => {
    for (const p of parseCompletion('x<answer></answer><think>a<think></answer>', 'r1-zero').problems) {
      expect(p.message).toMatch(/<(think|answer)>|<\/(think|answer)>/);
    }
  });
});

describe("parseCompletion 'r1'", () => {
  test.each<[string, string | null, string | null, string[]]>([
    ['<think>2+2=4</think>The answer is 4.', '2+2=4', 'The answer is 4.', []],
    ['  <think>\nr\n</think>\n\ns', 'r', 's', []],
    ['r</think>s', 'r', 's', ['missing-open:reasoning']],
    ['<think>r', 'r', null, ['unclosed-block:reasoning']],
    ['no tokens at all', null, null, ['missing-block:reasoning']],
    ['hi <think>r</think>s', 'r', 's', ['text-before:reasoning']],
    ['<think>a<think>b</think>s', 'a<think>b', 's', ['nested-open:reasoning']],
    [
      '<think>r</think>s<think>t</think>u',
      'r',
      's<think>t</think>u',
      ['repeated-block:reasoning', 'stray-close:reasoning'],
    ],
    ['<think></think>s', '', 's', ['empty-block:reasoning']],
    ['<think>r</think>  ', 'r', '', ['empty-block:summary']],
  ])('%j', (text, reasoning, summary, problems) => {
    const parsed = parseCompletion(text, 'r1');
    expect([parsed.reasoning, parsed.summary, parsed.answer]).toEqual([reasoning, summary, summary]);
    expect(parsed.problems.map((p) => `${p.code}:${p.block}`)).toEqual(problems);
  });

  test('the paper format, where one token opens and closes', () => {
    const text = '|special_token|reason|special_token|summary';
    const parsed = parseCompletion(text, 'r1', { tokens: R1_PAPER_TOKENS });
    expect(parsed).toMatchObject({ reasoning: 'reason', summary: 'summary', wellFormed: true });
    expect(codes(`${text}|special_token|`, 'r1')).toEqual(['missing-block:reasoning']);
    const extra = parseCompletion(`${text}|special_token|`, 'r1', { tokens: R1_PAPER_TOKENS });
    expect(extra.problems.map((p) => p.code)).toEqual(['repeated-block']);
  });

  test('custom tokens', () => {
    const tokens = { reasoningStart: '<|begin_of_thought|>', reasoningEnd: '<|end_of_thought|>' };
    const parsed = parseCompletion('<|begin_of_thought|>r<|end_of_thought|>s', 'r1', { tokens });
    expect(parsed).toMatchObject({ reasoning: 'r', summary: 's', wellFormed: true });
  });
});

describe("parseCompletion 'think'", () => {
  test.each<[string, string | null, string | null, string[]]>([
    ['Let me add.\n</think>\n\nThe answer is 4.', 'Let me add.', 'The answer is 4.', []],
    ['<think>\nLet me add.\n</think>\n\n4', 'Let me add.', '4', []],
    ['still thinking, cut off', 'still thinking, cut off', null, ['unclosed-block:reasoning']],
    ['a <think> b </think> s', 'a <think> b', 's', ['nested-open:reasoning']],
    ['<think></think>x', '', 'x', ['empty-block:reasoning']],
    ['</think>x', '', 'x', ['empty-block:reasoning']],
    ['r</think>s</think>t', 'r', 's</think>t', ['stray-close:reasoning']],
    ['r</think>', 'r', '', ['empty-block:summary']],
    ['', '', null, ['unclosed-block:reasoning', 'empty-block:reasoning']],
  ])('%j', (text, reasoning, summary, problems) => {
    const parsed = parseCompletion(text, 'think');
    expect([parsed.reasoning, parsed.summary, parsed.answer]).toEqual([reasoning, summary, summary]);
    expect(parsed.problems.map((p) => `${p.code}:${p.block}`)).toEqual(problems);
  });
});

describe('parseCompletion options', () => {
  test.each([
    [{ tokens: { reasoningStart: '<a>' } }, 'r1-zero', /'tokens' applies to the 'r1' and 'think' formats/],
    [{ trimm: true }, 'r1', /unknown option 'trimm'/],
    [{ tokens: { reasoningStart: '' } }, 'r1', /'reasoningStart' must be a non-empty string/],
    [{}, 'xml', /unknown format 'xml'/],
  ])('%j with %s is refused', (options, format, message) => {
    expect(() => parseCompletion('x', format as 'r1', options as object)).toThrow(message);
  });

  test('a non-string text is refused', () => {
    expect(() => parseCompletion(null as unknown as string, 'r1')).toThrow(/text must be a string/);
  });
});

describe('parseCompletion on adversarial input (behaviour only: each must finish within the test timeout)', () => {
  const MB = 1 << 20;
  const inputs: [string, string][] = [
    ['nested opens', '<think>'.repeat(MB / 7)],
    ['alternating blocks', '<think>a</think><answer>b</answer>'.repeat(MB / 34)],
    ['broken tags', '<think</think<answer</answer'.repeat(MB / 28)],
    ['unclosed after a long prefix', `${'x'.repeat(MB)}<think>`],
    ['stray closes', '</answer></think>'.repeat(MB / 17)],
  ];
  test.each(inputs)('%s, 1 MB, every format', (_name, text) => {
    for (const format of ['r1-zero', 'r1', 'think'] as const) {
      const parsed = parseCompletion(text, format);
      expect(parsed.problems.length).toBeLessThanOrEqual(24);
    }
  });
});

describe('parseCompletion properties', () => {
  const noTags = fc.string().filter((s) => !/<\/?(think|answer)>/.test(s));
  const codesSeen = new Set<CompletionProblemCode>();

  test('r1-zero: any text inside well-placed tags parses back exactly and well formed when non-blank', () => {
    fc.assert(
      fc.property(noTags, noTags, fc.constantFrom('', ' ', '\n', '\n\n'), (r, a, ws) => {
        const text = `${ws}<think>${r}</think>${ws}<answer>${a}</answer>${ws}`;
        const parsed = parseCompletion(text, 'r1-zero', { trim: false });
        expect(parsed.reasoning).toBe(r);
        expect(parsed.answer).toBe(a);
        expect(parsed.wellFormed).toBe(r.trim() !== '' && a.trim() !== '');
      }),
    );
  });

  test('never throws, problems are bounded, and wellFormed means no problems, on tag soup', () => {
    const piece = fc.constantFrom('<think>', '</think>', '<answer>', '</answer>', 'x', ' ', '\n', '<', 'think>');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.constantFrom('r1-zero', 'r1', 'think'), (pieces, format) => {
        const parsed = parseCompletion(pieces.join(''), format as 'r1-zero');
        expect(parsed.wellFormed).toBe(parsed.problems.length === 0);
        expect(parsed.problems.length).toBeLessThanOrEqual(24);
        for (const p of parsed.problems) {
          codesSeen.add(p.code);
          expect(p.count).toBeGreaterThanOrEqual(1);
          expect(p.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
    // The generator is rich enough to reach every code.
    expect(codesSeen.size).toBe(11);
  });

  test('the reasoning and answer are always substrings of the text', () => {
    const piece = fc.constantFrom('<think>', '</think>', '<answer>', '</answer>', 'ab', ' ');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), fc.constantFrom('r1-zero', 'r1', 'think'), (pieces, format) => {
        const text = pieces.join('');
        const parsed = parseCompletion(text, format as 'r1', { trim: false });
        for (const part of [parsed.reasoning, parsed.answer, parsed.summary]) {
          if (part !== null) expect(text.includes(part)).toBe(true);
        }
      }),
    );
  });
});
