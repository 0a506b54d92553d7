/**
 * Math answers with known values: one value in many spellings that the verifier's normaliser maps together
 * (`\dfrac`/`\tfrac`, `a/b`, decimals, percent, thousands separators `1{,}000` / `1,\!000`, `\text{}`, `\mathrm{}`,
 * degrees, currency, unicode minus, `\left( … \right)`, `\displaystyle`), and wrong answers whose values are known to
 * differ — including near misses that contain the right answer as a substring (18 → 180, 118), which is what
 * substring matching gets wrong. The spellings are checked against `mathVerify` pairwise in this package's tests.
 */

import fc from 'fast-check';
import type { Sample } from '../types';

/** One rational value n/d and equivalent spellings of it. */
export interface MathValue {
  /** Numerator (any sign) and positive denominator, in lowest terms. */
  numerator: number;
  denominator: number;
  /** Ways to write the value; every pair verifies as equal. */
  spellings: string[];
}

/** A problem with a known answer, the unit every answer-aware law is built from. */
export interface LawCase {
  sample: Sample;
  /** A right answer, spelled as a model might (not necessarily as the gold answer is). */
  correct: string;
  /** An answer that is wrong for this sample. */
  wrong: string;
}

const DENOMINATORS = [1, 1, 1, 2, 4, 5, 8, 10, 16, 20, 25, 40, 50, 100, 125];

const gcd = (a: number, b: number): number => (b === 0 ? Math.abs(a) : gcd(b, a % b));

/** Decimal text of n/d for denominators of the form 2^a·5^b (exact, no float noise). */
function decimal(n: number, d: number): string {
  return String(Number((n / d).toFixed(6)));
}

function withThousands(n: number, sep: string): string {
  return String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, sep);
}

/** Spellings of n/d (d > 0, lowest terms, d | 10^k). */
export function spellingsOf(n: number, d: number): string[] {
  const sign = n < 0 ? '-' : '';
  const an = Math.abs(n);
  if (d === 1) {
    const out = [
      String(n),
      `${n}.0`,
      `\\left(${n}\\right)`,
      `\\displaystyle ${n}`,
      `${n}^\\circ`,
      `${n}^{\\circ}`,
      `\\frac{${n}}{1}`,
      `${n * 2}/2`,
    ];
    if (n < 0) out.push(`−${an}`);
    // In text mode `-` is a hyphen, so `\text{-5}` is not offered as a spelling of −5.
    if (n >= 0) out.push(`\\$${n}`, `\\text{${n}}`, `\\mathrm{${n}}`);
    if (an >= 1000) out.push(`${sign}${withThousands(an, '{,}')}`, `${sign}${withThousands(an, ',\\!')}`);
    if (an >= 10000) out.push(`${sign}${withThousands(an, ',')}`);
    return out;
  }
  const out = [
    `${sign}\\frac{${an}}{${d}}`,
    `${sign}\\dfrac{${an}}{${d}}`,
    `${sign}\\tfrac{${an}}{${d}}`,
    `${n}/${d}`,
    decimal(n, d),
    `${sign}\\frac{${an * 3}}{${d * 3}}`,
    `${Number(((n / d) * 100).toFixed(6))}\\%`,
  ];
  if (an < 10 && d < 10) out.push(`${sign}\\dfrac${an}${d}`);
  return out;
}

/** A value with its spellings: integers (some with thousands separators) and fractions with decimal expansions. */
export const equivalentSpellings: fc.Arbitrary<MathValue> = fc
  .tuple(
    fc.oneof(fc.integer({ min: -999, max: 999 }), fc.integer({ min: -99_999, max: 99_999 })),
    fc.constantFrom(...DENOMINATORS),
  )
  .map(([n, d]) => {
    const g = gcd(n, d) || 1;
    const num = n / g;
    const den = d / g;
    return { numerator: num, denominator: den, spellings: spellingsOf(num, den) };
  });

/** Values known to differ from n/d: n/d + 1, (n+1)/d, 10·n/d (18 → 180), −n/d, and 1 written before an integer (18 → 118). */
export function wrongValuesOf(n: number, d: number): [number, number][] {
  const out: [number, number][] = [
    [n + d, d],
    [n + 1, d],
  ];
  if (n !== 0) out.push([n * 10, d], [-n, d]);
  if (d === 1 && n > 0) out.push([n + 10 ** (Math.floor(Math.log10(n)) + 1), 1]);
  return out.map(([a, b]) => {
    const g = gcd(a, b) || 1;
    return [a / g, b / g];
  });
}

/** A value's spellings and a wrong answer for it (spelled in one of its own ways). */
export const answerWithWrong: fc.Arbitrary<{ value: MathValue; wrong: string }> = equivalentSpellings.chain((value) =>
  fc
    .constantFrom(...wrongValuesOf(value.numerator, value.denominator))
    .chain(([n, d]) => fc.constantFrom(...spellingsOf(n, d)))
    .map((wrong) => ({ value, wrong })),
);

/**
 * Math problems with known answers: the gold answer in one spelling, the right answer in another (possibly the
 * same), and a wrong answer. The default cases of the answer-aware laws.
 */
export const mathCases: fc.Arbitrary<LawCase> = answerWithWrong.chain(({ value, wrong }) =>
  fc
    .tuple(fc.constantFrom(...value.spellings), fc.constantFrom(...value.spellings), fc.nat({ max: 999 }))
    .map(([gold, correct, id]) => ({
      sample: { id: `math-${id}`, prompt: 'Compute the value and give it in the answer.', answer: gold },
      correct,
      wrong,
    })),
);
