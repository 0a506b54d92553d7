/**
 * The verifier's fast paths (issue 17, "engine speed") against the slow paths they replace: each shortcut must give
 * exactly the result of the code it skips. The reference implementations below are the previous versions, kept
 * verbatim; table cases pin the edges and fast-check properties cover the rest.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { equivalentSpellings } from '../testing/index';
import { children, freeSymbols, hasFreeSymbols, type Node, someNode } from './ast';
import { type Complex, cAdd, cMul, cx } from './complex';
import { NO_VARIABLES, numericValue } from './evaluate';
import { extractCandidates, forEachCandidate, lastChain, lastPhrase } from './extract';
import { mathVerify, parseAnswer, verifyAnswer } from './math-verify';
import {
  comparableFromNormalized,
  comparableString,
  dropSpacingCommands,
  normalizeLatex,
  UNICODE,
  UNICODE_RE,
} from './normalize';
import { parseMath } from './parse';
import { rat, ratFromDecimal } from './rational';
import { findBoxed, findMath, matchBraces, type Span } from './scan';
import { tokenize } from './tokenize';

// ---------------------------------------------------------------- reference (previous) implementations

/** normalizeLatex before the guards: every pass runs. */
function referenceNormalize(input: string): string {
  let s = input;
  s = s.replace(/(?<!\\)\\\\(?=[a-zA-Z])(?!\\)/g, '\\');
  s = s.replace(UNICODE_RE, (c) => UNICODE[c] ?? c);
  s = s.replace(/(\d)\s?,\s?\\!\s?(?=\d{3}(?!\d))/g, '$1');
  s = s.replace(/(\d) ?\{ ?, ?\} ?(?=\d{3}(?!\d))/g, '$1');
  s = s.replace(/(\d) ?\{ ?, ?\} ?(?=\d)/g, '$1.');
  s = s.replace(/(\d)\\[,;:!](?=\d{3}(?!\d))/g, '$1');
  s = s.replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|\\degree|\^\s*\{\s*\\text\{\s*o\s*\}\s*\}/g, '');
  s = s.replace(/\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|big|Big|bigg|Bigg)(?![a-zA-Z])\.?/g, ' ');
  s = s.replace(/\\(?:displaystyle|textstyle|scriptstyle|limits|nolimits)(?![a-zA-Z])/g, ' ');
  s = s.replace(/\\q?quad/g, ' ');
  s = dropSpacingCommands(s);
  s = s.replace(/\\(?:[dtc]frac)(?![a-zA-Z])/g, '\\frac');
  s = s.replace(/\\(?:[dt]binom)(?![a-zA-Z])/g, '\\binom');
  s = s.replace(/\\\$/g, ' ');
  s = s.replace(/\\%/g, '%');
  s = s.replace(/[\s.,;:]+$/, '');
  return s.trim();
}

function referenceComparable(s: string): string {
  return referenceNormalize(s)
    .replace(/\\(?:text|textbf|mathrm|mbox|textnormal|boxed)\{/g, '{')
    .replace(/[\s{}$]/g, '');
}

function referenceLastPhrase(lower: string, phrases: string[]): { at: number; length: number } | null {
  let best = -1;
  let bestLen = 0;
  for (const p of phrases) {
    const k = lower.lastIndexOf(p);
    if (k > best) {
      best = k;
      bestLen = p.length;
    }
  }
  return best < 0 ? null : { at: best, length: bestLen };
}

function referenceLastChain(text: string, spans: Span[], gapOk: (gap: string) => boolean): string | null {
  const last = spans[spans.length - 1];
  if (last === undefined) return null;
  const parts = [last.text];
  let right = last;
  for (let k = spans.length - 2; k >= 0 && parts.length < 64; k--) {
    const left = spans[k] as Span;
    if (!gapOk(text.slice(left.end, right.start))) break;
    parts.unshift(left.text);
    right = left;
  }
  return parts.map((p) => p.trim()).join(', ');
}

function referenceSomeNodeOrder(root: Node): Node[] {
  const seen: Node[] = [];
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const n = stack.pop() as Node;
    seen.push(n);
    for (const c of children(n)) stack.push(c);
  }
  return seen;
}

// ---------------------------------------------------------------- generators

/** LaTeX-ish text built from the pieces every normalisation pass and guard looks for. */
const ATOMS = [
  '\\frac',
  '\\dfrac',
  '\\tfrac',
  '\\cfrac',
  'frac',
  '\\binom',
  '\\dbinom',
  '{',
  '}',
  '{,}',
  '{ , }',
  '1',
  '23',
  '456',
  ',',
  '\\!',
  '\\,',
  '\\;',
  '\\:',
  '\\ ',
  '.',
  ';',
  ':',
  ' ',
  '\n',
  '\t',
  '\u00a0',
  'x',
  '^',
  '\\circ',
  '^{\\circ}',
  '^\\circ',
  '\\degree',
  '^{\\text{o}}',
  '\\text{',
  '\\left(',
  '\\right)',
  '\\left.',
  '\\big',
  '\\Bigl',
  '\\biggr',
  '\\displaystyle',
  '\\textstyle',
  'style',
  '\\limits',
  '\\nolimits',
  '\\quad',
  '\\qquad',
  'quad',
  '\\$',
  '$',
  '\\%',
  '%',
  '\\\\',
  '\\\\\\\\',
  '\\',
  '−',
  '√',
  'π',
  '½',
  '°',
  '€',
  '≤',
  '\\mathrm{',
  '\\boxed{',
  '\\mbox{',
  'a',
];
const latexish = fc.array(fc.constantFrom(...ATOMS), { maxLength: 16 }).map((a) => a.join(''));

const PHRASE_BITS = ['final answer', ' is', ':', ' =', '####', 'the ', 'answer', 'solution is', 'result is', 'x', ' '];
const phrasey = fc.array(fc.constantFrom(...PHRASE_BITS), { maxLength: 14 }).map((a) => a.join(''));
const FINAL_PHRASES = ['final answer is', 'final answer:', 'final answer', '####'];
const ANSWER_PHRASES = ['the answer is', 'answer is', 'answer:', 'answer =', 'solution is', 'result is'];

const COMPLETION_BITS = [
  'The answer is ',
  'final answer: ',
  '\\boxed{3}',
  '\\boxed{\\frac{1}{2}}',
  '\\boxed 7',
  ' and ',
  ', ',
  'Wait, ',
  '$x = 2$',
  '$$4$$',
  '\\[5\\]',
  '\\(6\\)',
  '#### 12',
  '<answer>8</answer>',
  '42',
  '3.5',
  '. ',
  '\n',
  'so ',
  '{',
  '}',
];
const completion = fc.array(fc.constantFrom(...COMPLETION_BITS), { maxLength: 12 }).map((a) => a.join(''));

const EXTRACT_OPTIONS = [
  { latex: true, expr: true, boxedMatchPriority: 0, maxAnswerChars: 1000 },
  { latex: false, expr: true, boxedMatchPriority: 0, maxAnswerChars: 1000 },
  { latex: true, expr: true, boxedMatchPriority: 1, maxAnswerChars: 5 },
];

const PARSE = { plain: false, maxTokens: 1500, maxDepth: 60, maxDigits: 1000 };

// ---------------------------------------------------------------- tests

describe('normalizeLatex: the guarded passes give what running every pass gives', () => {
  test.each([
    '-5',
    'x^2+1',
    '\\dfrac{1}{2}',
    '10,\\!080',
    '1{,}000',
    '3{,}5',
    '90^{\\circ}',
    '\\left( 1, 2 \\right]',
    '\\$18.90',
    '50\\%',
    '\\\\frac{1}{2}',
    '√2 · π',
    'x\\ ',
    '5 .',
    ' ; ',
    '',
    '\u00a0\u00a07.\u00a0',
    '\\displaystyle\\sum\\limits_{k}',
    '1\\,000\\,000',
  ])('%j', (s) => {
    expect(normalizeLatex(s)).toBe(referenceNormalize(s));
    expect(comparableString(s)).toBe(referenceComparable(s));
  });

  test('property: any text of LaTeX pieces normalises as before', () => {
    fc.assert(
      fc.property(fc.oneof(latexish, fc.string({ maxLength: 30 })), (s) => {
        expect(normalizeLatex(s)).toBe(referenceNormalize(s));
        expect(comparableString(s)).toBe(referenceComparable(s));
        expect(comparableFromNormalized(normalizeLatex(s))).toBe(comparableString(s));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('lastPhrase: the anchored search finds what lastIndexOf of every phrase finds', () => {
  test.each([
    ['the final answer is 3', 0],
    ['final answer: 2. so the final answer 5', 0],
    ['#### 4 then final answer is 3', 0],
    ['final answer is 3 #### 4', 0],
    ['the answer is 3; answer: 4', 1],
    ['answer = 2 and the answer is 3', 1],
    ['the result is 3 and the solution is 2', 1],
    ['no phrase here', 1],
    ['answer', 1],
    ['', 0],
  ] as const)('%j', (text, list) => {
    const phrases = list === 0 ? FINAL_PHRASES : ANSWER_PHRASES;
    const anchor = list === 0 ? 'final answer' : 'answer';
    expect(lastPhrase(text, phrases, anchor)).toEqual(referenceLastPhrase(text, phrases));
  });

  test('property: any text, the verifier phrase lists and random ones', () => {
    fc.assert(
      fc.property(
        phrasey,
        fc.oneof(
          fc.constant([FINAL_PHRASES, 'final answer'] as const),
          fc.constant([ANSWER_PHRASES, 'answer'] as const),
          fc.tuple(fc.array(phrasey, { minLength: 1, maxLength: 5 }), fc.constantFrom('answer', 'is', ' ', '')),
        ),
        (text, [phrases, anchor]) => {
          expect(lastPhrase(text, [...phrases], anchor)).toEqual(referenceLastPhrase(text, [...phrases]));
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('candidate extraction', () => {
  test('lastChain joins the same spans as before (64 at most, gaps checked right to left)', () => {
    const many = Array.from({ length: 70 }, (_, k) => `$${k}$`).join(' and ');
    const short = (gap: string) => gap.length < 6;
    expect(lastChain(many, findMath(many), short)).toBe(referenceLastChain(many, findMath(many), short));
    expect(lastChain(many, findMath(many), short)?.split(', ')).toHaveLength(64);
    expect(lastChain('', [], short)).toBeNull();
    fc.assert(
      fc.property(completion, fc.integer({ min: 0, max: 12 }), (text, width) => {
        const gapOk = (gap: string) => gap.length <= width;
        for (const spans of [findMath(text), findBoxed(text)])
          expect(lastChain(text, spans, gapOk)).toBe(referenceLastChain(text, spans, gapOk));
      }),
      { numRuns: 2000 },
    );
  });

  test('forEachCandidate visits the candidates of extractCandidates in order and stops when told', () => {
    expect(extractCandidates('The answer is $\\boxed{3}$, not 4.', EXTRACT_OPTIONS[0]!).map((c) => c.source)).toEqual([
      'boxed',
      'answer_phrase',
      'answer_phrase',
      'last_number', // the 4 comes after the last math environment
      'math_env',
    ]);
    fc.assert(
      fc.property(completion, fc.constantFrom(...EXTRACT_OPTIONS), fc.nat(8), (text, o, stopAt) => {
        const all = extractCandidates(text, o);
        const seen: unknown[] = [];
        forEachCandidate(text, o, (c) => {
          seen.push(c);
          return seen.length > stopAt;
        });
        expect(seen).toEqual(all.slice(0, stopAt + 1));
      }),
      { numRuns: 2000 },
    );
  });

  test('matchBraces from a \\boxed matches the braces after it as the whole-text scan does', () => {
    const s = '{ \\\\boxed{1{2}} } \\boxed{\\{} {';
    const from = s.indexOf('\\boxed');
    const whole = matchBraces(s);
    const part = matchBraces(s, from);
    for (let i = from; i < s.length; i++) expect(part[i - from]).toBe(whole[i]);
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('{', '}', '\\', '\\boxed', 'x', '\\{', '\\}'), { maxLength: 30 }),
        (bits) => {
          const text = bits.join('');
          for (let at = text.indexOf('\\boxed'); at >= 0; at = text.indexOf('\\boxed', at + 1)) {
            const all = matchBraces(text);
            const tail = matchBraces(text, at);
            for (let i = at; i < text.length; i++) expect(tail[i - at]).toBe(all[i]);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('exact numbers', () => {
  test('plain integers take the fast path to the same rational as the general path', () => {
    for (const t of ['0', '7', '007', '123456789012345', '999999999999999'])
      expect(ratFromDecimal(t, 1000)).toEqual(ratFromDecimal(`${t}e0`, 1000));
    expect(ratFromDecimal('1234567890123456', 1000)).toEqual({ n: 1234567890123456n, d: 1n });
    expect(ratFromDecimal('12345', 20)).toEqual({ n: 12345n, d: 1n });
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,15}$/), fc.integer({ min: 16, max: 2000 }), (t, maxDigits) => {
        expect(ratFromDecimal(t, maxDigits)).toEqual(ratFromDecimal(`${t}e0`, maxDigits));
      }),
    );
  });

  test('rat: values up to 2^53 in magnitude fit without measuring them (same result as measuring)', () => {
    const edge = 2n ** 53n;
    for (const n of [edge, -edge, edge + 1n, 10n ** 17n, 0n]) expect(rat(n, 3n, 16)).toEqual(rat(n * 2n, 6n, 16));
    expect(rat(10n ** 40n, 1n, 20)).toBeNull();
    fc.assert(
      fc.property(fc.bigInt({ min: -edge, max: edge }), fc.bigInt({ min: 1n, max: edge }), (n, d) => {
        const r = rat(n, d, 16);
        expect(r).not.toBeNull();
        expect(r!.n * d).toBe(n * r!.d);
      }),
    );
  });
});

describe('tokens and trees', () => {
  test.each([
    ['a<=b', '≤'],
    ['a=<b', '≤'],
    ['a>=b', '≥'],
    ['a=>b', '≥'],
    ['a!=b', '≠'],
    ['a<>b', '≠'],
    ['a==b', '='],
    ['a**b', '^'],
    ['a+-b', '±'],
  ])('two-character operator %s', (s, op) => {
    expect(tokenize(s, { plain: true, maxTokens: 100 })?.map((t) => t.v)).toEqual(['a', op, 'b']);
  });

  test('whitespace by character code: tab, newline, \\v, \\f, \\r, space, ~ and $ separate tokens; others do not', () => {
    const toks = tokenize('1\t2\n3\v4\f5\r6 7~8$9\u00a0x\u0008y', { plain: false, maxTokens: 100 });
    expect(toks?.map((t) => [t.v, t.sp])).toEqual([
      ['1', false],
      ['2', true],
      ['3', true],
      ['4', true],
      ['5', true],
      ['6', true],
      ['7', true],
      ['8', true],
      ['9', true],
      ['\u00a0', false],
      ['x', false],
      ['\u0008', false],
      ['y', false],
    ]);
    expect(tokenize('aZ09', { plain: false, maxTokens: 100 })?.map((t) => [t.t, t.v])).toEqual([
      ['word', 'aZ'],
      ['num', '09'],
    ]);
    expect(tokenize('@[`{', { plain: false, maxTokens: 100 })?.map((t) => t.t)).toEqual(['op', 'open', 'op', 'open']);
  });

  test('single operators and a trailing one stay single', () => {
    expect(tokenize('a<b=', { plain: true, maxTokens: 100 })?.map((t) => t.v)).toEqual(['a', '<', 'b', '=']);
    expect(tokenize('5!', { plain: false, maxTokens: 100 })?.map((t) => t.v)).toEqual(['5', '!']);
  });

  test('parse failures come back as reasons', () => {
    expect(parseMath('(1', PARSE)).toEqual({ ok: false, reason: 'unexpected end of answer' });
    expect(parseMath('1 )', PARSE)).toEqual({ ok: false, reason: "unexpected ')'" });
    expect(parseMath(`${'('.repeat(100)}1${')'.repeat(100)}`, PARSE)).toEqual({
      ok: false,
      reason: 'nesting deeper than 60',
    });
  });

  test('property: someNode walks in the order of children(); hasFreeSymbols agrees with freeSymbols', () => {
    fc.assert(
      fc.property(fc.oneof(latexish, completion), (s) => {
        const r = parseMath(normalizeLatex(s), PARSE);
        if (!r.ok) return;
        const order: Node[] = [];
        someNode(r.node, (n) => {
          order.push(n);
          return false;
        });
        expect(order).toEqual(referenceSomeNodeOrder(r.node));
        expect(hasFreeSymbols(r.node)).toBe(freeSymbols(r.node).size > 0);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('numeric evaluation', () => {
  const bounds = { maxDigits: 1000, maxExponent: 1000 };
  const part = fc.oneof(
    fc.double(),
    fc.constantFrom(0, -0, 1, -1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  );
  const complexes = fc.array(fc.tuple(part, fc.oneof(fc.constant(0), fc.constant(-0), part)), { maxLength: 6 });
  const same = (a: Complex, b: Complex) => Object.is(a.re, b.re) && Object.is(a.im, b.im);

  test('sums and products accumulated in locals equal folding cAdd from 0 / cMul from 1, -0 and NaN included', () => {
    expect(numericValue({ kind: 'add', terms: [] }, NO_VARIABLES, bounds)).toEqual(cx(0));
    expect(numericValue({ kind: 'mul', factors: [] }, NO_VARIABLES, bounds)).toEqual(cx(1));
    fc.assert(
      fc.property(complexes, (values) => {
        const env = new Map(values.map(([re, im], k) => [`v${k}`, { re, im }] as const));
        const syms: Node[] = values.map((_, k) => ({ kind: 'sym', name: `v${k}` }));
        const sum = numericValue({ kind: 'add', terms: syms }, env, bounds);
        const product = numericValue({ kind: 'mul', factors: syms }, env, bounds);
        const cs = [...env.values()];
        expect(same(sum, cs.reduce(cAdd, cx(0)))).toBe(true);
        expect(same(product, cs.reduce(cMul, cx(1)))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('mathVerify reuses the normalised answer for the same-string shortcut', () => {
  test('property: mathVerify agrees with verifyAnswer of the parsed answers (which normalises again)', () => {
    const agree = (gold: string, pred: string) => {
      const g = parseAnswer(gold);
      const p = parseAnswer(pred);
      if (g === null || p === null) return;
      expect(mathVerify(gold, pred).correct).toBe(verifyAnswer(g, p));
    };
    for (const [g, p] of [
      ['\\text{(A)}', '\\mathrm{(A)}'],
      [' x\\ ', 'x'],
      ['1{,}000', '1000'],
    ])
      agree(g as string, p as string);
    fc.assert(
      fc.property(fc.oneof(latexish, completion), fc.oneof(latexish, completion), (a, b) => {
        agree(a, b);
        agree(a, a);
      }),
      { numRuns: 1500 },
    );
    fc.assert(
      fc.property(equivalentSpellings, ({ spellings }) => {
        for (const s of spellings) agree(spellings[0] as string, s);
      }),
      { numRuns: 200 },
    );
  });
});
