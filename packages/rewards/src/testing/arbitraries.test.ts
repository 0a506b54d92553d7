/**
 * The kit's arbitraries tell the truth: what they say about a completion (well-formed, its answer right or wrong,
 * its defect, its language share, its equation's value) is what this package's own rewards and verifier find.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { accuracyReward } from '../rewards/accuracy';
import { countdownReward } from '../rewards/countdown';
import { evaluateEquation } from '../rewards/countdown-equation';
import { createFormatReward } from '../rewards/format';
import { createLanguageConsistencyReward } from '../rewards/language-consistency';
import { mathVerify } from '../verify/math-verify';
import {
  COMPLETION_LAYOUTS,
  countdownCases,
  countdownEquation,
  EXAMPLE_SAMPLE,
  equivalentSpellings,
  HOSTILE,
  HOSTILE_CHARS,
  HOSTILE_KINDS,
  hostileString,
  malformedCompletion,
  mathCases,
  multilingualReasoning,
  wellFormedCompletion,
  writeCompletion,
  wrongValuesOf,
} from './index';

describe('completions', () => {
  test.each(COMPLETION_LAYOUTS)(
    '%s: well-formed completions score full format, and accuracy iff the answer is right',
    (layout) => {
      const format = createFormatReward({ format: layout });
      fc.assert(
        fc.property(wellFormedCompletion(layout), ({ completion, sample, correct }) => {
          expect(format(completion, sample)).toBe(1);
          expect(accuracyReward(completion, sample)).toBe(correct ? 1 : 0);
        }),
      );
    },
  );

  test.each(COMPLETION_LAYOUTS)('%s: malformed completions score 0 format', (layout) => {
    const format = createFormatReward({ format: layout });
    fc.assert(
      fc.property(malformedCompletion(layout), ({ completion, sample, defect }) => {
        expect(format(completion, sample), defect).toBe(0);
      }),
    );
  });

  test('writeCompletion writes the three layouts', () => {
    expect(writeCompletion('r1-zero', 'r', ['4'])).toBe('<think>r</think><answer>4</answer>');
    expect(writeCompletion('r1-zero', 'r', ['4', '5'])).toBe('<think>r</think><answer>4</answer><answer>5</answer>');
    expect(writeCompletion('r1', 'r', ['4'])).toBe('<think>r</think>The answer is $\\boxed{4}$.');
    expect(writeCompletion('think', 'r', ['4'])).toBe('r</think>The answer is $\\boxed{4}$.');
    expect(() => writeCompletion('xml' as never, 'r', [])).toThrow(/unknown layout "xml"/);
    expect(EXAMPLE_SAMPLE.answer).toBe('4');
  });
});

describe('math answers', () => {
  // That every pair of spellings verifies, and every wrong value does not, is the verifier's property test
  // (verify/math-verify.test.ts); here, what the arbitraries promise about their values.
  test('wrong values differ from the value', () => {
    fc.assert(
      fc.property(equivalentSpellings, ({ numerator, denominator }) => {
        for (const [n, d] of wrongValuesOf(numerator, denominator))
          expect(n * denominator === numerator * d).toBe(false);
      }),
    );
  });

  test('near misses include the right answer as a substring (18 → 180, 118)', () => {
    expect(wrongValuesOf(18, 1)).toEqual(
      expect.arrayContaining([
        [180, 1],
        [118, 1],
      ]),
    );
  });

  test('math cases: the right answer verifies against the gold, the wrong one does not', () => {
    fc.assert(
      fc.property(mathCases, ({ sample, correct, wrong }) => {
        expect(mathVerify(sample.answer!, `<answer>${correct}</answer>`).correct).toBe(true);
        expect(mathVerify(sample.answer!, `<answer>${wrong}</answer>`).correct).toBe(false);
      }),
    );
  });
});

describe('multilingual reasoning', () => {
  test.each(['en', 'zh'] as const)('the known %s share is what languageConsistencyReward finds', (target) => {
    const onText = createLanguageConsistencyReward({ target, format: null });
    const inThink = createLanguageConsistencyReward({ target });
    fc.assert(
      fc.property(multilingualReasoning, (m) => {
        const share = target === 'en' ? m.enShare : m.zhShare;
        expect(onText(m.text, EXAMPLE_SAMPLE)).toBeCloseTo(share, 12);
        expect(inThink(writeCompletion('r1-zero', m.text, ['4']), EXAMPLE_SAMPLE)).toBeCloseTo(share, 12);
      }),
    );
  });
});

describe('countdown', () => {
  test('the equation reaches the target with every number once; the wrong one does not', () => {
    fc.assert(
      fc.property(countdownEquation, (e) => {
        const sample = { prompt: 'p', meta: { numbers: e.numbers, target: e.target } };
        expect(countdownReward(`<think>r</think><answer>${e.equation}</answer>`, sample)).toBe(1);
        expect(countdownReward(`<think>r</think><answer>${e.wrongEquation}</answer>`, sample)).toBe(0);
        expect(evaluateEquation(e.wrongEquation).kind).toBe('ok');
      }),
    );
  });

  test('countdown cases carry numbers and target in meta', () => {
    fc.assert(
      fc.property(countdownCases, ({ sample, correct }) => {
        expect(countdownReward(writeCompletion('r1-zero', 'r', [correct]), sample)).toBe(1);
      }),
    );
  });
});

describe('hostile strings', () => {
  test('every family has a unique name and builds about the size asked for', () => {
    expect(new Set(HOSTILE_KINDS.map((k) => k.name)).size).toBe(HOSTILE_KINDS.length);
    for (const [name, text] of HOSTILE) {
      expect(Math.abs(text.length - HOSTILE_CHARS), name).toBeLessThan(64);
    }
  });

  test('hostileString stays under its bound', () => {
    fc.assert(fc.property(hostileString(500), (s) => s.length <= 600));
  });
});
