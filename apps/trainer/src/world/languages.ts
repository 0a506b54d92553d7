/**
 * The two languages of the R1 world's chains of thought, and the deterministic translation between them.
 *
 * A worked solution is a sequence of phrases around the arithmetic steps ("First we add 4 + 7 = 11. Then we add
 * 11 + 1 = 12. So the result is 12."). Each phrase exists in English and in Chinese; a mixed-language trace draws
 * each phrase's language at random, which is how R1-Zero's CoT mixes languages (§2.3.2). The scripts are the ones the
 * language-consistency reward tells apart (Latin words vs Han characters, see @r1/rewards), and the arithmetic itself
 * (digits, operators) is neutral to it.
 *
 * `toEnglish` is the cold start's "post-processing": it replaces every Chinese phrase with its English one, so a
 * rejection-sampled R1-Zero trace becomes a monolingual one without touching its arithmetic.
 */
import type { WorkedSolution } from '@r1/tasks';

/** One arithmetic step, `left op right = result`. */
export type Step = WorkedSolution['steps'][number];

export type Language = 'en' | 'zh';

/** Phrase kinds of a worked solution. */
export type PhraseKind = 'first' | 'next' | 'add' | 'subtract' | 'multiply' | 'divide' | 'result';

/** Every phrase in both languages. No phrase is a substring of another phrase of its language. */
export const PHRASES: Readonly<Record<PhraseKind, Readonly<Record<Language, string>>>> = Object.freeze({
  first: { en: 'First', zh: '首先' },
  next: { en: 'Then', zh: '然后' },
  add: { en: 'we add', zh: '我们加' },
  subtract: { en: 'we subtract', zh: '我们减' },
  multiply: { en: 'we multiply', zh: '我们乘' },
  divide: { en: 'we divide', zh: '我们除' },
  result: { en: 'So the result is', zh: '所以结果是' },
});

const OPERATION: Record<string, PhraseKind> = { '+': 'add', '-': 'subtract', '*': 'multiply', '/': 'divide' };

/** Every character the Chinese phrases use (for the tokenizer's alphabet). */
export const CHINESE_CHARACTERS = [...new Set(Object.values(PHRASES).flatMap((p) => [...p.zh]))].sort().join('');

/**
 * The worked solution of `steps` in words: `language(kind)` picks each phrase's language. With `runOn`, the steps
 * are written without phrases or full stops ("4 + 7 = 11 11 + 1 = 12"), a hard-to-read trace.
 */
export function describeSteps(steps: readonly Step[], language: (kind: PhraseKind) => Language, runOn = false): string {
  if (steps.length === 0) throw new RangeError('describeSteps: a worked solution needs at least one step');
  if (runOn) return steps.map((s) => `${s.left} ${s.op} ${s.right} = ${s.result}`).join(' ');
  const sentences = steps.map((s, i) => {
    const lead = PHRASES[i === 0 ? 'first' : 'next'][language(i === 0 ? 'first' : 'next')];
    const operation = OPERATION[s.op];
    if (operation === undefined) throw new RangeError(`describeSteps: unknown operator ${JSON.stringify(s.op)}`);
    return `${lead} ${PHRASES[operation][language(operation)]} ${s.left} ${s.op} ${s.right} = ${s.result}.`;
  });
  const last = steps[steps.length - 1]!;
  return `${sentences.join(' ')} ${PHRASES.result[language('result')]} ${last.result}.`;
}

/** Chinese phrases, longest first, so that a longer phrase is never split by a shorter one. */
const ZH_TO_EN = Object.values(PHRASES)
  .map((p) => [p.zh, p.en] as const)
  .sort((a, b) => b[0].length - a[0].length);

/**
 * Replaces every Chinese phrase of the world with its English phrase; everything else (numbers, operators,
 * punctuation, English, unknown text) is kept as it is. Idempotent; the identity on English text.
 */
export function toEnglish(text: string): string {
  let out = text;
  for (const [zh, en] of ZH_TO_EN) out = out.split(zh).join(en);
  return out;
}
