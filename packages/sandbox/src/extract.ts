/**
 * Code extraction from a completion: the last fenced block in the answer part — after the last `</think>` when
 * there is one (so code drafted while thinking does not count) — whose tag names the language (or is empty). An
 * unterminated last fence counts up to the end of the text (a completion cut by the length limit). Returns null
 * when there is none: the judge gives `no_code` and reward 0.
 */
import type { Language } from './languages';

const TAGS: Record<Language, readonly string[]> = {
  python: ['python', 'py', 'python3'],
  cpp: ['cpp', 'c++', 'cc', 'cxx'],
  javascript: ['javascript', 'js', 'node'],
};

/** Fences at the start of a line: ``` or longer, an optional tag, the body, a closing fence of the same length. */
const FENCE = /^(`{3,})[ \t]*([^\s`]*)[^\n]*\n([\s\S]*?)(?:^\1[ \t]*$|(?![\s\S]))/gm;

/** The text after the last `</think>`, or all of it. */
export function answerPart(completion: string): string {
  const at = completion.lastIndexOf('</think>');
  return at < 0 ? completion : completion.slice(at + '</think>'.length);
}

/**
 * The code of the last fenced block for `language` (default python) in the answer part, or null.
 *
 * @example extractCode('<think>…</think>\n```python\nprint(1)\n```') // 'print(1)\n'
 */
export function extractCode(completion: string, language: Language = 'python'): string | null {
  const text = answerPart(completion);
  const wanted = TAGS[language];
  let found: string | null = null;
  for (const m of text.matchAll(FENCE)) {
    const tag = m[2]!.toLowerCase();
    if (tag === '' || wanted.includes(tag)) found = m[3]!;
  }
  if (found === null || found.trim() === '') return null;
  return found;
}

/** A program found in a completion, and the language its fence names. */
export interface ExtractedProgram {
  code: string;
  language: Language;
}

/**
 * The last fenced block of the answer part tagged with any of the three languages (```python, ```cpp, ```js …), or
 * untagged (then `untagged`, default python), with the language it names — for judging completions whose language
 * is the model's choice (code benchmarks). Blocks of other languages (```bash, ```text) are skipped. Null when
 * there is none.
 *
 * @example extractProgram('```cpp\nint main(){}\n```') // { code: 'int main(){}\n', language: 'cpp' }
 */
export function extractProgram(completion: string, untagged: Language = 'python'): ExtractedProgram | null {
  const text = answerPart(completion);
  let found: ExtractedProgram | null = null;
  for (const m of text.matchAll(FENCE)) {
    const tag = m[2]!.toLowerCase();
    const language = tag === '' ? untagged : (Object.keys(TAGS) as Language[]).find((l) => TAGS[l].includes(tag));
    if (language !== undefined) found = { code: m[3]!, language };
  }
  if (found === null || found.code.trim() === '') return null;
  return found;
}
