import { createLanguageConsistencyReward, mathVerify } from '@r1/rewards';
import { arithmeticSolution } from '@r1/tasks';
import { isReadable } from '@r1/templates';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { r1ZeroCompletion } from './corpus';
import {
  allGeneralPrompts,
  corpusGeneralPrompts,
  drawGeneralPrompts,
  generalCorrect,
  generalPromptsOf,
} from './general';
import { CHINESE_CHARACTERS, describeSteps, PHRASES, toEnglish } from './languages';
import { buildR1Corpus, DEFAULT_R1_CORPUS_OPTIONS, r1Prompt } from './r1-corpus';
import { sentences, toReadable } from './reformat';

const consistency = createLanguageConsistencyReward({ format: 'r1-zero' });
const lc = (text: string) => consistency(text, { prompt: '' });
const steps = (expression: string) => arithmeticSolution(expression, { seed: 0, errorRate: 0 }).steps;

describe('languages', () => {
  test.each([
    ['4 + 7 + 1', 'en', 'First we add 4 + 7 = 11. Then we add 11 + 1 = 12. So the result is 12.'],
    ['4 + 7 + 1', 'zh', '首先 我们加 4 + 7 = 11. 然后 我们加 11 + 1 = 12. 所以结果是 12.'],
    ['9 - 3', 'en', 'First we subtract 9 - 3 = 6. So the result is 6.'],
  ] as const)('describeSteps(%s, %s)', (expression, language, text) => {
    expect(describeSteps(steps(expression), () => language)).toBe(text);
  });

  test('run-on steps have no phrases and no full stops', () => {
    expect(describeSteps(steps('4 + 7 + 1'), () => 'zh', true)).toBe('4 + 7 = 11 11 + 1 = 12');
  });

  test('edges: no steps, an unknown operator', () => {
    expect(() => describeSteps([], () => 'en')).toThrow(/at least one step/);
    expect(() => describeSteps([{ left: 1, op: '^' as never, right: 2, result: 1 }], () => 'en')).toThrow(/operator/);
  });

  test('the language-consistency reward tells the two languages apart: English 1, Chinese 0, mixed between', () => {
    const s = steps('4 + 7 - 2');
    expect(lc(`<think> ${describeSteps(s, () => 'en')} </think> <answer> 9 </answer>`)).toBe(1);
    expect(lc(`<think> ${describeSteps(s, () => 'zh')} </think> <answer> 9 </answer>`)).toBe(0);
    const mixed = lc(
      `<think> ${describeSteps(s, (k) => (k === 'first' ? 'zh' : 'en'))} </think> <answer> 9 </answer>`,
    )!;
    expect(mixed).toBeGreaterThan(0);
    expect(mixed).toBeLessThan(1);
  });

  test('toEnglish: every phrase translated, the identity on English, idempotent, arithmetic untouched (fast-check)', () => {
    for (const p of Object.values(PHRASES)) expect(toEnglish(p.zh)).toBe(p.en);
    expect(CHINESE_CHARACTERS).toMatch(/^\p{Script=Han}+$/u);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 9 })), { minLength: 1, maxLength: 4 }),
        fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }),
        (ops, zh) => {
          const expression = [5, ...ops.flat()].join(' ');
          const s = steps(expression);
          let i = 0;
          const mixed = describeSteps(s, () => (zh[i++ % zh.length] ? 'zh' : 'en'));
          const english = describeSteps(s, () => 'en');
          expect(toEnglish(mixed)).toBe(english);
          expect(toEnglish(english)).toBe(english);
          expect(toEnglish(toEnglish(mixed))).toBe(toEnglish(mixed));
          expect(toEnglish(mixed).replace(/[^\d+\-=]/g, '')).toBe(mixed.replace(/[^\d+\-=]/g, ''));
        },
      ),
    );
  });
});

describe('reformat (the cold start post-processing)', () => {
  test.each([
    [
      r1ZeroCompletion('首先 我们加 4 + 7 = 11. 然后 we add 11 + 1 = 12. 所以结果是 12.', '12'),
      ' <think> First we add 4 + 7 = 11. Then we add 11 + 1 = 12. So the result is 12. </think> The answer is 12.',
    ],
    [r1ZeroCompletion('4 + 7 = 11 11 - 1 = 10', '10'), ' <think> 4 + 7 = 11. 11 - 1 = 10. </think> The answer is 10.'],
    [r1ZeroCompletion('5 - 9 = -4 -4 + 1 = -3', '-3'), ' <think> 5 - 9 = -4. -4 + 1 = -3. </think> The answer is -3.'],
  ])('%s', (input, output) => {
    expect(toReadable(input)).toBe(output);
    expect(isReadable(output)).toBe(true);
  });

  test.each([
    ['a guess (no reasoning)', r1ZeroCompletion('', '7')],
    ['no answer', ' <think> 1 + 1 = 2 </think>'],
    ['broken tags', ' <think> 1 + 1 = 2 <answer> 2 </answer>'],
    ['empty', ''],
  ])('nothing to build from: %s → null', (_name, input) => {
    expect(toReadable(input)).toBeNull();
  });

  test('sentences: ends with a full stop, leaves finished text alone', () => {
    expect(sentences('1 + 1 = 2')).toBe('1 + 1 = 2.');
    expect(sentences('First we add 1 + 1 = 2.')).toBe('First we add 1 + 1 = 2.');
    expect(sentences('')).toBe('');
  });

  test('every corpus worked solution becomes readable, monolingual and keeps its verdict (fast-check)', () => {
    const docs = buildR1Corpus({ ...DEFAULT_R1_CORPUS_OPTIONS, count: 400 }).filter(
      (d) => d.style === 'worked' && d.template === 'r1-zero',
    );
    fc.assert(
      fc.property(fc.constantFrom(...docs), (doc) => {
        const readable = toReadable(doc.completion)!;
        expect(isReadable(readable)).toBe(true);
        expect(createLanguageConsistencyReward({ format: 'r1' })(readable, { prompt: '' })).toBe(1);
        const answer = doc.completion.match(/<answer> (-?\d+) <\/answer>/)![1]!;
        expect(mathVerify(answer, readable).correct).toBe(true);
      }),
    );
  });
});

describe('general prompts', () => {
  test('gold replies have no chain of thought; splits are disjoint and cover every prompt', () => {
    const all = allGeneralPrompts();
    expect(new Set(all.map((p) => p.id)).size).toBe(all.length);
    for (const p of all) expect(p.reply).not.toMatch(/<think>/);
    const train = generalPromptsOf('train');
    const test = generalPromptsOf('test');
    expect(train.length + test.length).toBe(all.length);
    expect(train.some((p) => test.some((q) => q.prompt === p.prompt))).toBe(false);
    expect(test.length / all.length).toBeGreaterThan(0.1);
    expect(test.length / all.length).toBeLessThan(0.3);
    expect(drawGeneralPrompts('train', 5, 1)).toEqual(drawGeneralPrompts('train', 5, 1));
  });

  test('every held-out prompt asks for a reply that training prompts ask for too (learnable), and draws are kind-uniform', () => {
    const trainReplies = new Set(generalPromptsOf('train').map((p) => p.reply));
    const test = generalPromptsOf('test');
    for (const kind of ['greeting', 'spell', 'repeat'] as const) expect(test.some((p) => p.kind === kind)).toBe(true);
    for (const p of test.filter((q) => q.kind !== 'repeat')) expect(trainReplies.has(p.reply), p.prompt).toBe(true);
    // Repeat prompts: every held-out word was seen in training.
    const trainWords = new Set(
      generalPromptsOf('train')
        .filter((p) => p.kind === 'repeat')
        .flatMap((p) => p.reply.split(' ')),
    );
    for (const p of test.filter((q) => q.kind === 'repeat'))
      for (const w of p.reply.split(' ')) expect(trainWords.has(w)).toBe(true);
    const draws = drawGeneralPrompts('train', 3000, 7);
    for (const kind of ['greeting', 'spell', 'repeat'] as const) {
      const share = draws.filter((p) => p.kind === kind).length / draws.length;
      expect(share).toBeGreaterThan(0.3);
      expect(share).toBeLessThan(0.37);
    }
  });

  test("the pretraining corpus keeps the world's first prompt set (the committed base-r1 saw it)", () => {
    const drawn = corpusGeneralPrompts(2000, 5);
    const greetings = new Set(drawn.filter((p) => p.kind === 'greeting').map((p) => p.prompt));
    expect(
      [...greetings].every((g) =>
        ['Hello!', 'Hi.', 'Good morning.', 'Say hello.', 'How are you?', 'Thank you.'].includes(g),
      ),
    ).toBe(true);
    for (const p of drawn.filter((q) => q.kind === 'spell')) expect(p.prompt).toMatch(/^Spell \d+ as a word\.$/);
    const test = new Set(generalPromptsOf('test').map((p) => p.prompt));
    expect(drawn.some((p) => test.has(p.prompt))).toBe(false);
    // Uniform over prompts, so the many repeat prompts dominate (the reason stage 4 draws kinds evenly).
    expect(drawn.filter((p) => p.kind === 'repeat').length / drawn.length).toBeGreaterThan(0.8);
  });

  test.each([
    ['Spell 7 as a word.', 'seven.', true],
    ['Spell 7 as a word.', '  Seven. ', true],
    ['Spell 7 as a word.', 'eight.', false],
    ['Repeat after me: red fox', 'red fox', true],
    ['Repeat after me: red fox', 'red  fox', true],
    ['Repeat after me: red fox', '<think> ok </think> red fox', false],
  ])('generalCorrect(%s, %s) = %s', (prompt, reply, ok) => {
    const p = { id: 'x', kind: 'spell' as const, prompt, reply: prompt.startsWith('Spell') ? 'seven.' : 'red fox' };
    expect(generalCorrect(p, reply)).toBe(ok);
  });
});

describe('the R1 corpus', () => {
  const docs = buildR1Corpus({ ...DEFAULT_R1_CORPUS_OPTIONS, count: 3000 });
  const share = (f: (d: (typeof docs)[number]) => boolean, of = docs) => of.filter(f).length / of.length;
  const reasoning = docs.filter((d) => d.style === 'worked' || d.style === 'guess');

  test('the configured shares, and the world properties the R1 pipeline needs', () => {
    expect(reasoning).toHaveLength(3000);
    expect(share((d) => d.style === 'worked', reasoning)).toBeCloseTo(0.3, 1);
    expect(share((d) => d.template === 'r1', reasoning)).toBeCloseTo(0.25, 1);
    const worked = reasoning.filter((d) => d.style === 'worked' && d.template === 'r1-zero');
    // Language mixing that R1-Zero has no reason to drop: mixed traces are at least as accurate as English ones.
    const mixed = worked.filter((d) => d.language === 'mixed');
    const english = worked.filter((d) => d.language === 'en');
    expect(mixed.length / worked.length).toBeGreaterThan(0.35);
    expect(share((d) => d.correct, mixed)).toBeGreaterThan(share((d) => d.correct, english));
    const meanLc = worked.reduce((s, d) => s + lc(d.completion)!, 0) / worked.length;
    expect(meanLc).toBeLessThan(0.85);
    for (const d of mixed) expect(lc(d.completion)).toBeLessThan(1);
    // Nothing in the corpus is readable: the readable format comes from the cold start only.
    expect(docs.filter((d) => isReadable(d.completion))).toHaveLength(0);
    // General prompts answer without a chain of thought, in the R1 prompt.
    for (const d of docs.filter((x) => x.style === 'general')) {
      expect(d.prompt.startsWith('User: ')).toBe(true);
      expect(d.completion).not.toMatch(/<think>/);
    }
    expect(r1Prompt('Hi.')).toBe('User: Hi.\nAssistant:');
  });

  test('is deterministic in its seed', () => {
    expect(buildR1Corpus({ ...DEFAULT_R1_CORPUS_OPTIONS, count: 50 })).toEqual(
      buildR1Corpus({ ...DEFAULT_R1_CORPUS_OPTIONS, count: 50 }),
    );
    expect(buildR1Corpus({ ...DEFAULT_R1_CORPUS_OPTIONS, count: 50, seed: 1 })).not.toEqual(
      buildR1Corpus({ ...DEFAULT_R1_CORPUS_OPTIONS, count: 50 }),
    );
  });
});
