import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { anyCompletion, HOSTILE, EXAMPLE_SAMPLE as sample } from '../testing/index';
import { createLanguageConsistencyReward, languageConsistencyReward } from './language-consistency';

const zh = createLanguageConsistencyReward({ target: 'zh' });
const think = (r: string) => `<think>${r}</think><answer>4</answer>`;

describe('languageConsistencyReward', () => {
  test.each<[string, number, number]>([
    [think('We add two and two to get four'), 1, 0],
    [think('我们把二和二相加'), 0, 1],
    [think('We 计算 it'), 2 / 4, 2 / 4],
    [think('Let $x = \\frac{a}{b}$ so x equals one'), 1, 0], // math ignored, single letters neutral
    [think('设 $x = \\frac{a}{b}$，所以 x 等于一'), 0, 1],
    [think('用 `numpy.array` 计算'), 0, 1], // code ignored
    [think('2 + 2 = 4'), 1, 1], // no words: nothing is in the wrong language
    [think(''), 1, 1],
    [think('Это ответ'), 0, 0],
  ])('%j → en %d, zh %d', (completion, en, zhScore) => {
    expect(languageConsistencyReward(completion, sample)).toBeCloseTo(en, 12);
    expect(zh(completion, sample)).toBeCloseTo(zhScore, 12);
  });

  test('only the reasoning counts; the whole completion when there is none', () => {
    expect(languageConsistencyReward(`${think('all english here')} 中文 中文 中文`, sample)).toBe(1);
    expect(languageConsistencyReward('english 中文', sample)).toBeCloseTo(1 / 3, 12);
    // The tags are markup, not English words.
    expect(createLanguageConsistencyReward({ format: null })(`${think('english')}中文`, sample)).toBeCloseTo(1 / 3, 12);
    expect(createLanguageConsistencyReward({ format: 'think' })('中文思考</think>English summary', sample)).toBe(0);
  });

  test('math and code can be counted when asked', () => {
    const counting = createLanguageConsistencyReward({ target: 'zh', skipMath: false, skipCode: false });
    expect(counting(think('计算 $\\sqrt{ab}$'), sample)).toBe(2 / 3);
  });

  test.each<[object, RegExp]>([
    [{ target: 'fr' }, /'target' must be one of en, zh/],
    [{ format: 'xml' }, /unknown format 'xml'/],
    [{ minWordLength: 0 }, /'minWordLength' must be a number in \[1, 1000\]/],
    [{ language: 'en' }, /unknown option 'language'/],
  ])('bad options %j', (options, message) => {
    expect(() => createLanguageConsistencyReward(options)).toThrow(message);
  });

  test.each(HOSTILE)('hostile input (%s, 100 KB) returns a score', (_name, text) => {
    for (const reward of [languageConsistencyReward, zh]) {
      const v = reward(text, sample)!;
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  test('property: in [0, 1]; with only Latin and Han words, en + zh = 1', () => {
    fc.assert(
      fc.property(anyCompletion, (completion) => {
        const en = languageConsistencyReward(completion, sample)!;
        const z = zh(completion, sample)!;
        expect(en).toBeGreaterThanOrEqual(0);
        expect(en).toBeLessThanOrEqual(1);
        expect(z).toBeGreaterThanOrEqual(0);
        expect(z).toBeLessThanOrEqual(1);
      }),
    );
    const word = fc.constantFrom('alpha', 'beta', '中', '文', 'gamma');
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 20 }), (ws) => {
        const completion = think(ws.join(' '));
        expect(languageConsistencyReward(completion, sample)! + zh(completion, sample)!).toBeCloseTo(1, 12);
      }),
    );
  });
});
