import { describe, expect, test } from 'vitest';
import { answerPart, extractCode, extractProgram } from './extract';

describe('extractCode', () => {
  test.each([
    ['a python block', '```python\nprint(1)\n```', 'print(1)\n'],
    ['py and python3 tags', '```py\na=1\n```\n```python3\nb=2\n```', 'b=2\n'],
    ['an untagged block', 'Here:\n```\nprint(2)\n```\n', 'print(2)\n'],
    ['the last block wins', '```python\nprint(1)\n```\ntext\n```python\nprint(2)\n```', 'print(2)\n'],
    ['other languages are skipped', '```python\nprint(1)\n```\n```bash\nrm -rf /\n```', 'print(1)\n'],
    [
      'code while thinking does not count',
      '<think>\n```python\nprint(0)\n```\n</think>\n```python\nprint(1)\n```',
      'print(1)\n',
    ],
    ['an unterminated last block (cut by the length limit)', '```python\nprint(1)\nprint(2', 'print(1)\nprint(2'],
    ['a longer fence holds a shorter one', '````python\ns = """\n```\n"""\n````', 's = """\n```\n"""\n'],
  ])('%s', (_, completion, want) => {
    expect(extractCode(completion)).toBe(want);
  });

  test.each([
    ['no block', 'print(1)'],
    ['only inside <think>', '<think>```python\nprint(1)\n```</think> the answer is above'],
    ['an empty block', '```python\n\n```'],
    ['only another language', '```cpp\nint main(){}\n```'],
  ])('none: %s', (_, completion) => {
    expect(extractCode(completion)).toBeNull();
  });

  test('cpp and javascript tags', () => {
    const text = '```cpp\nint main(){}\n```\n```js\nconsole.log(1)\n```';
    expect(extractCode(text, 'cpp')).toBe('int main(){}\n');
    expect(extractCode(text, 'javascript')).toBe('console.log(1)\n');
  });

  test('answerPart is what follows the last </think>', () => {
    expect(answerPart('a</think>b</think>c')).toBe('c');
    expect(answerPart('abc')).toBe('abc');
  });

  test('a large adversarial completion is handled in bounded time', () => {
    const text = `${'```python\n'.repeat(5000)}${'x'.repeat(100_000)}`;
    const t = performance.now();
    extractCode(text);
    expect(performance.now() - t).toBeLessThan(5000);
  });
});

describe('extractProgram: the last block of any language, with its language', () => {
  test.each([
    ['python', '```python\nprint(1)\n```', { code: 'print(1)\n', language: 'python' }],
    [
      'cpp after python',
      '```python\nprint(1)\n```\n```cpp\nint main(){}\n```',
      { code: 'int main(){}\n', language: 'cpp' },
    ],
    ['c++ tag', '```c++\nint main(){}\n```', { code: 'int main(){}\n', language: 'cpp' }],
    ['js', '```js\nconsole.log(1)\n```', { code: 'console.log(1)\n', language: 'javascript' }],
    ['untagged is python', '```\nprint(2)\n```', { code: 'print(2)\n', language: 'python' }],
    [
      'other languages skipped',
      '```cpp\nint main(){}\n```\n```bash\nls\n```',
      { code: 'int main(){}\n', language: 'cpp' },
    ],
    [
      'after </think>',
      '<think>```cpp\nx\n```</think>\n```py\nprint(3)\n```',
      { code: 'print(3)\n', language: 'python' },
    ],
  ])('%s', (_, completion, want) => {
    expect(extractProgram(completion)).toEqual(want);
  });

  test('untagged blocks take the given language; none is null', () => {
    expect(extractProgram('```\nint main(){}\n```', 'cpp')).toEqual({ code: 'int main(){}\n', language: 'cpp' });
    expect(extractProgram('no code')).toBeNull();
    expect(extractProgram('```bash\nls\n```')).toBeNull();
    expect(extractProgram('```python\n\n```')).toBeNull();
  });
});
