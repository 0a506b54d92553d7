import { describe, expect, test } from 'vitest';
import { formatJson, parseJsonText } from './json-file';

describe('parseJsonText', () => {
  test.each([
    ['{\n  "a": 1,\n  b: 2\n}', 'c.json:3:3: invalid JSON'],
    ['{"a": 1,}', 'c.json:1:9: invalid JSON'],
    ['', 'c.json'],
  ])('%j → an error starting with %j', (text, prefix) => {
    expect(() => parseJsonText(text, 'c.json')).toThrow(prefix);
  });

  test('valid JSON parses', () => {
    expect(parseJsonText('{"a": [1, null]}', 'c.json')).toEqual({ a: [1, null] });
  });
});

describe('formatJson', () => {
  test('pretty, with a trailing newline; unserialisable values name the file', () => {
    expect(formatJson({ a: 1 }, 'x.json')).toBe('{\n  "a": 1\n}\n');
    expect(() => formatJson({ n: 1n }, 'x.json')).toThrow('x.json: value cannot be written as JSON');
    expect(() => formatJson(undefined, 'x.json')).toThrow('x.json: value cannot be written as JSON (got undefined)');
  });
});
