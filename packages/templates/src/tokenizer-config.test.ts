import { describe, expect, test } from 'vitest';
import { parseTokenizerConfig, specialTokenText } from './tokenizer-config';

describe('parseTokenizerConfig', () => {
  test('keeps the fields it does not check', () => {
    const config = parseTokenizerConfig('{"chat_template": "x", "eos_token": "</s>", "model_max_length": 4096}');
    expect(config).toEqual({ chat_template: 'x', eos_token: '</s>', model_max_length: 4096 });
  });

  test.each<[string, RegExp]>([
    ['{\n  "a": 1,\n}', /^cfg\.json:3: not valid JSON \(.*\); fix the file/],
    ['{"a": tru}', /^cfg\.json: not valid JSON/],
    ['[1, 2]', /^cfg\.json: expected a JSON object at the top level, got a list/],
    [
      '{\n"eos_token": 5}',
      /^cfg\.json:2: field 'eos_token' must be a string, null or \{"content": string\}, got number 5/,
    ],
    [
      '{\n\n"chat_template": 7}',
      /^cfg\.json:3: field 'chat_template' must be a string or a list of \{name, template\}/,
    ],
    [
      '{"chat_template": [{"name": "default"}]}',
      /field 'chat_template'\[0\] must be an object with string 'name' and 'template'/,
    ],
    ['{"additional_special_tokens": "<x>"}', /field 'additional_special_tokens' must be a list/],
  ])('%j is refused with file, line and field', (text, message) => {
    expect(() => parseTokenizerConfig(text, 'cfg.json')).toThrow(message);
  });
});

describe('specialTokenText', () => {
  test.each([
    ['<s>', '<s>'],
    [{ content: '<s>', lstrip: false }, '<s>'],
    [null, undefined],
    [undefined, undefined],
  ])('%j → %j', (token, text) => {
    expect(specialTokenText(token)).toBe(text);
  });
});
