import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { equivalentSpellings, spellingsOf, wrongValuesOf } from '../testing/index';
import { mathVerify, parseAnswer, verifyAnswer } from './math-verify';

// [gold, prediction, expected]: one row per capability in the feature list.
const CASES: [string, string, boolean][] = [
  // numbers
  ['7425000', '7,425,000', true],
  ['0.4', '.4', true],
  ['1000', 'The total is 1000.0 dollars', true],
  ['1.5e-3', '0.0015', true],
  ['0.0015', 'The answer is 1.5e-3', true],
  ['\\frac{7}{2}', '3\\frac{1}{2}', true],
  ['137 \\frac{1}{2}', '137.5', true],
  ['\\frac{1}{2}', '50\\%', true],
  ['28\\%', 'a total loss of $\\boxed{28}$', true],
  ['28\\%', '0.28', true],
  ['1000.99', 'so the number is 1,000.99€', true],
  ['1,22', '1.22', false], // LaTeX gold "1,22" is the list {1, 22}
  ['58,500', '\\boxed{58500}', true],
  ['10,\\!080', '\\boxed{10080}', true],
  ['2', 'AZYUK2A', false],
  // units, currency, text, degrees
  ['\\$18.90', 'It costs $\\boxed{\\$18.90}$', true],
  ['125', '$\\boxed{125\\textnormal{ miles}}$', true],
  ['15\\mbox{ cm}^2', '\\boxed{15}', true],
  ['90^\\circ', '\\boxed{90}', true],
  ['30^\\circ', 'The angle is $30°$.', true],
  ['\\text{Evelyn}', '\\boxed{\\text{Evelyn}}', true],
  ['\\text{(C)}', 'The answer is \\boxed{C}', true],
  ['\\text{(C)}', '\\boxed{D}', false],
  // LaTeX forms
  ['\\frac{1}{3}', '\\dfrac13', true],
  ['\\sqrt{3}', '\\sqrt3', true],
  ['2', '\\sqrt[3]{8}', true],
  ['3\\sqrt{13}', '\\sqrt{117}', true],
  ['\\frac{9}{4}\\pi', '\\frac94\\pi', true],
  ['6', '2 \\cdot 3', true],
  ['6', '2 \\times 3', true],
  ['\\frac{1}{12}', '0.0833333333', true],
  ['\\frac{1}{3}', '\\left( \\frac{1}{3} \\right)', true],
  ['\\infty', '\\boxed{\\infty}', true],
  ['2', '\\binom{4}{2}', false],
  ['6', '\\binom{4}{2}', true],
  // sets, intervals, tuples, matrices
  ['(-\\infty, 2) \\cup (3, \\infty)', '\\boxed{(3,\\infty)\\cup(-\\infty,2)}', true],
  ['[0,1)', '$(0,1)$', false],
  ['(1, 3)', '\\boxed{[1, 3]}', false],
  ['\\{1, 2, 3\\}', '\\boxed{3, 2, 1}', true],
  ['1, 2, 3', '\\boxed{1, 2}', false],
  ['\\left( 3, \\frac{\\pi}{2} \\right)', '\\boxed{(3, \\pi/2)}', true],
  ['(3, \\frac{\\pi}{2})', '\\boxed{(\\frac{\\pi}{2}, 3)}', false],
  [
    '\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}',
    '\\boxed{\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}}',
    true,
  ],
  [
    '\\begin{pmatrix} -1/3 \\\\ 2/3 \\end{pmatrix}',
    '\\boxed{\\begin{pmatrix} -\\frac{1}{3} \\\\ \\frac{2}{3} \\end{pmatrix}}',
    true,
  ],
  [
    '\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}',
    '\\boxed{\\begin{pmatrix} 1 & 2 \\\\ 3 & 5 \\end{pmatrix}}',
    false,
  ],
  // equations, assignments, relations
  ['x = 3', '\\boxed{3}', true],
  ['3', '\\boxed{x = 3}', true],
  ['a + 3z = 0', '\\boxed{0}', false],
  ['y = 2x + 3', '\\boxed{2x - y + 3 = 0}', true],
  ['y = 2x + 3', '\\boxed{y = 3x + 2}', false],
  ['x \\le 5', '\\boxed{5 \\ge x}', true],
  ['x < 1', '\\boxed{-x > -1}', true],
  ['x < 1', '\\boxed{x > -1}', false],
  ['x \\neq 3', '$x != 3$', true],
  ['-2 \\le x \\le 7', '$x \\in [-2, 7]$', true],
  ['x \\in [-2,7]', '\\boxed{[-2, 7]}', true],
  // complex numbers
  ['6 - 5i', '\\boxed{-5i + 6}', true],
  ['1+274i', '\\boxed{1 + 274 i}', true],
  ['6 - 5i', '\\boxed{6 + 5i}', false],
  // symbolic
  ['\\frac{x+2}{7}', '\\frac{x}{7}+\\frac{2}{7}', true],
  ['(a+5)(b+2)', '\\boxed{ab + 2a + 5b + 10}', true],
  ['x^8 + x^7 + x^6 + x^5 + x^4 + x^3 + x^2 + x + 1', '\\boxed{\\frac{x^9 - 1}{x - 1}}', true],
  ['\\tan^2(y)+1', '\\sec^2(y)', true],
  ['2 \\sin b \\cos a', '\\boxed{\\sin(a+b) - \\sin(a-b)}', true],
  ['p - q', '\\boxed{q - p}', false],
  ['1 \\pm \\sqrt{19}', '\\boxed{1 + \\sqrt{19}, 1 - \\sqrt{19}}', true],
  ['\\pm 2021', '\\boxed{2021}', false],
  // extraction
  ['18', 'Janet sells 9 eggs for $2 each.\n#### 18', true],
  ['18', '<think>It might be \\boxed{17}.</think>\nThe answer is $18$.', true],
  // once the reasoning is closed, only the final part counts: an empty final answer does not fall back to the reasoning
  ['18', 'Could it be 18?</think>\n\nThe answer is $\\boxed{}$.', false],
  ['18', '<think>It is \\boxed{18}.</think>\nI am not sure.', false],
  ['18', 'It is \\boxed{18}.</think>', true],
  ['18', 'reasoning...\n<answer>\n18\n</answer>', true],
  ['5', 'So \\boxed{3}. Wait, that is wrong; recomputing gives \\boxed{5}.', true],
  ['10455', 'We get $\\boxed{255}$ interest. Final Answer: The final answer is $10,455$. I hope it is correct.', true],
];

describe('mathVerify worked cases', () => {
  test.each(CASES)('gold %j vs %j → %j', (gold, pred, expected) => {
    expect(mathVerify(gold, pred).correct).toBe(expected);
  });
});

describe('options', () => {
  test('precision rounds both sides when a decimal is involved', () => {
    expect(mathVerify('\\frac{1}{3}', '0.3333', { precision: 4 }).correct).toBe(true);
    expect(mathVerify('\\frac{1}{3}', '0.3333').correct).toBe(false);
  });
  test('strict=false matches variables up by order', () => {
    expect(mathVerify('$f(x)$', '$f(y)$').correct).toBe(false);
    expect(mathVerify('$f(x)$', '$f(y)$', { strict: false }).correct).toBe(true);
  });
  test('allowSetRelationComp lets a gold interval accept an inequality', () => {
    expect(mathVerify('$x \\in [-2,7]$', '$-2 \\le x \\le 7$').correct).toBe(false);
    expect(mathVerify('$x \\in [-2,7]$', '$-2 \\le x \\le 7$', { allowSetRelationComp: true }).correct).toBe(true);
  });
  test('boxedMatchPriority > 0 puts "final answer is" first', () => {
    const text = 'Final answer is $3$. Later: \\boxed{4}';
    expect(mathVerify('4', text).correct).toBe(true);
    expect(mathVerify('3', text, { boxedMatchPriority: 55 }).correct).toBe(true);
  });
  test('matchTypes string extracts choice letters', () => {
    expect(parseAnswer('The answer is (B).', { matchTypes: ['string'] })?.normalized).toBe('b');
    expect(mathVerify('B', 'I pick option B.', { matchTypes: ['string'] }).correct).toBe(true);
  });
  test('bad options throw with a fix in the message', () => {
    expect(() => mathVerify('1', '1', { precison: 3 } as never)).toThrow(/unknown option 'precison'/);
    expect(() => mathVerify('1', '1', { precision: -1 })).toThrow(/precision must be an integer in \[0, 15\]/);
  });
});

describe('results carry extraction and reasons', () => {
  test('gold that cannot be parsed is reported as such, not as a wrong answer', () => {
    const r = mathVerify('', '\\boxed{3}');
    expect(r).toMatchObject({ correct: false, status: 'gold_unparsable' });
  });
  test('no answer in the prediction', () => {
    const r = mathVerify('3', 'I do not know.');
    expect(r).toMatchObject({ correct: false, extracted: null, status: 'no_answer' });
  });
  test('extracted is the prediction answer as written', () => {
    expect(mathVerify('\\frac{1}{2}', 'so $\\boxed{\\dfrac{1}{2}}$').extracted).toBe('\\dfrac{1}{2}');
  });
  test('verifyAnswer is gold-guided (asymmetric)', () => {
    const gold = parseAnswer('$a + 3z = 0$');
    const pred = parseAnswer('$0$');
    expect(gold && pred && verifyAnswer(gold, pred)).toBe(false);
    const g2 = parseAnswer('$0$');
    const p2 = parseAnswer('$a + 3z = 0$');
    expect(g2 && p2 && verifyAnswer(g2, p2)).toBe(true);
  });
});

describe('edge cases and hostile input (behaviour only; time bars live in verify.bench.ts)', () => {
  test.each([
    ['power tower', '5^{5^{5^{5^5}}}'],
    ['huge integer power', '\\boxed{2^{10000000}}'],
    ['deep nesting', `\\boxed{${'{'.repeat(5000)}1${'}'.repeat(5000)}}`],
    ['unclosed boxes', '\\boxed{'.repeat(10000)],
    ['long digits', `\\boxed{${'9'.repeat(50000)}}`],
    ['many dollars', '$'.repeat(20000)],
    ['repeated tags', '<answer>'.repeat(5000)],
    ['factorial tower', '\\boxed{((100!)!)!}'],
  ])('%s returns a result', (_name, text) => {
    const r = mathVerify('5', text);
    expect(typeof r.correct).toBe('boolean');
    const g = mathVerify(text, '5');
    expect(typeof g.correct).toBe('boolean');
  });
  test('a power tower equals itself but never a small number', () => {
    expect(mathVerify('5', '\\boxed{5^{5^{5^{5^5}}}}').correct).toBe(false);
    expect(mathVerify('1', '\\boxed{1^{5^{5^{5^5}}}}').correct).toBe(true);
  });
  test('non-string input does not throw', () => {
    expect(mathVerify(3 as unknown as string, null as unknown as string).correct).toBe(false);
  });
  test('an empty answer never matches', () => {
    expect(mathVerify('3', '\\boxed{}').correct).toBe(false);
    expect(mathVerify('3', '<answer></answer>').correct).toBe(false);
  });
  test('an "A or B" answer list does not match a single gold value', () => {
    expect(mathVerify('3', '\\boxed{3 \\text{ or } 4}').correct).toBe(false);
  });
});

// --- fast-check properties -------------------------------------------------------------------

interface Expr {
  latex: string;
  plain: string;
}

const leaf: fc.Arbitrary<Expr> = fc.oneof(
  fc.integer({ min: 0, max: 99 }).map((n) => ({ latex: String(n), plain: String(n) })),
  fc.constantFrom('x', 'y', 'a').map((v) => ({ latex: v, plain: v })),
  fc.constant({ latex: '\\pi', plain: 'pi' }),
);

const expr: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc
      .tuple(tie('e'), tie('e'))
      .map(([a, b]) => ({ latex: `(${a.latex}) + (${b.latex})`, plain: `(${a.plain})+(${b.plain})` })),
    fc
      .tuple(tie('e'), tie('e'))
      .map(([a, b]) => ({ latex: `(${a.latex}) \\cdot (${b.latex})`, plain: `(${a.plain})*(${b.plain})` })),
    fc
      .tuple(tie('e'), tie('e'))
      .map(([a, b]) => ({ latex: `\\frac{${a.latex}}{${b.latex}}`, plain: `(${a.plain})/(${b.plain})` })),
    fc
      .tuple(tie('e'), fc.integer({ min: 0, max: 3 }))
      .map(([a, k]) => ({ latex: `(${a.latex})^{${k}}`, plain: `(${a.plain})^(${k})` })),
    tie('e').map((a) => ({ latex: `\\sqrt{${a.latex}}`, plain: `sqrt(${a.plain})` })),
    tie('e').map((a) => ({ latex: `-(${a.latex})`, plain: `-(${a.plain})` })),
  ),
})).e;

describe('properties', () => {
  test('verifyAnswer(x, x) holds for generated numbers', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: -1e9, max: 1e9 }).map(String),
          fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((d) => d.toFixed(4)),
        ),
        (s) => {
          const a = parseAnswer(s);
          expect(a).not.toBeNull();
          expect(verifyAnswer(a as never, a as never)).toBe(true);
        },
      ),
    );
  });

  test('verifyAnswer(x, x) holds for generated expressions, and LaTeX equals its plain-text rendering', () => {
    fc.assert(
      fc.property(expr, (e) => {
        const a = parseAnswer(`$${e.latex}$`);
        expect(a).not.toBeNull();
        expect(verifyAnswer(a as never, a as never)).toBe(true);
        expect(mathVerify(`$${e.latex}$`, `The answer is $${e.plain}$.`).correct).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('formatting variants of one value are equivalent (the spellings of @r1/rewards/testing)', () => {
    fc.assert(
      fc.property(equivalentSpellings, ({ spellings }) => {
        for (const g of spellings) {
          for (const p of spellings) {
            for (const text of [`so the answer is $\\boxed{${p}}$`, `<answer> ${p} </answer>`]) {
              expect(mathVerify(g, text).correct, `${g} vs ${text}`).toBe(true);
            }
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  test('known different values never verify, in any spelling (near misses such as 18 vs 180 and 118 included)', () => {
    fc.assert(
      fc.property(equivalentSpellings, ({ numerator, denominator, spellings }) => {
        for (const [n, d] of wrongValuesOf(numerator, denominator)) {
          for (const wrong of spellingsOf(n, d)) {
            expect(mathVerify(spellings[0]!, `<answer>${wrong}</answer>`).correct, `${spellings[0]} vs ${wrong}`).toBe(
              false,
            );
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  test('different integers never verify', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: -1e6, max: 1e6 }), (a, b) => {
        expect(mathVerify(String(a), `The answer is \\boxed{${b}}.`).correct).toBe(a === b);
      }),
    );
  });

  test('hostile generated strings return (no throw, no hang)', () => {
    const pieces = [
      '\\boxed{',
      '{',
      '}',
      '^',
      '5',
      '\\frac',
      '$',
      '$$',
      '\\sqrt[',
      '(',
      ')',
      '[',
      '<answer>',
      '</answer>',
      ' ',
      '\\left',
      '9999999',
      '!',
      '\\\\',
      '&',
      '\\begin{pmatrix}',
      '\\end{pmatrix}',
      '=',
      ',',
      '\\pm',
      'x',
      '\\text{',
      '%',
    ];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...pieces), { maxLength: 3000 }),
        fc.constantFrom('5', '\\frac{1}{2}', 'x^2'),
        (parts, gold) => {
          const text = parts.join('');
          expect(typeof mathVerify(gold, text).correct).toBe('boolean');
          expect(typeof mathVerify(text, gold).correct).toBe('boolean');
        },
      ),
      { numRuns: 150 },
    );
  });
});
